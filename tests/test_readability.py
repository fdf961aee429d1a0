"""Everything a patient reads is plain language: Flesch-Kincaid grade 8 or below."""

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.readability import MAX_GRADE, grade, patient_texts

PATIENT_TEXTS = list(patient_texts(load_knowledge()))


@pytest.mark.parametrize("label, text", PATIENT_TEXTS, ids=lambda value: str(value)[:60])
def test_patient_text_reads_at_grade_8_or_below(label, text):
    assert grade(text) <= MAX_GRADE, f"{label}: grade {grade(text)}: {text}"


def test_the_grade_distribution_is_reported(capsys):
    grades = sorted(grade(text) for _, text in PATIENT_TEXTS)
    with capsys.disabled():
        middle = grades[len(grades) // 2]
        print(
            f"\nreadability: {len(grades)} patient texts, grade min {grades[0]}, "
            f"median {middle}, max {grades[-1]}"
        )
    assert grades[-1] <= MAX_GRADE
