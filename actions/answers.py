"""Actions that answer from the knowledge in content/.

They translate between Rasa and `bot.knowledge.answers`: the tracker becomes
a Question, the Answer becomes a message with follow-up buttons, and what a
follow-up needs ("why?", "how often is it severe?") is kept in slots.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import get_context
from bot.knowledge import Card, Knowledge
from bot.knowledge import answer_keys as keys
from bot.knowledge.answers import answer
from bot.knowledge.question import (
    NURSE,
    PATIENT,
    Answer,
    Question,
    known_values_only,
    named_as_history,
    named_in_order,
)
from bot.names import ANSWER_KEY, Intent, Slot, payload
from bot.names import Action as ActionName

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
    confidence = next(
        (
            float(ranked.get("confidence") or 0.0)
            for ranked in message.get("intent_ranking") or [message.get("intent") or {}]
            if ranked.get("name") == intent
        ),
        0.0,
    )
    text = message.get("text") or ""
    found = [
        (entity["entity"], str(entity["value"]), entity.get("start"), entity.get("end"))
        for entity in message.get("entities", [])
    ]
    if text.startswith("/"):
        found = known_values_only(found, get_context().vocabulary)
    entities, mentions = named_in_order(text, found)
    card_ids = entities.pop("card", [])
    selected = message.get(ANSWER_KEY) or {}
    ranking = [
        (str(item["name"]), float(item["confidence"])) for item in selected.get("ranking", [])
    ]
    return Question(
        intent=intent,
        text=text,
        intent_confidence=confidence,
        history=named_as_history(text, found),
        entities=entities,
        mentions=mentions,
        audience=audience(tracker),
        card_id=card_ids[0] if card_ids else None,
        last_side_effect=tracker.get_slot(Slot.SIDE_EFFECT),
        last_mutation=tracker.get_slot(Slot.MUTATION),
        last_trial=tracker.get_slot(Slot.TRIAL),
        reason_card=tracker.get_slot(Slot.REASON_CARD),
        ranking=ranking,
        last_answer=tracker.get_slot(Slot.LAST_ANSWER),
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
        reply = answer(question_from(tracker), context.knowledge, context.vocabulary)
        return send_answer(reply, dispatcher, tracker, context.knowledge)


class ActionAnswerEarlierQuestion(Action):
    """After "is this happening now?" was answered no: answers the message
    that made the assistant ask."""

    def name(self) -> Text:
        return ActionName.ANSWER_EARLIER_QUESTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        context = get_context()
        messages = [event for event in tracker.events if event.get("event") == "user"]
        if len(messages) < 2:
            return ActionShowMenu().run(dispatcher, tracker, domain)
        earlier = messages[-2].get("parse_data") or {}
        reply = answer(
            question_from(tracker, {**earlier, "text": messages[-2].get("text")}),
            context.knowledge,
            context.vocabulary,
        )
        return send_answer(reply, dispatcher, tracker, context.knowledge)


def send_answer(
    reply: Answer, dispatcher: CollectingDispatcher, tracker: Tracker, knowledge: Knowledge
) -> List[Dict[Text, Any]]:
    """The answer with its follow-up buttons, and what a follow-up needs.
    Off-topic, it says what it can help with and shows the topics."""
    events = tell_provenance_once(dispatcher, tracker, knowledge)
    if reply.key == keys.OUT_OF_SCOPE:
        dispatcher.utter_message(text=reply.text)
        dispatcher.utter_message(
            text=knowledge.messages["menu"], buttons=menu_buttons(tracker, knowledge)
        )
        return [*events, SlotSet(Slot.LAST_ANSWER, keys.OUT_OF_SCOPE)]
    buttons = [card_button(card, knowledge) for card in reply.follow_ups]
    if audience(tracker) == NURSE:
        evidence = knowledge.messages["evidence"]["button"]
        buttons.append({"title": evidence, "payload": payload(Intent.SHOW_EVIDENCE)})
    dispatcher.utter_message(text=reply.text, buttons=buttons)
    # "" (not None): something was answered, and the review gives no reason.
    return [
        *events,
        SlotSet(Slot.REASON_CARD, reply.reason_card or ""),
        SlotSet(Slot.LAST_ANSWER, reply.key),
    ]
