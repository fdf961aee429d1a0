"""The safety policy: urgent replies whatever the intent, with the rules the
model was trained with, and no patient's words kept in memory."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.rasa_ext import safety_policy
from bot.rasa_ext.safety_policy import SafetyPolicy, safety_actions
from bot.safety.detector import load_detector
from bot.safety.rules import load_rules


def test_the_safety_policy_escalates_red_flags_whatever_the_intent():
    detector = load_detector()
    assert safety_actions(detector, "my lips are swelling", "greet") == ("utter_emergency",)
    assert safety_actions(detector, "i want to die, i took all my pills", None) == (
        "utter_emergency",
        "utter_crisis",
    )
    assert safety_actions(detector, "what is crizotinib?", "ask_crizotinib") == ()


def test_a_soft_sign_is_asked_about_before_anything_is_escalated():
    detector = load_detector()
    assert safety_actions(detector, "I feel like a burden on my family", None) == (
        "utter_ask_if_crisis",
    )


def test_someone_else_in_danger_gets_the_replies_for_a_helper():
    detector = load_detector()
    assert safety_actions(detector, "my dad has collapsed", None) == (
        "utter_emergency_for_someone",
    )
    assert safety_actions(detector, "my son says he wants to kill himself", None) == (
        "utter_crisis_for_someone",
    )
    # Anyone at risk who is the writer gets the reply spoken to them.
    assert safety_actions(detector, "my wife is out and I can't breathe", None) == (
        "utter_emergency",
    )


def test_the_classifier_net_is_overruled_only_by_a_general_question():
    detector = load_detector()
    # The classifier's report_emergency stands (its rule asks whether it is
    # happening now) unless nothing in the message points at a person or at now.
    assert safety_actions(detector, "what is anaphylaxis?", "report_emergency") == (
        "action_answer_question",
    )
    assert (
        safety_actions(detector, "something awful is happening to my dad", "report_emergency") == ()
    )


@pytest.fixture()
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def _policy(storage, **kwargs) -> SafetyPolicy:
    context = ExecutionContext(GraphSchema({}), "test")
    return SafetyPolicy(
        SafetyPolicy.get_default_config(), storage, Resource("safety"), context, **kwargs
    )


def test_the_model_keeps_the_rules_it_was_trained_with(storage):
    trained = _policy(storage)
    trained.train([], domain=None)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = SafetyPolicy.load(
        SafetyPolicy.get_default_config(), storage, Resource("safety"), context
    )
    assert loaded.rules == load_rules()


def test_a_changed_safety_file_changes_the_fingerprint(monkeypatch, tmp_path):
    before = SafetyPolicy.fingerprint_addon({})
    changed = tmp_path / "safety.yml"
    changed.write_text(safety_policy.Path(safety_policy.SAFETY_PATH).read_text() + "\n# changed\n")
    monkeypatch.setattr(safety_policy, "SAFETY_PATH", changed)
    assert SafetyPolicy.fingerprint_addon({}) != before


def test_the_reading_cache_holds_digests_not_words(storage):
    policy = _policy(storage)
    words = "i have chest pain since this morning"
    assert policy._actions_for(words, "report_emergency", "") == ("utter_emergency",)
    assert policy._actions_for(words, "report_emergency", "") == ("utter_emergency",)
    assert len(policy._readings) == 1
    assert not any(words in str(key) for key in policy._readings)


def test_a_reply_is_read_with_the_messages_before_it(storage):
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [
        UserUttered("my pulse was 62 this morning, is that ok"),
        BotUttered("..."),
        UserUttered("what number would be too low"),
        BotUttered("..."),
        ActionExecuted("action_listen"),
        UserUttered("its 39 now"),
    ]
    tracker = DialogueStateTracker.from_events("someone", events)
    policy = _policy(storage)
    message = tracker.latest_message
    earlier = safety_policy._messages_before(tracker, message)
    assert earlier.splitlines() == [
        "my pulse was 62 this morning, is that ok",
        "what number would be too low",
    ]
    assert policy._actions_for(message.text, None, earlier) == ("utter_emergency",)
    assert policy._actions_for(message.text, None, "") == ()
