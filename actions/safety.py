"""Actions for what the assistant cannot answer: fallback and nurse handoff.

Emergencies and crises need no action server: their replies are domain
responses, triggered by bot/safety/policy.py and by rules.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import KNOWLEDGE, menu_buttons
from bot.safety import handoff
from bot.safety.detector import load_detector

# Read when the action server starts, like the knowledge.
DETECTOR = load_detector()
CLINIC_SETTINGS = ("emergency_number", "urgent_contact", "clinic_contact")


class ActionRespondToFallback(Action):
    """First: say what it can help with and show the topics; again: offer a nurse."""

    def name(self) -> Text:
        return "action_respond_to_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        messages = KNOWLEDGE.messages["fallback"]
        if handoff.unanswered_in_a_row(tracker.events) > 1:
            dispatcher.utter_message(
                text=messages["offer_handoff"],
                buttons=[
                    {"title": messages["handoff_button"], "payload": "/request_handoff"},
                    {"title": messages["topics_button"], "payload": "/ask_menu"},
                ],
            )
            return []
        intent = tracker.get_intent_of_latest_message()
        dispatcher.utter_message(
            text=messages["out_of_scope" if intent == "out_of_scope" else "rephrase"]
        )
        dispatcher.utter_message(text=KNOWLEDGE.messages["menu"], buttons=menu_buttons(tracker))
        return []


class ActionHandOff(Action):
    """Sends the nurse a summary, or tells the person how to reach the clinic."""

    def name(self) -> Text:
        return "action_hand_off"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        summary = handoff.summarise(tracker.sender_id, tracker.events, KNOWLEDGE, DETECTOR)
        settings = {name: tracker.get_slot(name) for name in CLINIC_SETTINGS}
        url = handoff.handoff_url()
        messages = KNOWLEDGE.messages["handoff"]
        if url and handoff.send(summary, url):
            dispatcher.utter_message(text=messages["sent"].format(**settings))
        else:
            dispatcher.utter_message(text=messages["unavailable"].format(**settings))
            dispatcher.utter_message(text=summary.as_text())
        return []
