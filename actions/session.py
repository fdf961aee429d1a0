"""Starts each conversation with the clinic's details in its slots.

Rasa's own action_session_start, plus the numbers of content/clinic.yml
(with the settings' overrides), which the domain's urgent replies fill in.
A conversation whose start fails still gets the urgent replies, worded
without the numbers (domain/safety.yml).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import get_context
from bot.names import Action as ActionName

ACTION_LISTEN = "action_listen"


def carried_over_slots(tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
    """The slots of the last session, when the domain carries them over."""
    if not domain.get("session_config", {}).get("carry_over_slots_to_new_session", True):
        return []
    return [
        SlotSet(name, value)
        for name, value in tracker.current_slot_values().items()
        if value is not None
    ]


class ActionSessionStart(Action):
    def name(self) -> Text:
        return ActionName.SESSION_START

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        clinic = get_context().clinic.as_dict()
        return [
            SessionStarted(),
            *carried_over_slots(tracker, domain),
            *(SlotSet(name, value) for name, value in clinic.items()),
            ActionExecuted(ACTION_LISTEN),
        ]
