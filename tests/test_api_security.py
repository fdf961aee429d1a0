"""Rasa's HTTP API answers only with its token; the chat webhook stays public;
the tokens are kept out of sight."""

import uuid

import psutil
import requests

from bot.channels.identity import REST, conversation_key


def test_a_tracker_cannot_be_read_or_rewritten_without_the_token(servers):
    sender = f"api-{uuid.uuid4()}"
    requests.post(
        f"{servers.rasa.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "hello"},
        timeout=60,
    )
    key = conversation_key(REST, sender)
    tracker_url = f"{servers.rasa.url}/conversations/{key}/tracker"
    assert requests.get(tracker_url, timeout=30).status_code == 401
    events_url = f"{servers.rasa.url}/conversations/{key}/tracker/events"
    rewrite = requests.post(
        events_url, json=[{"event": "slot", "name": "audience", "value": "nurse"}], timeout=30
    )
    assert rewrite.status_code == 401
    token = servers.settings.api_token
    tracker = requests.get(tracker_url, params={"token": token}, timeout=30)
    assert tracker.status_code == 200 and tracker.json()["sender_id"] == key


def test_no_token_shows_in_the_process_list_or_on_disk(servers):
    tokens = [servers.settings.api_token, servers.settings.actions_token]
    for server in servers.servers():
        command_line = " ".join(psutil.Process(server.process.pid).cmdline())
        assert not any(token in command_line for token in tokens), server.name
    for written in servers.rasa.log_path.parent.glob("*.yml"):  # the run files too
        assert not any(token in written.read_text() for token in tokens), written.name
