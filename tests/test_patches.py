"""Rasa with bot/rasa_ext/patches.py applied judges action server replies exactly
as before and fails a message when the conversation store fails, and a patch
refuses to apply to a Rasa it was not written for."""

import asyncio
import logging

import pytest
import sqlalchemy
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext import patches

VALID_REPLY = {
    "events": [{"event": "slot", "name": "side_effect", "value": "diarrhea"}],
    "responses": [{"text": "About 6 in 10 people had diarrhea."}],
}
INVALID_REPLY = {"events": [{"event": "slot", "name": 3}], "responses": "not a list"}
WORDS = "I have been coughing up blood since this morning"


@pytest.fixture(scope="module")
def action():
    rasa_validate = RemoteAction._validate_action_result
    patches.apply()
    assert RemoteAction._validate_action_result is not rasa_validate
    yield RemoteAction("action_answer_question", None)
    RemoteAction._validate_action_result = rasa_validate


def test_a_valid_reply_passes(action):
    assert action._validate_action_result(VALID_REPLY) is True


def test_an_invalid_reply_fails_with_rasas_own_message(action):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(INVALID_REPLY)


def test_every_patch_fits_the_installed_rasa():
    import rasa

    for patch in patches.PATCHES:
        patches.check(patch, rasa.__version__)


def test_another_rasa_version_is_refused_naming_the_patch():
    patch = patches.PATCHES[0]
    with pytest.raises(patches.PatchError, match=patch.name):
        patches.check(patch, "3.7.0")


def test_a_missing_attribute_is_refused_naming_it():
    missing = ("rasa.core.actions.action", "RemoteAction", "no_such_method")
    patch = patches.Patch("a stale patch", (missing,), lambda: None)
    with pytest.raises(patches.PatchError, match="a stale patch.*no_such_method"):
        patches.check(patch, "3.6.21")


@pytest.fixture
def failing_store(tmp_path):
    """The store Rasa's agent would use, over a SQLite database with no table."""
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    rasa_create = Agent.__dict__["_create_tracker_store"]  # the staticmethod itself
    patches.fail_when_the_store_fails()
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "conversations.db"))
    with store.engine.begin() as connection:
        connection.execute(sqlalchemy.text("DROP TABLE events"))
    yield Agent._create_tracker_store(store, Domain.empty())
    Agent._create_tracker_store = rasa_create


def test_a_store_that_fails_fails_the_message_and_logs_no_words(failing_store, caplog):
    # Rasa would answer from a blank conversation, keep the turn in memory,
    # and log the SQL statement's parameters: the person's words.
    tracker = DialogueStateTracker.from_events("someone", [UserUttered(WORDS)])
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(patches.StoreFailure):
            asyncio.run(failing_store.retrieve("someone"))
        with pytest.raises(patches.StoreFailure):
            asyncio.run(failing_store.save(tracker))
    assert "The conversation store failed: OperationalError (no such table: events)" in caplog.text
    assert WORDS not in caplog.text
