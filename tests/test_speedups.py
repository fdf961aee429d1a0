"""Rasa with bot/speedups.py applied judges action server replies exactly as before."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import speedups

VALID_REPLY = {
    "events": [{"event": "slot", "name": "side_effect", "value": "diarrhea"}],
    "responses": [{"text": "About 6 in 10 people had diarrhea."}],
}
INVALID_REPLY = {"events": [{"event": "slot", "name": 3}], "responses": "not a list"}


@pytest.fixture(scope="module")
def action():
    rasa_validate = RemoteAction._validate_action_result
    speedups.check_action_schema_once()
    assert RemoteAction._validate_action_result is not rasa_validate
    yield RemoteAction("action_answer_question", None)
    RemoteAction._validate_action_result = rasa_validate


def test_a_valid_reply_passes(action):
    assert action._validate_action_result(VALID_REPLY) is True


def test_an_invalid_reply_fails_with_rasas_own_message(action):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(INVALID_REPLY)
