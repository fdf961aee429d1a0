"""Choosing and wording answers: cards, tables and lookups, for both views.

Plain unit tests of bot.knowledge.answers; the same patterns are tested
through the running servers in test_conversation.py.
"""

import re

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.answers import answer
from bot.knowledge.choice import best_card
from bot.knowledge.frequency import natural_frequency
from bot.knowledge.question import NURSE, Question

KNOWLEDGE = load_knowledge()
TABLES = KNOWLEDGE.tables
MESSAGES = KNOWLEDGE.messages


def ask(intent, text="", audience="patient", **known):
    entities = {key: [value] for key, value in known.items() if not key.startswith("last_")}
    remembered = {key: value for key, value in known.items() if key.startswith("last_")}
    return answer(Question(intent, text, entities, audience=audience, **remembered), KNOWLEDGE)


def card_ids(reply):
    return [card.id for card in reply.follow_ups]


# Side effects: Table 2


@pytest.mark.parametrize("event_name", sorted(TABLES.adverse_events))
def test_how_common_a_side_effect_is_comes_from_the_main_trial_with_a_natural_frequency(event_name):
    event = TABLES.adverse_events[event_name]
    any_grade, grade_3_4 = event.trials[TABLES.main_trial]
    text = ask("ask_how_often", "how common is it", side_effect=event_name).text
    frequency = natural_frequency(any_grade)
    assert f"{any_grade}% of people had {event.patient} ({frequency})" in text
    if grade_3_4:
        assert f"It was severe in {grade_3_4}%" in text
    else:
        assert "No one had it severely" in text
    assert TABLES.main_trial in text and "Table 2" in text


def test_how_often_it_is_severe_remembers_the_side_effect_and_leads_with_grade_3_4():
    text = ask(
        "ask_how_often",
        "how often is it severe?",
        severity="grade 3-4",
        last_side_effect="neutropenia",
    ).text
    assert "low white blood cells (neutropenia) was severe in 11% of people (about 1 in 10)" in text
    assert "In all, 21% had it, mild or severe" in text


def test_a_side_effect_in_a_named_trial_comes_from_that_trial():
    text = ask(
        "ask_how_often", "diarrhea in profile 1007", side_effect="diarrhea", trial="PROFILE-1007"
    ).text
    assert "(PROFILE-1007), 60% of people had diarrhea" in text


def test_a_side_effect_a_trial_did_not_report_is_not_reported_never_zero():
    text = ask("ask_how_often", "", side_effect="neutropenia", trial="PROFILE-1007").text
    assert "did not report low white blood cells" in text
    assert "0%" not in text


def test_a_nurse_gets_the_whole_table_2_row_with_grade_3_4():
    text = ask(
        "ask_how_often", "grade 3-4 ALT rise", NURSE, side_effect="elevated liver enzymes"
    ).text
    assert text.startswith("Elevated ALAT/ASAT, Table 2, any grade % / grade 3-4 %:")
    assert "PROFILE-1001 11/1; PROFILE-1005 28/5; PROFILE-1007 38/16; PROFILE-1014 36/14" in text


def test_a_side_effect_the_review_does_not_report_says_so_without_a_figure():
    text = ask("ask_side_effects", "will I lose my hair", side_effect="hair loss").text
    assert "does not list hair loss" in text and "care team" in text
    assert not re.search(r"\d", text)


def test_a_side_effect_with_its_own_card_gets_the_card():
    reply = ask("ask_side_effects", "lung inflammation?", side_effect="pneumonitis")
    assert reply.card_id == "lung_inflammation"


def test_severe_side_effects_without_a_name_get_the_severe_card():
    assert ask("ask_how_often", "how many get serious ones", severity="grade 3-4").card_id == (
        TABLES.severe_card
    )


def test_a_new_question_about_side_effects_does_not_reuse_the_remembered_one():
    reply = ask("ask_side_effects", "what side effects are there", last_side_effect="diarrhea")
    assert reply.card_id == "common_side_effects"


