"""Actions for the nurse tools: evidence behind the last answer, the
counselling checklist and the printable handout (the medication check is
part of answering a question about interactions: actions/answers.py).

Each translates between Rasa and plain Python in bot/knowledge and bot/nurse.
"""

from typing import Any, Dict, List, Optional, Text
from urllib.parse import urlencode

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import question_from
from actions.context import get_context
from bot.knowledge.evidence import checklist, evidence
from bot.names import Action as ActionName
from bot.names import Slot
from bot.nurse.handout.composition import topics_in
from bot.safety.rules import red_flag_labels


def last_answered_message(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """NLU's reading of the last user message action_answer_question answered."""
    answered = False
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == ActionName.ANSWER_QUESTION:
            answered = True
        elif event.get("event") == "user" and answered:
            return {**event.get("parse_data", {}), "text": event.get("text")}
    return None


# A message that names one of these asks about it, not about the last answer.
ASKED_ABOUT = ("measure", "trial", "side_effect", "mutation")


class ActionShowEvidence(Action):
    """The last answer as a nurse would cite it: trial, figures, where in the review."""

    def name(self) -> Text:
        return ActionName.SHOW_EVIDENCE

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        knowledge = get_context().knowledge
        latest = question_from(tracker)
        message = last_answered_message(tracker)
        if any(kind in latest.entities for kind in ASKED_ABOUT) or latest.substances:
            # Not "show me the evidence for that": a nurse's question that
            # names a result of its own ("HR for PFS in 1014 with CI?").
            question = latest
        elif message is not None:
            question = question_from(tracker, message)
        else:
            dispatcher.utter_message(text=knowledge.messages["evidence"]["nothing_yet"])
            return []
        reply = evidence(question, knowledge)
        dispatcher.utter_message(text=reply.text)
        # A follow-up after the evidence leans on the answer it backs.
        return [SlotSet(Slot.LAST_ANSWER, reply.key)] if reply.key else []


class ActionShowChecklist(Action):
    """The counselling checklist for starting crizotinib, with the clinic's numbers."""

    def name(self) -> Text:
        return ActionName.SHOW_CHECKLIST

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = get_context()
        text = checklist(context.knowledge, red_flag_labels(), context.clinic.as_dict())
        dispatcher.utter_message(text=text)
        return []


class ActionOfferHandout(Action):
    """Links to the printable handout, with the topics the request names."""

    def name(self) -> Text:
        return ActionName.OFFER_HANDOUT

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = get_context()
        handout = context.handout
        wording = handout["chat"]
        page = context.settings.web_url
        if not page:
            dispatcher.utter_message(text=wording["unavailable"])
            return []
        topics = topics_in(tracker.latest_message.get("text") or "", handout)
        query = f"?{urlencode({'topics': ','.join(topics)})}" if topics else ""
        named = {
            section["topic"]: section["heading"]
            for section in handout["sections"]
            if "topic" in section
        }
        about = (
            ", ".join(named[topic].lower() for topic in topics) if topics else wording["all_topics"]
        )
        links = wording["links"].format(
            pdf=f"{page}/handout.pdf{query}", html=f"{page}/handout.html{query}"
        )
        dispatcher.utter_message(text=f"{wording['offer'].format(topics=about)}\n{links}")
        return []
