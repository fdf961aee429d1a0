"""What the actions read, loaded once: the settings, the content and the clinic.

The action server warms it before it serves (bot/runtime/action_server.py),
so a broken content file stops the server at start with the reason, instead
of failing in the middle of someone's conversation. Tests build their own.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.clinic import Clinic, load_clinic
from bot.nlp.vocabulary import Vocabulary, load_vocabulary
from bot.nurse.handout.composition import load_composition
from bot.safety.detector import SafetyDetector, load_detector
from bot.settings import Settings, get_settings


@dataclass(frozen=True)
class Context:
    settings: Settings
    knowledge: Knowledge
    vocabulary: Vocabulary
    clinic: Clinic
    handout: Mapping[str, Any]  # content/handout.yml
    detector: SafetyDetector  # for the red flags a handoff summary lists


@lru_cache(maxsize=1)
def get_context() -> Context:
    settings = get_settings()
    return Context(
        settings=settings,
        knowledge=load_knowledge(),
        vocabulary=load_vocabulary(),
        clinic=load_clinic(settings),
        handout=load_composition(),
        detector=load_detector(),
    )
