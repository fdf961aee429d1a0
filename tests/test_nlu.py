"""The trained model's NLU: intents, and entities under their canonical names."""

import asyncio

import pytest
from rasa.core.agent import Agent

from bot.knowledge.question import asks_for_a_decision
from bot.rasa_ext.classifiers import without_an_unasked_decision


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


@pytest.mark.parametrize(
    "text, decision",
    [
        ("should i stop my crizotinib", True),
        ("is it ok for me to skip my evening dose on the night of the wedding", True),
        ("can i just say no to another biopsy", True),
        ("crizo making me so sick, thinking of just stopping it", True),
        ("honestly the first biopsy was horrible. shd i just say no this time", True),
        (
            "onc offered mum crizo or chemo first, which is better? we have to decide by friday",
            True,
        ),
        ("new spots on the scan. switch to alectinib now or hang on? what would u do", True),
        ("gp gave me itraconazole for a fungal nail. ok with crizo??", False),
        ("can u stay on crizotinib if its only grown a little bit", False),
        ("do i have to take xalkori forever", False),
        # A long post: only its question counts, not "should" in the story.
        (
            "The nurse said I should ring if anything changed, and I did ring last week about"
            " the light trails, which they said were the usual ones and nothing to worry about"
            " at all. How common are they?",
            False,
        ),
    ],
)
def test_a_decision_is_asked_for_in_words_that_say_so(text, decision):
    assert asks_for_a_decision(text) is decision


def test_a_decision_nobody_asked_for_gives_way_to_the_next_intent():
    ranking = [
        {"name": "ask_personal_decision", "confidence": 0.6},
        {"name": "ask_interactions", "confidence": 0.3},
        {"name": "ask_not_covered", "confidence": 0.1},
    ]
    rest = without_an_unasked_decision("itraconazole ok with crizo??", ranking)
    assert [label["name"] for label in rest] == ["ask_interactions", "ask_not_covered"]
    assert rest[0]["confidence"] == pytest.approx(0.75)
    assert without_an_unasked_decision("should I stop it?", ranking) == ranking


def test_an_interaction_question_gets_no_deferral(parse):
    text = "my wife's been put on Vfend for a fungal chest infection, is that ok with her xalkori?"
    assert parse(text)["intent"]["name"] == "ask_interactions"
