"""The assistant's medical knowledge and how questions are answered from it."""

from bot.knowledge.content import (
    AdverseEvent,
    Card,
    ContentError,
    Figure,
    Knowledge,
    Topic,
    load_knowledge,
    parse_knowledge,
)

__all__ = [
    "AdverseEvent",
    "Card",
    "ContentError",
    "Figure",
    "Knowledge",
    "Topic",
    "load_knowledge",
    "parse_knowledge",
]
