"""Custom actions, run directly with rasa-sdk's tracker and dispatcher."""

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerQuestion, ActionShowMenu
from bot.knowledge import load_knowledge

KNOWLEDGE = load_knowledge()


def tracker_after(intent: str, entities=()) -> Tracker:
    latest_message = {
        "text": "a question",
        "intent": {"name": intent, "confidence": 0.99},
        "intent_ranking": [{"name": intent, "confidence": 0.99}],
        "entities": [{"entity": name, "value": value} for name, value in entities],
    }
    return Tracker("someone", {}, latest_message, [], False, None, {}, "action_listen")


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    assert events == []
    return dispatcher.messages


def test_menu_offers_every_topic_in_order():
    [message] = run(ActionShowMenu(), tracker_after("greet"))
    assert message["text"] == KNOWLEDGE.menu_prompt
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == [
        (topic.title, f"/{topic.intent}") for topic in KNOWLEDGE.topics
    ]


def test_each_topic_is_answered_with_its_card():
    for topic in KNOWLEDGE.topics:
        [message] = run(ActionAnswerQuestion(), tracker_after(topic.intent))
        assert message["text"] == KNOWLEDGE.card(topic.card).patient


def test_an_answer_offers_its_follow_ups_as_buttons_naming_the_card():
    card = KNOWLEDGE.card("what_alk_positive_means")
    [message] = run(ActionAnswerQuestion(), tracker_after("ask_alk_testing"))
    assert [b["title"] for b in message["buttons"]] == [
        KNOWLEDGE.card(i).question for i in card.follow_ups
    ]
    assert message["buttons"][0]["payload"] == '/ask_alk_testing{"card":"how_alk_is_found"}'


def test_a_follow_up_button_gets_the_card_it_names():
    tracker = tracker_after("ask_crizotinib", [("card", "trial_dose")])
    [message] = run(ActionAnswerQuestion(), tracker)
    assert message["text"] == KNOWLEDGE.card("trial_dose").patient


def test_an_unknown_card_or_topic_says_the_review_does_not_cover_it():
    for tracker in (
        tracker_after("ask_crizotinib", [("card", "no_such_card")]),
        tracker_after("greet"),
    ):
        [message] = run(ActionAnswerQuestion(), tracker)
        assert message["text"] == KNOWLEDGE.not_covered
        assert "care team" in message["text"]
