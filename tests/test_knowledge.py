"""The content file: complete, consistent, and every number accounted for."""

import re

import pytest
import yaml

from bot.knowledge import CONTENT_PATH, ContentError, load_knowledge, parse_knowledge
from tests.conftest import PROJECT_ROOT

# A figure in running text: 10.9, 74%, 0.35-0.60, 250 (trial names excluded).
NUMBER = re.compile(r"(?<![\w.-])\d+(?:\.\d+)?")
TRIAL_NAME = re.compile(r"PROFILE-\d{4}|grade \d-\d")


def domain_intents():
    intents = set()
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        intents.update(yaml.safe_load(path.read_text()).get("intents", []))
    return intents


def test_every_topic_is_a_domain_intent_with_a_card():
    knowledge = load_knowledge()
    assert len(knowledge.topics) == 5
    for topic in knowledge.topics:
        assert topic.intent in domain_intents()
        assert knowledge.card(topic.card).topic == topic.id


@pytest.mark.parametrize("card_id", sorted(load_knowledge().cards))
def test_every_number_in_a_card_is_a_recorded_figure(card_id):
    card = load_knowledge().card(card_id)
    recorded = " ".join(figure.value for figure in card.figures)
    for text in (card.patient, card.nurse):
        for number in NUMBER.findall(TRIAL_NAME.sub("", text)):
            assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", recorded), (
                f"{card_id}: {number} is not among the card's figures"
            )
    assert card.source, f"{card_id} does not say where it comes from"


def content_with(change):
    document = yaml.safe_load(CONTENT_PATH.read_text())
    change(document)
    return document


@pytest.mark.parametrize(
    "change, complaint",
    [
        (lambda d: d["topics"][0].update(card="no_such_card"), "no card 'no_such_card'"),
        (lambda d: d["cards"][0].update(follow_ups=["gone"]), "no follow-up 'gone'"),
        (lambda d: d["cards"][0].update(topic="astrology"), "no topic 'astrology'"),
        (lambda d: d["cards"][0].pop("patient"), "bad or missing 'patient'"),
        (lambda d: d["cards"].append(dict(d["cards"][0])), "two cards share an id"),
    ],
)
def test_a_broken_content_file_is_refused_with_the_reason(change, complaint):
    with pytest.raises(ContentError, match=re.escape(complaint)):
        parse_knowledge(content_with(change))
