"""What a patient can read, and its reading grade.

Every card's patient text and every answer the tables can produce, as the
patient sees it (source line included), graded with Flesch-Kincaid (textstat
0.7.3). The tests hold each to MAX_GRADE; `make eval` reports the spread.
"""

from typing import Iterator, Tuple

import textstat

from bot.knowledge.answers import Question, answer
from bot.knowledge.content import Knowledge
from bot.names import Intent

MAX_GRADE = 8


def table_questions(knowledge: Knowledge) -> Iterator[Question]:
    """Every row of every table, asked the ways a patient can ask it."""
    tables = knowledge.tables
    for event in tables.adverse_events.values():
        for trial in tables.trials:
            for severity in ([], ["grade 3-4"]):
                yield Question(
                    Intent.ASK_HOW_OFTEN,
                    "",
                    {"side_effect": [event.name], "trial": [trial], "severity": severity},
                )
    for name, interaction in tables.interactions.items():
        kind = "food" if interaction.group == "food" else "drug"
        yield Question(Intent.ASK_INTERACTIONS, "", {kind: [name]})
    yield Question(Intent.ASK_INTERACTIONS, "", {"drug": ["ibuprofen"]})
    for mutation in tables.mutations:
        yield Question(Intent.ASK_PROGRESSION, "", {"mutation": [mutation]})
        for drug in ("crizotinib", "alectinib", "lorlatinib"):
            yield Question(Intent.ASK_PROGRESSION, "", {"drug": [drug]}, last_mutation=mutation)
    for measure in tables.measures:
        for trial in tables.trials:
            yield Question(Intent.ASK_CRIZOTINIB, "", {"measure": [measure], "trial": [trial]})


def patient_texts(knowledge: Knowledge) -> Iterator[Tuple[str, str]]:
    """(label, text) for everything a patient can be shown."""
    for card in knowledge.cards.values():
        yield f"card {card.id}", card.patient
    for question in table_questions(knowledge):
        yield f"{question.intent} {dict(question.entities)}", answer(question, knowledge).text
    for name in ("provenance", "not_covered"):
        yield f"message {name}", knowledge.messages[name]


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)
