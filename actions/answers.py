"""Actions that answer from the knowledge in content/.

They translate between Rasa and `bot.knowledge.answers`: the tracker becomes
a Question, the Answer becomes a message with follow-up buttons, and what a
follow-up needs ("why?", "how often is it severe?") is kept in slots.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import Card, Knowledge, load_knowledge
from bot.knowledge.answers import NURSE, PATIENT, Answer, Question, answer
from bot.nlp.vocabulary import load_vocabulary
from bot.nurse.medications import check_medications, report, split_items

# Read when the action server starts: a broken content file stops it with the
# reason, instead of failing in the middle of someone's conversation.
KNOWLEDGE = load_knowledge()
VOCABULARY = load_vocabulary()
INTERACTIONS_INTENT = "ask_interactions"

VIEW_INTENTS = {NURSE: "switch_to_nurse_view", PATIENT: "switch_to_patient_view"}


def card_button(card: Card, knowledge: Knowledge) -> Dict[Text, Text]:
    """A button that asks for the card by its topic's intent, naming the card."""
    intent = knowledge.topic(card.topic).intents[0]
    return {"title": card.question, "payload": f'/{intent}{{"card":"{card.id}"}}'}


def tell_provenance_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict]:
    """Says where the answers come from, before the first menu or answer."""
    if tracker.get_slot("provenance_told"):
        return []
    dispatcher.utter_message(text=KNOWLEDGE.messages["provenance"])
    return [SlotSet("provenance_told", True)]


def audience(tracker: Tracker) -> Text:
    return NURSE if tracker.get_slot("audience") == NURSE else PATIENT


def question_from(tracker: Tracker, message: Optional[Dict[Text, Any]] = None) -> Question:
    """The question in `message` (NLU's reading of a user message; by default
    the latest), with what the conversation remembers."""
    if message is None:
        message = tracker.latest_message
        # Rasa-sdk's reading, which looks past a low-confidence fallback.
        intent = tracker.get_intent_of_latest_message()
    else:
        intent = (message.get("intent") or {}).get("name")
    entities: Dict[Text, List[Text]] = {}
    for entity in message.get("entities", []):
        entities.setdefault(entity["entity"], []).append(str(entity["value"]))
    card_ids = entities.pop("card", [])
    return Question(
        intent=intent,
        text=message.get("text") or "",
        entities=entities,
        audience=audience(tracker),
        card_id=card_ids[0] if card_ids else None,
        last_side_effect=tracker.get_slot("side_effect"),
        last_mutation=tracker.get_slot("mutation"),
        reason_card=tracker.get_slot("reason_card"),
    )


def menu_buttons(tracker: Tracker) -> List[Dict[Text, Text]]:
    """The topics, in the content file's order, then the other view."""
    buttons = [
        {"title": topic.title, "payload": f"/{topic.intents[0]}"} for topic in KNOWLEDGE.topics
    ]
    other_view = PATIENT if audience(tracker) == NURSE else NURSE
    buttons.append(
        {
            "title": KNOWLEDGE.messages["view_buttons"][other_view],
            "payload": f"/{VIEW_INTENTS[other_view]}",
        }
    )
    return buttons


def medication_check(question: Question) -> Optional[Answer]:
    """A question about interactions that lists two or more medicines or
    foods ("clarithromycin 500mg bd, omeprazole, grapefruit juice") gets
    each checked (bot/nurse/medications.py); one thing is a plain question."""
    if question.intent != INTERACTIONS_INTENT:
        return None
    checked = check_medications(question.text, KNOWLEDGE, VOCABULARY)
    # Two things in one part ("clarithromycin for a chest infection") are
    # one medicine and what it is for; a list has separate parts.
    if len(checked.items) < 2 or len(split_items(question.text)) < 2:
        return None
    tables = KNOWLEDGE.tables
    return Answer(
        report(checked, question.audience, KNOWLEDGE),
        follow_ups=tuple(KNOWLEDGE.cards[card] for card in tables.interaction_follow_ups),
        reason_card=tables.interactions_why_card,
    )


class ActionShowMenu(Action):
    """Offers the topics as buttons, and the other view (patient or nurse)."""

    def name(self) -> Text:
        return "action_show_menu"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events = tell_provenance_once(dispatcher, tracker)
        dispatcher.utter_message(text=KNOWLEDGE.messages["menu"], buttons=menu_buttons(tracker))
        return events


class ActionAnswerQuestion(Action):
    """Answers from a card or a table, in the person's view, with follow-ups."""

    def name(self) -> Text:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events = tell_provenance_once(dispatcher, tracker)
        question = question_from(tracker)
        reply = medication_check(question) or answer(question, KNOWLEDGE)
        buttons = [card_button(card, KNOWLEDGE) for card in reply.follow_ups]
        if audience(tracker) == NURSE:
            evidence = KNOWLEDGE.messages["evidence"]["button"]
            buttons.append({"title": evidence, "payload": "/show_evidence"})
        dispatcher.utter_message(text=reply.text, buttons=buttons)
        # "" (not None): something was answered, and the review gives no reason.
        return [*events, SlotSet("reason_card", reply.reason_card or "")]