# Interactions


@pytest.mark.parametrize("substance", sorted(TABLES.interactions))
def test_every_named_medicine_and_food_gets_its_direction(substance):
    interaction = TABLES.interactions[substance]
    entity = "food" if interaction.group == "food" else "drug"
    reply = ask("ask_interactions", f"can I take {substance}", **{entity: substance})
    expected = {
        "raises": "can raise the amount",
        "lowers": "can lower the amount",
        "avoid": "says to avoid",
    }[interaction.effect]
    assert expected in reply.text
    assert "Safety and drug interaction" in reply.text
    assert reply.reason_card == TABLES.interactions_why_card


def test_a_medicine_the_review_does_not_name_is_not_covered_never_guessed():
    reply = ask("ask_interactions", "is ibuprofen ok with xalkori", drug="ibuprofen")
    assert "This review does not cover ibuprofen" in reply.text
    assert "pharmacist or care team" in reply.text
    assert "raise" not in reply.text and "lower" not in reply.text


def test_naming_crizotinib_itself_is_not_an_interaction():
    reply = answer(
        Question(
            "ask_interactions",
            "xalkori and grapefruit juice",
            {"drug": ["crizotinib"], "food": ["grapefruit"]},
        ),
        KNOWLEDGE,
    )
    assert "avoid grapefruit" in reply.text and "does not cover" not in reply.text


def test_why_after_an_interaction_explains_cyp3a():
    reply = ask("ask_interactions", "I take clarithromycin", drug="clarithromycin")
    why = answer(
        Question("ask_why", "why is that a problem?", reason_card=reply.reason_card), KNOWLEDGE
    )
    assert why.card_id == "why_interactions_matter" and "CYP3A" in why.text


def test_why_without_a_reason_in_the_review_or_without_context_says_so():
    assert (
        answer(Question("ask_why", "why?", reason_card=""), KNOWLEDGE).text
        == (MESSAGES["why"]["not_covered"])
    )
    assert answer(Question("ask_why", "why?"), KNOWLEDGE).text == MESSAGES["why"]["unclear"]


def test_a_short_why_about_the_last_answer_gets_its_reason_whatever_the_intent():
    brain = ask("ask_crizotinib", "does crizotinib work on brain tumours")
    assert brain.card_id == "brain_metastases_response"
    why = answer(
        Question(
            "ask_progression",
            "why doesnt it work as well there",
            reason_card=brain.reason_card,
            ranking=[("out_of_scope", 0.4), ("mutation", 0.3)],
        ),
        KNOWLEDGE,
    )
    assert why.card_id == "why_the_brain"
    # A why-question that points at nothing is a question of its own.
    own = Question(
        "ask_progression",
        "why does crizotinib stop working",
        reason_card=brain.reason_card,
        ranking=[("card:resistance_mechanisms", 0.9)],
    )
    assert answer(own, KNOWLEDGE).card_id == "resistance_mechanisms"


# Resistance mutations


def test_a_named_mutation_lists_what_it_resists():
    text = ask("ask_progression", "my biopsy found g1202r", mutation="G1202R").text
    assert "G1202R change may stop crizotinib, alectinib and ceritinib from working" in text


def test_would_a_drug_work_uses_the_remembered_mutation():
    assert (
        "may stop alectinib"
        in ask(
            "ask_progression", "would alectinib work?", drug="alectinib", last_mutation="G1202R"
        ).text
    )
    assert (
        "may still respond to crizotinib"
        in ask("ask_progression", "and crizotinib?", drug="crizotinib", last_mutation="L1198F").text
    )


def test_a_drug_the_review_says_nothing_about_for_that_mutation_is_not_guessed():
    text = ask(
        "ask_progression", "would lorlatinib work", drug="lorlatinib", last_mutation="G1202R"
    ).text
    assert "does not say how lorlatinib works against G1202R" in text


