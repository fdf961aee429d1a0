"""Conversation keys and signed web session ids (bot/channels/identity.py),
and the launcher's secrets and private files (bot/runtime/launcher.py)."""

import asyncio
import stat
from pathlib import Path

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.identity import (
    REST,
    TWILIO,
    SessionIds,
    conversation_key,
    keyed_by_channel,
)
from bot.knowledge.question import known_values_only
from bot.nlp.vocabulary import load_vocabulary
from bot.runtime import launcher
from bot.settings import Settings


def test_each_channel_files_its_conversations_under_its_own_keys():
    assert conversation_key(TWILIO, "whatsapp:+15550001234") == "twilio:whatsapp:+15550001234"
    # A REST caller naming another channel's key names a REST conversation.
    assert conversation_key(REST, "twilio:+15550001234") == "rest:twilio:+15550001234"


def test_a_keyed_message_is_filed_under_the_key_and_answered_to_the_sender():
    filed_under = []

    async def handler(message: UserMessage) -> None:
        filed_under.append(message.sender_id)
        await message.output_channel.send_response(message.sender_id, {"text": "hello"})

    channel = CollectingOutputChannel()
    asyncio.run(keyed_by_channel(TWILIO, handler)(UserMessage("hi", channel, "+15550001234")))
    assert filed_under == ["twilio:+15550001234"]
    assert [message["recipient_id"] for message in channel.messages] == ["+15550001234"]


def test_a_session_id_verifies_only_as_issued_and_with_its_secret():
    ids = SessionIds("a secret")
    issued = ids.issue()
    session = ids.verified(issued)
    assert session and issued.startswith(session) and session != issued
    assert ids.issue() != issued
    session_part, signature = issued.split(".")
    forged = issued[:-1] + ("1" if issued.endswith("0") else "0")
    for wrong in (forged, session_part, f"{'a' * 32}.{signature}", "", None, 42, "é" * 65):
        assert ids.verified(wrong) is None, wrong
    assert SessionIds("another secret").verified(issued) is None


def test_a_commands_entities_keep_only_values_the_vocabulary_knows():
    vocabulary = load_vocabulary()
    found = [
        ("side_effect", "nausea", None, None),
        ("side_effect", "<a href=https://x.example>call 0900 123</a>", None, None),
        ("card", "how_soon", None, None),  # not a vocabulary entity: checked elsewhere
    ]
    assert known_values_only(found, vocabulary) == [found[0], found[2]]


def test_make_run_makes_up_the_secrets_nobody_set(tmp_path):
    generated = launcher.with_generated_secrets(Settings(), tmp_path, only=None)
    assert generated.actions_token and generated.session_secret
    again = launcher.with_generated_secrets(Settings(), tmp_path, only=None)
    # The action server's token is new at each launch; the session secret
    # is the install's, so a web chat survives a restart.
    assert again.actions_token != generated.actions_token
    assert again.session_secret == generated.session_secret
    assert stat.S_IMODE((tmp_path / "session-secret").stat().st_mode) == 0o600
    chosen = Settings(actions_token="chosen", session_secret="chosen too")
    assert launcher.with_generated_secrets(chosen, tmp_path, only=None) == chosen


def test_beyond_the_embedded_default_rest_and_sessions_need_their_secrets(tmp_path: Path):
    with pytest.raises(launcher.ServerError, match="ALK_SESSION_SECRET and ALK_REST_TOKEN"):
        launcher.start(
            rasa_port=launcher.free_port(),
            endpoints=launcher.PROJECT_ROOT / "endpoints.production.yml",
            only="rasa",
            settings=Settings(),
            log_dir=tmp_path,
            run_dir=tmp_path,
        )


def test_run_files_are_written_for_their_owner_alone(tmp_path):
    written = launcher.write_credentials(Settings(), tmp_path / "run" / "credentials.yml")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
