"""A patient's words stay in the conversation store: not in any log or other
file the servers write, which only their owner can read; and nothing typed
into a command is said back in the assistant's voice."""

import json
import os
import random
import stat
import uuid
from pathlib import Path

import requests
import yaml

from bot.channels import telegram, twilio
from bot.runtime import launcher
from tests.test_messaging import OUR_SMS_NUMBER, meta_signatures, twilio_signature
from tests.test_web_server import SocketChat, page_origin


def marked(marker: str) -> str:
    return f"my chest hurts and {marker} is my neighbour's name"


def through_rest(servers: launcher.Stack, marker: str) -> None:
    webhook = f"{servers.rasa.url}/webhooks/rest/webhook"
    sender = f"privacy-{uuid.uuid4()}"
    for message in (
        marked(marker),
        f"/greet {marked(marker)}",
        f"/{marker}",
        f'/greet{{"x": {marker}',
        f'/ask_side_effects{{"side_effect": "{marker}"}}',
        f'/ask_side_effects{{"{marker}": "nausea"}}',
        f"/greet@{marker}",
    ):
        requests.post(webhook, json={"sender": sender, "message": message}, timeout=60)
    bad_bodies = (
        f'{{"sender": "a", "message": "{marker}',  # not JSON
        json.dumps({"sender": f"{marker} with spaces", "message": marker}),
        json.dumps({"sender": "a", "message": marker * 5000}),  # over the limit
        json.dumps({"message": marker}),
    )
    for body in bad_bodies:
        requests.post(webhook, data=body, timeout=60)


def through_socket_io(servers: launcher.Stack, marker: str) -> None:
    chat = SocketChat(servers, page_origin(servers))
    try:
        chat.emit("session_request", {"session_id": marker})
        session_id = chat.next("session_confirm")
        for data in (
            {"message": marked(marker), "session_id": session_id},
            {"message": f"/greet {marker}", "session_id": session_id},
            {"message": marked(marker), "session_id": f"forged-{marker}"},
            {"message": [marker], "session_id": session_id},
            marker,
        ):
            chat.emit("user_uttered", data)
            chat.next("bot_uttered")
    finally:
        chat.close()


def through_messaging_apps(servers: launcher.Stack, marker: str) -> None:
    base = f"{servers.rasa.url}/webhooks"
    chat = {"id": random.randint(10**8, 10**9), "type": "private"}
    update = {"update_id": 1, "message": {"message_id": 1, "chat": chat, "date": 0}}
    update["message"]["text"] = marked(marker)
    for secret in (os.environ["TELEGRAM_SECRET_TOKEN"], "forged"):
        headers = {telegram.SECRET_HEADER: secret}
        requests.post(f"{base}/telegram/webhook", json=update, headers=headers, timeout=60)
    phone = f"+1555{random.randint(10**6, 10**7 - 1)}"
    form = {"From": phone, "To": OUR_SMS_NUMBER, "Body": marked(marker)}
    for signature in (twilio_signature(form), "forged"):
        headers = {twilio.SIGNATURE_HEADER: signature}
        requests.post(f"{base}/twilio/webhook", data=form, headers=headers, timeout=60)
    event = {"sender": {"id": "9" * 16}, "message": {"mid": "m", "text": marked(marker)}}
    body = json.dumps({"object": "page", "entry": [{"id": "1", "messaging": [event]}]}).encode()
    for headers in (meta_signatures(body), {}):
        headers = {"Content-Type": "application/json", **headers}
        requests.post(f"{base}/facebook/webhook", data=body, headers=headers, timeout=60)


def tracker_database(servers: launcher.Stack) -> Path:
    port = servers.rasa.url.rsplit(":", 1)[1]
    endpoints = servers.rasa.log_path.parent / f"endpoints-{port}.yml"
    return Path(yaml.safe_load(endpoints.read_text())["tracker_store"]["db"])


def test_no_log_or_other_file_holds_a_patients_words_and_none_is_readable_by_others(servers):
    marker = f"Zq{uuid.uuid4().hex[:12]}"
    through_rest(servers, marker)
    through_socket_io(servers, marker)
    through_messaging_apps(servers, marker)

    written = servers.rasa.log_path.parent  # every log and run file of the servers
    files = [path for path in written.rglob("*") if path.is_file()]
    assert {server.log_path for server in servers.servers()} <= set(files)
    holding = [path.name for path in files if marker in path.read_text(errors="replace")]
    assert holding == [], f"{marker} was written to {holding}"
    # The store itself has it, and is its owner's alone, like every file here.
    database = tracker_database(servers)
    assert marker.encode() in database.read_bytes()
    for path in [*files, database]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(written.stat().st_mode) == 0o700


def test_a_value_planted_in_a_command_is_not_said_back(say):
    planted = "<a href=https://win.example>claim your prize</a> call 0900 123 456"
    replies = say(f'/ask_side_effects{{"side_effect": "{planted}"}}')
    said = " ".join(reply.get("text", "") for reply in replies)
    assert said and "win.example" not in said and "0900" not in said


def test_restart_starts_afresh_with_a_greeting(say):
    greeting = say("/greet")[0]["text"]
    say("what is crizotinib?")
    assert say("/restart")[0]["text"] == greeting
