"""The trained model's NLU: intents, and entities under their canonical names."""

import asyncio

import pytest
from rasa.core.agent import Agent


@pytest.fixture(scope="module")
def parse(trained_model):
    agent = Agent.load(str(trained_model))

    def parse_text(text):
        return asyncio.run(agent.parse_message(text))

    return parse_text


@pytest.mark.parametrize(
    "text, intent, entities",
    [
        (
            "Is it ok to take XALKORI with grapefruit juice",
            "ask_interactions",
            {("drug", "crizotinib"), ("food", "grapefruit")},
        ),
        (
            "I've had the runs since starting crizotnib",
            "ask_side_effects",
            {("side_effect", "diarrhea"), ("drug", "crizotinib")},
        ),
        (
            "my new biopsy shows g1202r, what now?",
            "ask_progression",
            {("test", "re-biopsy"), ("mutation", "G1202R")},
        ),
        ("was my ALK found by FISH?", "ask_alk_testing", {("test", "FISH")}),
        ("results of profile-1014 please", "ask_crizotinib", {("trial", "PROFILE-1014")}),
        (
            "Cisplatin and crizotinib together?",
            "ask_interactions",
            {("drug", "cisplatin"), ("drug", "crizotinib")},
        ),
        (
            "how often was the diarrhoea severe in profile 1007",
            "ask_how_often",
            {("side_effect", "diarrhea"), ("severity", "grade 3-4"), ("trial", "PROFILE-1007")},
        ),
        (
            "what was the median PFS in PROFILE-1005",
            "ask_crizotinib",
            {("measure", "progression-free survival"), ("trial", "PROFILE-1005")},
        ),
    ],
)
def test_intent_and_canonical_entities(parse, text, intent, entities):
    result = parse(text)
    assert result["intent"]["name"] == intent
    assert {(e["entity"], e["value"]) for e in result["entities"]} == entities


def test_gibberish_falls_back_instead_of_guessing_a_topic(parse):
    assert parse("qwpoe zzkx vbbnm")["intent"]["name"] in {"nlu_fallback", "out_of_scope"}
