"""The assistant's medical knowledge, read from `content/cards.yml`.

Plain Python with no Rasa in it, so actions, tools and tests share one loader
and one set of checks. A broken content file fails loudly at load time with
the card and field at fault, rather than as a wrong answer in conversation.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

import yaml

CONTENT_PATH = Path(__file__).resolve().parents[2] / "content" / "cards.yml"


class ContentError(ValueError):
    """The content file is malformed or refers to something that is missing."""


@dataclass(frozen=True)
class Figure:
    value: str
    where: str


@dataclass(frozen=True)
class Card:
    id: str
    topic: str
    question: str
    patient: str
    nurse: str
    source: Tuple[str, ...]
    figures: Tuple[Figure, ...]
    follow_ups: Tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    intent: str
    card: str


@dataclass(frozen=True)
class Knowledge:
    citation: str
    published: str
    menu_prompt: str
    not_covered: str
    topics: Tuple[Topic, ...]
    cards: Dict[str, Card]

    def card(self, card_id: str) -> Optional[Card]:
        return self.cards.get(card_id)

    def topic(self, topic_id: str) -> Optional[Topic]:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def topic_for_intent(self, intent: str) -> Optional[Topic]:
        return next((topic for topic in self.topics if topic.intent == intent), None)


def _card(raw: dict) -> Card:
    try:
        return Card(
            id=raw["id"],
            topic=raw["topic"],
            question=raw["question"],
            patient=raw["patient"],
            nurse=raw["nurse"],
            source=tuple(raw["source"]),
            figures=tuple(Figure(**figure) for figure in raw["figures"]),
            follow_ups=tuple(raw["follow_ups"]),
        )
    except (KeyError, TypeError) as error:
        raise ContentError(f"card {raw.get('id', raw)!r}: bad or missing {error}")


def _check_references(knowledge: Knowledge) -> None:
    topic_ids = {topic.id for topic in knowledge.topics}
    for topic in knowledge.topics:
        if topic.card not in knowledge.cards:
            raise ContentError(f"topic {topic.id!r}: no card {topic.card!r}")
    for card in knowledge.cards.values():
        if card.topic not in topic_ids:
            raise ContentError(f"card {card.id!r}: no topic {card.topic!r}")
        if not card.source:
            raise ContentError(f"card {card.id!r}: says nowhere where it comes from")
        for follow_up in card.follow_ups:
            if follow_up not in knowledge.cards:
                raise ContentError(f"card {card.id!r}: no follow-up {follow_up!r}")


def parse_knowledge(document: dict) -> Knowledge:
    """Builds and checks the knowledge from the content file's parsed YAML."""
    cards = [_card(raw) for raw in document["cards"]]
    knowledge = Knowledge(
        citation=document["source"]["citation"],
        published=document["source"]["published"],
        menu_prompt=document["messages"]["menu"],
        not_covered=document["messages"]["not_covered"],
        topics=tuple(Topic(**topic) for topic in document["topics"]),
        cards={card.id: card for card in cards},
    )
    if len(knowledge.cards) != len(cards):
        raise ContentError("two cards share an id")
    _check_references(knowledge)
    return knowledge


@lru_cache(maxsize=None)
def load_knowledge(path: Path = CONTENT_PATH) -> Knowledge:
    """Reads the content file once per process."""
    return parse_knowledge(yaml.safe_load(path.read_text(encoding="utf-8")))
