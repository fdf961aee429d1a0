"""Everything a patient reads is plain language: Flesch-Kincaid grade 8 or below.

Checks every card's patient text and every answer built from the tables, as
the patient sees it (source line included), with textstat 0.7.3.
"""

import pytest
import textstat

from bot.knowledge import load_knowledge
from bot.knowledge.answers import Question, answer

KNOWLEDGE = load_knowledge()
TABLES = KNOWLEDGE.tables
MAX_GRADE = 8


def table_questions():
    """Every row of every table, asked the ways a patient can ask it."""
    for event in TABLES.adverse_events.values():
        for trial in TABLES.trials:
            for severity in ([], ["grade 3-4"]):
                yield Question("ask_how_often", "", {
                    "side_effect": [event.name], "trial": [trial], "severity": severity})
    for name, interaction in TABLES.interactions.items():
        kind = "food" if interaction.group == "food" else "drug"
        yield Question("ask_interactions", "", {kind: [name]})
    yield Question("ask_interactions", "", {"drug": ["ibuprofen"]})
    for mutation in TABLES.mutations:
        yield Question("ask_progression", "", {"mutation": [mutation]})
        for drug in ("crizotinib", "alectinib", "lorlatinib"):
            yield Question("ask_progression", "", {"drug": [drug]}, last_mutation=mutation)
    for measure in TABLES.measures:
        for trial in TABLES.trials:
            yield Question("ask_crizotinib", "", {"measure": [measure], "trial": [trial]})


def patient_texts():
    for card in KNOWLEDGE.cards.values():
        yield f"card {card.id}", card.patient
    for question in table_questions():
        yield f"{question.intent} {dict(question.entities)}", answer(question, KNOWLEDGE).text
    for name in ("provenance", "not_covered"):
        yield f"message {name}", KNOWLEDGE.messages[name]


@pytest.mark.parametrize("label, text", list(patient_texts()), ids=lambda value: str(value)[:60])
def test_patient_text_reads_at_grade_8_or_below(label, text):
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= MAX_GRADE, f"{label}: grade {grade}: {text}"


def test_the_grade_distribution_is_reported(capsys):
    grades = sorted(textstat.flesch_kincaid_grade(text) for _, text in patient_texts())
    with capsys.disabled():
        middle = grades[len(grades) // 2]
        print(f"\nreadability: {len(grades)} patient texts, grade min {grades[0]}, "
              f"median {middle}, max {grades[-1]}")
    assert grades[-1] <= MAX_GRADE