def test_without_a_mutation_a_drug_question_gets_the_drugs_card():
    assert ask("ask_progression", "would alectinib work?", drug="alectinib").card_id == "alectinib"


# Trial results: Table 1


def test_a_measure_in_a_named_trial_comes_from_table_1():
    text = ask(
        "ask_crizotinib",
        "response rate in profile 1005",
        measure="response rate",
        trial="PROFILE-1005",
    ).text
    assert "(PROFILE-1005), the cancer shrank in 59.8% of people (about 6 in 10)" in text
    assert "Table 1" in text


def test_not_reached_and_not_available_are_said_in_words():
    reached = ask("ask_crizotinib", "", measure="overall survival", trial="PROFILE-1014").text
    assert "not reached" in reached
    missing = ask("ask_crizotinib", "", measure="overall survival", trial="PROFILE-1005").text
    assert "did not report" in missing


def test_a_nurse_gets_the_figure_asked_for_its_comparator_and_the_other_trials():
    text = ask(
        "ask_crizotinib",
        "PFS 1007",
        NURSE,
        measure="progression-free survival",
        trial="PROFILE-1007",
    ).text
    assert text.startswith(
        "PFS (median) (months), PROFILE-1007, crizotinib arm (Table 1): 7.7 months."
    )
    assert "versus 3.0 months with chemotherapy (HR =0.49, 95% CI 0.37-0.64, P<0.0001)" in text
    assert "Other trials (Table 1): PROFILE-1001 9.7 months; PROFILE-1005 8.1 months; " in text
    assert "PROFILE-1014 10.9 months" in text
    assert "Phase III trial PROFILE-1007: crizotinib in second or third line" in text


# Cards, views and provenance


def test_a_nurse_gets_the_clinical_detail_of_the_same_card():
    patient = ask("ask_crizotinib", "what is crizotinib")
    nurse = ask("ask_crizotinib", "what is crizotinib", NURSE)
    card = KNOWLEDGE.card(patient.card_id)
    assert patient.text.startswith(card.patient) and nurse.text.startswith(card.nurse)
    assert "Giroux Leprieur" in nurse.text


@pytest.mark.parametrize(
    "intent, text, card_id",
    [
        ("ask_alk_testing", "what's the FISH test", "fish_test"),
        ("ask_alk_testing", "can I have EGFR and ALK together", "alk_and_egfr"),
        ("ask_crizotinib", "when was it approved", "crizotinib_approvals"),
        ("ask_crizotinib", "how quickly does it start working", "time_to_response"),
        ("ask_progression", "why does it spread to the brain", "why_the_brain"),
        ("ask_progression", "should I have another biopsy", "new_biopsy"),
        ("ask_progression", "whole brain radiotherapy", "whole_brain_radiotherapy"),
        ("ask_source", "how up to date is this", "about_this_information"),
    ],
)
def test_the_words_of_a_question_pick_the_card(intent, text, card_id):
    assert ask(intent, text).card_id == card_id


def test_a_question_without_matching_words_gets_the_topics_main_card():
    for topic in KNOWLEDGE.topics:
        assert ask(topic.intents[0], "tell me more").card_id == topic.card


@pytest.mark.parametrize("card_id", sorted(KNOWLEDGE.cards))
def test_every_card_can_be_reached_by_its_follow_up_button_and_by_its_keywords(card_id):
    card = KNOWLEDGE.card(card_id)
    topic = KNOWLEDGE.topic(card.topic)
    assert answer(Question(topic.intents[0], card_id=card_id), KNOWLEDGE).card_id == card_id
    if card.keywords:
        question = Question(topic.intents[0], " ".join(card.keywords))
        assert best_card(question, topic, KNOWLEDGE) == card


def test_follow_ups_point_elsewhere():
    for card in KNOWLEDGE.cards.values():
        assert card.id not in card.follow_ups
