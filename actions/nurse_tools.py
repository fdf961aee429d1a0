"""Actions for the nurse tools: evidence behind the last answer, the
counselling checklist and the printable handout (the medication check is
part of answering a question about interactions: actions/answers.py).

Each translates between Rasa and plain Python in bot/knowledge and bot/nurse.
"""

import os
from typing import Any, Dict, List, Optional, Text
from urllib.parse import urlencode

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import KNOWLEDGE, question_from
from bot import web
from bot.knowledge.evidence import checklist, evidence
from bot.nurse.handout import load_composition, topics_in
from bot.safety.detector import load_detector

# Read when the action server starts, like the rest of content/.
HANDOUT = load_composition()
ANSWER_ACTION = "action_answer_question"
CLINIC_SETTINGS = ("emergency_number", "urgent_contact")


def last_answered_message(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """NLU's reading of the last user message action_answer_question answered."""
    answered = False
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") == ANSWER_ACTION:
            answered = True
        elif event.get("event") == "user" and answered:
            return {**event.get("parse_data", {}), "text": event.get("text")}
    return None


class ActionShowEvidence(Action):
    """The last answer as a nurse would cite it: trial, figures, where in the review."""

    def name(self) -> Text:
        return "action_show_evidence"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = last_answered_message(tracker)
        if message is None:
            dispatcher.utter_message(text=KNOWLEDGE.messages["evidence"]["nothing_yet"])
        else:
            dispatcher.utter_message(text=evidence(question_from(tracker, message), KNOWLEDGE).text)
        return []


class ActionShowChecklist(Action):
    """The counselling checklist for starting crizotinib, with the clinic's numbers."""

    def name(self) -> Text:
        return "action_show_checklist"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        categories = load_detector().categories.values()
        red_flags = [spec["label"] for spec in categories if not spec.get("crisis")]
        clinic = {name: tracker.get_slot(name) for name in CLINIC_SETTINGS}
        dispatcher.utter_message(text=checklist(KNOWLEDGE, red_flags, clinic))
        return []


class ActionOfferHandout(Action):
    """Links to the printable handout, with the topics the request names."""

    def name(self) -> Text:
        return "action_offer_handout"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        wording = HANDOUT["chat"]
        page = os.environ.get(web.PAGE_URL_ENV)
        if not page:
            dispatcher.utter_message(text=wording["unavailable"])
            return []
        topics = topics_in(tracker.latest_message.get("text") or "", HANDOUT)
        query = f"?{urlencode({'topics': ','.join(topics)})}" if topics else ""
        named = {section["topic"]: section["heading"] for section in HANDOUT["sections"]
                 if "topic" in section}
        about = ", ".join(named[topic].lower() for topic in topics) if topics else wording["all_topics"]
        links = wording["links"].format(
            pdf=f"{page}/handout.pdf{query}", html=f"{page}/handout.html{query}"
        )
        dispatcher.utter_message(text=f"{wording['offer'].format(topics=about)}\n{links}")
        return []

