"""Custom actions, run directly with rasa-sdk's tracker and dispatcher."""

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerQuestion, ActionShowMenu
from bot.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()
PROVENANCE = KNOWLEDGE.messages["provenance"]


def tracker_after(intent: str, entities=(), text="a question", **slots) -> Tracker:
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "intent_ranking": [{"name": intent, "confidence": 0.99}],
        "entities": [{"entity": name, "value": value} for name, value in entities],
    }
    return Tracker("someone", slots, latest_message, [], False, None, {}, "action_listen")


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def test_menu_offers_every_topic_then_the_nurse_view():
    [provenance, menu], events = run(ActionShowMenu(), tracker_after("greet"))
    assert provenance["text"] == PROVENANCE and SlotSet("provenance_told", True) in events
    assert menu["text"] == KNOWLEDGE.messages["menu"]
    assert [(b["title"], b["payload"]) for b in menu["buttons"]] == [
        *((topic.title, f"/{topic.intents[0]}") for topic in KNOWLEDGE.topics),
        (KNOWLEDGE.messages["view_buttons"]["nurse"], "/switch_to_nurse_view"),
    ]


def test_a_nurse_is_offered_plain_language_instead():
    [menu], _ = run(ActionShowMenu(), tracker_after("ask_menu", audience="nurse",
                                                    provenance_told=True))
    assert menu["buttons"][-1]["payload"] == "/switch_to_patient_view"


def test_provenance_is_said_once_before_the_first_answer():
    messages, _ = run(ActionAnswerQuestion(), tracker_after("ask_crizotinib"))
    assert [m["text"] for m in messages][0] == PROVENANCE
    messages, _ = run(ActionAnswerQuestion(), tracker_after("ask_crizotinib", provenance_told=True))
    assert PROVENANCE not in [m["text"] for m in messages]


def test_an_answer_offers_its_follow_ups_as_buttons_naming_the_card():
    card = KNOWLEDGE.card("what_alk_positive_means")
    [message], _ = run(ActionAnswerQuestion(), tracker_after("ask_alk_testing",
                                                              provenance_told=True))
    assert message["text"].startswith(card.patient)
    titles = [b["title"] for b in message["buttons"]]
    assert titles == [KNOWLEDGE.card(i).question for i in card.follow_ups]
    follow_up = KNOWLEDGE.card(card.follow_ups[0])
    intent = KNOWLEDGE.topic(follow_up.topic).intents[0]
    assert message["buttons"][0]["payload"] == f'/{intent}{{"card":"{follow_up.id}"}}'


def test_the_nurse_view_and_remembered_entities_come_from_slots():
    tracker = tracker_after("ask_how_often", [("severity", "grade 3-4")], audience="nurse",
                            side_effect="fatigue", provenance_told=True)
    [message], _ = run(ActionAnswerQuestion(), tracker)
    assert message["text"].startswith("Fatigue, Table 2")


def test_the_reason_card_is_kept_for_a_why_and_cleared_when_there_is_none():
    _, events = run(ActionAnswerQuestion(), tracker_after(
        "ask_interactions", [("drug", "rifampicin")], provenance_told=True))
    assert SlotSet("reason_card", KNOWLEDGE.tables.interactions_why_card) in events
    _, events = run(ActionAnswerQuestion(), tracker_after(
        "ask_side_effects", [("side_effect", "nausea")], provenance_told=True))
    assert SlotSet("reason_card", "") in events
