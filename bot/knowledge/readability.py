"""What a patient can read, and its reading grade.

Every card's patient text and every answer the tables can produce, as the
patient sees it (source line included), graded with Flesch-Kincaid (textstat
0.7.3). The tests hold each to MAX_GRADE; `make eval` reports the spread.
"""

from typing import Iterator, Tuple

import textstat

from bot.knowledge import answer_keys as keys
from bot.knowledge.answer_keys import AnswerKey
from bot.knowledge.answers import compose, table_keys
from bot.knowledge.content import Knowledge
from bot.knowledge.question import Question

MAX_GRADE = 8


def patient_texts(knowledge: Knowledge) -> Iterator[Tuple[str, str]]:
    """(label, text) for everything a patient can be shown."""
    for card in knowledge.cards.values():
        yield f"card {card.id}", card.patient
    # A medicine the review does not name, for the "not covered" answer.
    unnamed = Question(None, entities={"drug": ["ibuprofen"]})
    for key in table_keys(knowledge):
        question = unnamed if key.name == keys.NOT_NAMED else Question(None)
        yield str(key), compose(key, question, knowledge).text
    not_listed = AnswerKey(keys.SIDE_EFFECT, keys.NOT_LISTED)
    for entities in ({"side_effect": ["hair loss"]}, {}):
        yield (
            str(not_listed),
            compose(not_listed, Question(None, entities=entities), knowledge).text,
        )
    for uncovered in knowledge.not_covered.values():
        yield f"not covered {uncovered.subject}", uncovered.reply
    for name in ("provenance", "not_covered", "long_message"):
        yield f"message {name}", knowledge.messages[name]


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)
