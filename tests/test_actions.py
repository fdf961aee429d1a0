"""Custom actions, run directly with rasa-sdk's tracker and dispatcher."""

from dataclasses import replace

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import safety
from actions.answers import ActionAnswerQuestion, ActionShowMenu
from actions.context import get_context
from actions.safety import ActionHandOff, ActionRespondToFallback
from actions.session import ActionSessionStart
from bot.knowledge import load_knowledge
from bot.knowledge.clinic import Clinic

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
    [menu], _ = run(
        ActionShowMenu(), tracker_after("ask_menu", audience="nurse", provenance_told=True)
    )
    assert menu["buttons"][-1]["payload"] == "/switch_to_patient_view"


def test_provenance_is_said_once_before_the_first_answer():
    messages, _ = run(ActionAnswerQuestion(), tracker_after("ask_crizotinib"))
    assert [m["text"] for m in messages][0] == PROVENANCE
    messages, _ = run(ActionAnswerQuestion(), tracker_after("ask_crizotinib", provenance_told=True))
    assert PROVENANCE not in [m["text"] for m in messages]


def test_an_answer_offers_its_follow_ups_as_buttons_naming_the_card():
    card = KNOWLEDGE.card("what_alk_positive_means")
    [message], _ = run(
        ActionAnswerQuestion(), tracker_after("ask_alk_testing", provenance_told=True)
    )
    assert message["text"].startswith(card.patient)
    titles = [b["title"] for b in message["buttons"]]
    assert titles == [KNOWLEDGE.card(i).question for i in card.follow_ups]
    follow_up = KNOWLEDGE.card(card.follow_ups[0])
    intent = KNOWLEDGE.topic(follow_up.topic).intents[0]
    assert message["buttons"][0]["payload"] == f'/{intent}{{"card":"{follow_up.id}"}}'


def test_the_nurse_view_and_remembered_entities_come_from_slots():
    tracker = tracker_after(
        "ask_how_often",
        [("severity", "grade 3-4")],
        audience="nurse",
        side_effect="fatigue",
        provenance_told=True,
    )
    [message], _ = run(ActionAnswerQuestion(), tracker)
    assert message["text"].startswith("Fatigue, Table 2")


def test_the_reason_card_is_kept_for_a_why_and_cleared_when_there_is_none():
    _, events = run(
        ActionAnswerQuestion(),
        tracker_after("ask_interactions", [("drug", "rifampicin")], provenance_told=True),
    )
    assert SlotSet("reason_card", KNOWLEDGE.tables.interactions_why_card) in events
    _, events = run(
        ActionAnswerQuestion(),
        tracker_after("ask_side_effects", [("side_effect", "nausea")], provenance_told=True),
    )
    assert SlotSet("reason_card", "") in events


def user_event(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def tracker_with(events, **slots) -> Tracker:
    latest = events[-1]
    return Tracker(
        "someone",
        slots,
        {**latest["parse_data"], "text": latest["text"], "entities": []},
        events,
        False,
        None,
        {},
        "action_listen",
    )


def test_the_first_fallback_shows_the_topics_and_the_second_offers_a_nurse():
    once = tracker_with([user_event("hi", "greet"), user_event("zzz", "nlu_fallback")])
    [rephrase, menu], _ = run(ActionRespondToFallback(), once)
    assert rephrase["text"] == KNOWLEDGE.messages["fallback"]["rephrase"] and menu["buttons"]
    twice = tracker_with(
        [user_event("zzz", "nlu_fallback"), user_event("weather?", "out_of_scope")]
    )
    [offer], _ = run(ActionRespondToFallback(), twice)
    assert offer["buttons"][0]["payload"] == "/request_handoff"
    # A message answered as off-topic was not understood either.
    off_topic = {"event": "slot", "name": "last_answer", "value": "out_of_scope"}
    after_off_topic = tracker_with(
        [user_event("blorp", "ask_progression"), off_topic, user_event("cricket?", "out_of_scope")]
    )
    [offer], _ = run(ActionRespondToFallback(), after_off_topic)
    assert offer["buttons"][0]["payload"] == "/request_handoff"


def test_without_a_clinic_webhook_the_handoff_says_how_to_reach_the_clinic(monkeypatch):
    context = get_context()
    clinic = Clinic(
        emergency_number="911",
        urgent_contact="the urgent line",
        crisis_line="988",
        clinic_contact="the Lung Clinic on 555 0100",
    )
    without_webhook = replace(
        context, clinic=clinic, settings=replace(context.settings, handoff_url=None)
    )
    monkeypatch.setattr(safety, "get_context", lambda: without_webhook)
    events = [
        user_event("what is crizotinib", "ask_crizotinib"),
        user_event("my eyes have gone yellow", "report_emergency"),
        user_event("can you renew my parking permit", "out_of_scope"),
        user_event("/request_handoff", "request_handoff"),
    ]
    [unavailable, summary], _ = run(ActionHandOff(), tracker_with(events))
    assert "the Lung Clinic on 555 0100" in unavailable["text"]
    assert summary["text"] == (
        "Topics asked about: What crizotinib does.\n"
        "Red flags raised: yellow skin or eyes, or dark urine (the liver).\n"
        'Open question: "can you renew my parking permit"'
    )


def test_a_conversation_starts_with_the_clinics_details_in_its_slots():
    tracker = tracker_after("greet", audience="nurse")
    events = ActionSessionStart().run(
        CollectingDispatcher(),
        tracker,
        {"session_config": {"carry_over_slots_to_new_session": True}},
    )
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots == {"audience": "nurse", **get_context().clinic.as_dict()}
