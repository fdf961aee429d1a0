"""Actions that answer from the knowledge base in content/cards.yml."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import Card, Knowledge, load_knowledge

# Read when the action server starts: a broken content file stops it with the
# reason, instead of failing in the middle of someone's conversation.
KNOWLEDGE = load_knowledge()


def card_button(card: Card, knowledge: Knowledge) -> Dict[Text, Text]:
    """A button that asks for the card by its topic's intent, naming the card."""
    intent = knowledge.topic(card.topic).intent
    return {"title": card.question, "payload": f'/{intent}{{"card":"{card.id}"}}'}


def requested_card(tracker: Tracker, knowledge: Knowledge) -> Optional[Card]:
    """The card a follow-up button names, else the one for the asked topic."""
    card_id = next(tracker.get_latest_entity_values("card"), None)
    if card_id:
        return knowledge.card(card_id)
    topic = knowledge.topic_for_intent(tracker.get_intent_of_latest_message())
    return knowledge.card(topic.card) if topic else None


class ActionShowMenu(Action):
    """Offers the topics as buttons, in the order the content file lists them."""

    def name(self) -> Text:
        return "action_show_menu"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        buttons = [
            {"title": topic.title, "payload": f"/{topic.intent}"}
            for topic in KNOWLEDGE.topics
        ]
        dispatcher.utter_message(text=KNOWLEDGE.menu_prompt, buttons=buttons)
        return []


class ActionAnswerQuestion(Action):
    """Answers with one card in plain language, offering its follow-ups."""

    def name(self) -> Text:
        return "action_answer_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        card = requested_card(tracker, KNOWLEDGE)
        if card is None:
            dispatcher.utter_message(text=KNOWLEDGE.not_covered)
            return []
        buttons = [card_button(KNOWLEDGE.cards[i], KNOWLEDGE) for i in card.follow_ups]
        dispatcher.utter_message(text=card.patient, buttons=buttons)
        return []
