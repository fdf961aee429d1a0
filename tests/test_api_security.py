"""Rasa's HTTP API answers only with its token; the chat webhook stays public."""

import os
import uuid

import requests

from bot import serve


def test_a_tracker_cannot_be_read_or_rewritten_without_the_token(servers):
    sender = f"api-{uuid.uuid4()}"
    requests.post(f"{servers.rasa.url}/webhooks/rest/webhook",
                  json={"sender": sender, "message": "hello"}, timeout=60)
    tracker_url = f"{servers.rasa.url}/conversations/{sender}/tracker"
    assert requests.get(tracker_url, timeout=30).status_code == 401
    events_url = f"{servers.rasa.url}/conversations/{sender}/tracker/events"
    rewrite = requests.post(events_url, json=[{"event": "slot", "name": "audience",
                                               "value": "nurse"}], timeout=30)
    assert rewrite.status_code == 401
    token = os.environ[serve.API_TOKEN_ENV]
    tracker = requests.get(tracker_url, params={"token": token}, timeout=30)
    assert tracker.status_code == 200 and tracker.json()["sender_id"] == sender
