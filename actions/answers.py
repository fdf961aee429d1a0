"""Actions that answer from the knowledge in content/.

They translate between Rasa and `bot.knowledge.answers`: the tracker becomes
a Question, the Answer becomes a message with follow-up buttons, and what a
follow-up needs ("why?", "how often is it severe?") is kept in slots.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Context, get_context
from bot.knowledge import Card, Knowledge
from bot.knowledge.answers import NURSE, PATIENT, Answer, Question, answer
from bot.names import Action as ActionName
from bot.names import Intent, Slot, payload
from bot.nurse.medications import check_medications, report, split_items

VIEW_INTENTS = {NURSE: Intent.SWITCH_TO_NURSE_VIEW, PATIENT: Intent.SWITCH_TO_PATIENT_VIEW}


def card_button(card: Card, knowledge: Knowledge) -> Dict[Text, Text]:
    """A button that asks for the card by its topic's intent, naming the card."""
    intent = knowledge.topic(card.topic).intents[0]
    return {"title": card.question, "payload": f'{payload(intent)}{{"card":"{card.id}"}}'}


def tell_provenance_once(
    dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge
) -> List[Dict]:
    """Says where the answers come from, before the first menu or answer."""
    if tracker.get_slot(Slot.PROVENANCE_TOLD):
        return []
    dispatcher.utter_message(text=knowledge.messages["provenance"])
    return [SlotSet(Slot.PROVENANCE_TOLD, True)]


def audience(tracker: Tracker) -> Text:
    return NURSE if tracker.get_slot(Slot.AUDIENCE) == NURSE else PATIENT


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
        last_side_effect=tracker.get_slot(Slot.SIDE_EFFECT),
        last_mutation=tracker.get_slot(Slot.MUTATION),
        reason_card=tracker.get_slot(Slot.REASON_CARD),
    )


def menu_buttons(tracker: Tracker, knowledge: Knowledge) -> List[Dict[Text, Text]]:
    """The topics, in the content file's order, then the other view."""
    buttons = [
        {"title": topic.title, "payload": payload(topic.intents[0])} for topic in knowledge.topics
    ]
    other_view = PATIENT if audience(tracker) == NURSE else NURSE
    buttons.append(
        {
            "title": knowledge.messages["view_buttons"][other_view],
            "payload": payload(VIEW_INTENTS[other_view]),
        }
    )
    return buttons


def medication_check(question: Question, context: Context) -> Optional[Answer]:
    """A question about interactions that lists two or more medicines or
    foods ("clarithromycin 500mg bd, omeprazole, grapefruit juice") gets
    each checked (bot/nurse/medications.py); one thing is a plain question."""
    if question.intent != Intent.ASK_INTERACTIONS:
        return None
    knowledge = context.knowledge
    checked = check_medications(question.text, knowledge, context.vocabulary)
    # Two things in one part ("clarithromycin for a chest infection") are
    # one medicine and what it is for; a list has separate parts.
    if len(checked.items) < 2 or len(split_items(question.text)) < 2:
        return None
    tables = knowledge.tables
    return Answer(
        report(checked, question.audience, knowledge),
        follow_ups=tuple(knowledge.cards[card] for card in tables.interaction_follow_ups),
        reason_card=tables.interactions_why_card,
    )


class ActionShowMenu(Action):
    """Offers the topics as buttons, and the other view (patient or nurse)."""

    def name(self) -> Text:
        return ActionName.SHOW_MENU

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        knowledge = get_context().knowledge
        events = tell_provenance_once(dispatcher, tracker, knowledge)
        dispatcher.utter_message(
            text=knowledge.messages["menu"], buttons=menu_buttons(tracker, knowledge)
        )
        return events


class ActionAnswerQuestion(Action):
    """Answers from a card or a table, in the person's view, with follow-ups."""

    def name(self) -> Text:
        return ActionName.ANSWER_QUESTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = get_context()
        knowledge = context.knowledge
        events = tell_provenance_once(dispatcher, tracker, knowledge)
        question = question_from(tracker)
        reply = medication_check(question, context) or answer(question, knowledge)
        buttons = [card_button(card, knowledge) for card in reply.follow_ups]
        if audience(tracker) == NURSE:
            evidence = knowledge.messages["evidence"]["button"]
            buttons.append({"title": evidence, "payload": payload(Intent.SHOW_EVIDENCE)})
        dispatcher.utter_message(text=reply.text, buttons=buttons)
        # "" (not None): something was answered, and the review gives no reason.
        return [*events, SlotSet(Slot.REASON_CARD, reply.reason_card or "")]
