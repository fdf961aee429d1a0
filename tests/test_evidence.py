"""Evidence mode and the counselling checklist, from the knowledge in content/."""

import re

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.answers import answer
from bot.knowledge.evidence import checklist, evidence
from bot.knowledge.question import NURSE, Question
from bot.safety.rules import red_flag_labels

KNOWLEDGE = load_knowledge()
CLINIC = {"emergency_number": "999", "urgent_contact": "the chemo hotline"}

# A sample of patient questions, each answered from a card or a table row.
SAMPLE = [
    Question("ask_crizotinib", "what does crizotinib do?"),
    Question("ask_crizotinib", "what dose was used?", card_id="trial_dose"),
    Question("ask_progression", "why does it spread to the brain?", card_id="why_the_brain"),
    Question("ask_how_often", "how common is diarrhea?", {"side_effect": ["diarrhea"]}),
    Question(
        "ask_crizotinib",
        "PFS in profile 1014",
        {"measure": ["progression-free survival"], "trial": ["PROFILE-1014"]},
    ),
    Question("ask_interactions", "can I take rifampicin?", {"drug": ["rifampicin"]}),
]


@pytest.mark.parametrize("question", SAMPLE, ids=lambda question: question.text)
def test_evidence_is_the_clinical_answer_with_each_figure_and_where_it_is(question):
    patient_answer = answer(question, KNOWLEDGE)
    shown = evidence(question, KNOWLEDGE).text
    assert shown.startswith(
        answer(Question(**{**vars(question), "audience": NURSE}), KNOWLEDGE).text
    )
    card = KNOWLEDGE.card(patient_answer.card_id) if patient_answer.card_id else None
    for figure in card.figures if card else ():
        assert f"- {figure.value}: {figure.where}" in shown
    assert re.search(r"Source: Giroux Leprieur et al\. 2016, .+\.", shown)


def test_evidence_for_the_first_line_trial_names_the_hazard_ratio_and_p_value():
    shown = evidence(Question("ask_crizotinib", "what is crizotinib?"), KNOWLEDGE).text
    for printed in ("PROFILE-1014", "HR =0.45", "95% CI 0.35-0.60", "P<0.001"):
        assert printed in shown


def test_the_checklist_has_every_item_the_red_flags_and_the_clinics_numbers():
    red_flags = red_flag_labels()
    text = checklist(KNOWLEDGE, red_flags, CLINIC)
    for item in KNOWLEDGE.messages["checklist"]["items"]:
        assert f"☐ {item['label']}: {KNOWLEDGE.cards[item['card']].nurse}" in text
    assert all(label in text for label in red_flags)
    assert "the chemo hotline" in text and "999" in text
    assert text.rstrip().endswith(".") and "Source: Giroux Leprieur et al. 2016" in text
