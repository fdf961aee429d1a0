"""Actions for what the assistant cannot answer: fallback and nurse handoff.

Emergencies and crises need no action server: their replies are domain
responses, triggered by bot/rasa_ext/safety_policy.py and by rules.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import menu_buttons, question_from, send_answer
from actions.context import get_context
from bot.knowledge import answer_keys as keys
from bot.knowledge.answers import compose
from bot.knowledge.choice import confident_choice
from bot.names import Action as ActionName
from bot.names import Intent, payload
from bot.safety import handoff

FALLBACK_CONFIDENCE = 0.5
FOLLOW_UP_CONFIDENCE = 0.3


class ActionRespondToFallback(Action):
    """A message whose kind NLU was unsure of is still answered when the
    answer it wants is clear ("and in 1007?" after a table answer, or a
    confident ranking). Otherwise, first: say what it can help with and
    show the topics; again: offer a nurse."""

    def name(self) -> Text:
        return ActionName.RESPOND_TO_FALLBACK

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = get_context()
        knowledge = context.knowledge
        question = question_from(tracker)
        # Surer than an ordinary answer, as the kind of message was unclear;
        # less sure for a short follow-up in a conversation about the review.
        following = question.previous is not None and question.short
        at_least = FOLLOW_UP_CONFIDENCE if following else FALLBACK_CONFIDENCE
        key = confident_choice(question, knowledge, at_least=at_least)
        if key is not None and key.kind != keys.OUT_OF_SCOPE:
            reply = compose(key, question, knowledge, context.vocabulary)
            return send_answer(reply, dispatcher, tracker, knowledge)
        messages = knowledge.messages["fallback"]
        if handoff.unanswered_in_a_row(tracker.events) > 1:
            dispatcher.utter_message(
                text=messages["offer_handoff"],
                buttons=[
                    {
                        "title": messages["handoff_button"],
                        "payload": payload(Intent.REQUEST_HANDOFF),
                    },
                    {"title": messages["topics_button"], "payload": payload(Intent.ASK_MENU)},
                ],
            )
            return []
        intent = tracker.get_intent_of_latest_message()
        dispatcher.utter_message(
            text=messages["out_of_scope" if intent == Intent.OUT_OF_SCOPE else "rephrase"]
        )
        dispatcher.utter_message(
            text=knowledge.messages["menu"], buttons=menu_buttons(tracker, knowledge)
        )
        return []


class ActionHandOff(Action):
    """Sends the nurse a summary, or tells the person how to reach the clinic."""

    def name(self) -> Text:
        return ActionName.HAND_OFF

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = get_context()
        summary = handoff.summarise(
            tracker.sender_id, tracker.events, context.knowledge, context.detector
        )
        clinic = context.clinic.as_dict()
        messages = context.knowledge.messages["handoff"]
        url = context.settings.handoff_url
        if url and handoff.send(summary, url):
            dispatcher.utter_message(text=messages["sent"].format(**clinic))
        else:
            dispatcher.utter_message(text=messages["unavailable"].format(**clinic))
            dispatcher.utter_message(text=summary.as_text())
        return []
