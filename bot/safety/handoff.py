"""Handing a conversation over to a nurse: a short summary, sent once.

The summary says what the person asked about, which red flags came up and
the question left open, so a nurse can pick up without reading the chat.
It is posted to the clinic's webhook when one is configured (the setting
ALK_HANDOFF_URL); otherwise the person is told how to reach the
clinic. Either way the conversation carries on. Plain Python, no Rasa.
"""

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

import requests

from bot.knowledge import Knowledge
from bot.knowledge.answer_keys import OUT_OF_SCOPE
from bot.names import NLU_FALLBACK_INTENT, Intent, Slot
from bot.safety.detector import SafetyDetector

POST_TIMEOUT_SECONDS = 10
# Intents that leave a question open: the assistant could not answer it.
UNANSWERED_INTENTS = {NLU_FALLBACK_INTENT, Intent.OUT_OF_SCOPE}
# Listed under red flags, not under topics.
RED_FLAG_INTENTS = {Intent.REPORT_EMERGENCY, Intent.EXPRESS_CRISIS}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handoff:
    conversation_id: str
    created: str
    topics: Tuple[str, ...]
    red_flags: Tuple[str, ...]
    open_question: Optional[str]

    def as_json(self) -> Dict[str, Any]:
        return {"type": "alk_companion.handoff", **asdict(self)}

    def as_text(self) -> str:
        lines = [
            f"Topics asked about: {', '.join(self.topics) or 'none'}.",
            f"Red flags raised: {', '.join(self.red_flags) or 'none'}.",
        ]
        if self.open_question:
            lines.append(f'Open question: "{self.open_question}"')
        return "\n".join(lines)


def _intent(event: Mapping[str, Any]) -> str:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""


def user_messages(events: Iterable[Mapping[str, Any]]) -> List[Tuple[str, str]]:
    """(intent, text) of each user message, oldest first."""
    return [
        (_intent(event), event.get("text") or "")
        for event in events
        if event.get("event") == "user"
    ]


def summarise(
    conversation_id: str,
    events: Iterable[Mapping[str, Any]],
    knowledge: Knowledge,
    detector: SafetyDetector,
) -> Handoff:
    """The nurse's summary of a conversation, from the tracker's events."""
    messages = [m for m in user_messages(events) if m[0] != Intent.REQUEST_HANDOFF]
    topics = dict.fromkeys(
        topic.title
        for topic in (
            knowledge.topic_for_intent(intent)
            for intent, _ in messages
            if intent not in RED_FLAG_INTENTS
        )
        if topic
    )
    red_flags = dict.fromkeys(
        flag.label for _, text in messages for flag in detector.red_flags(text)
    )
    typed = [(intent, text) for intent, text in messages if text and not text.startswith("/")]
    unanswered = [text for intent, text in typed if intent in UNANSWERED_INTENTS]
    open_question = unanswered[-1] if unanswered else (typed[-1][1] if typed else None)
    return Handoff(
        conversation_id=conversation_id,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        topics=tuple(topics),
        red_flags=tuple(red_flags),
        open_question=open_question,
    )


def unanswered_in_a_row(events: Iterable[Mapping[str, Any]]) -> int:
    """How many of the latest user messages in a row were not understood:
    NLU could not tell what they were, or the answer was that they are
    off-topic."""
    unanswered: List[bool] = []
    for event in events:
        if event.get("event") == "user":
            unanswered.append(_intent(event) in UNANSWERED_INTENTS)
        elif (
            unanswered
            and event.get("event") == "slot"
            and event.get("name") == Slot.LAST_ANSWER
            and event.get("value") == OUT_OF_SCOPE
        ):
            unanswered[-1] = True
    count = 0
    for not_understood in reversed(unanswered):
        if not not_understood:
            break
        count += 1
    return count


def send(handoff: Handoff, url: str) -> bool:
    """Posts the summary once; False (logged, without its contents) if it failed."""
    try:
        response = requests.post(url, json=handoff.as_json(), timeout=POST_TIMEOUT_SECONDS)
        response.raise_for_status()
        return True
    except requests.RequestException as error:
        # The summary holds the person's words: log only that it failed.
        logger.error("handoff to the clinic webhook failed: %s", type(error).__name__)
        return False
