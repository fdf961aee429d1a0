"""Bad input and failures get a clear answer, and the server keeps serving."""

import json
import uuid

import pytest
import requests

from bot.channels.replies import IF_URGENT, UNAVAILABLE_REPLY
from bot.channels.rest import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS
from bot.knowledge import load_knowledge


def assert_still_serving(say):
    menu = say("hello")[-1]
    assert menu["text"] == load_knowledge().messages["menu"]


def test_an_empty_message_is_answered_with_a_rephrase_then_an_offer_of_a_nurse(say):
    rephrase, *_, menu = say("")
    assert "say it another way" in rephrase["text"]
    assert menu["buttons"]
    [offer] = say("   \n ")
    assert "pass your question to a nurse" in offer["text"] and offer["buttons"]
    assert_still_serving(say)


def test_a_10000_character_message_is_answered(say):
    story = "Since last week my ankles are swollen and I feel tired all day. "
    message = (story * 200)[:10_000]
    assert len(message) == 10_000
    replies = say(message)
    assert replies and all(reply.get("text") for reply in replies)
    assert_still_serving(say)


def test_odd_unicode_is_answered(say):
    replies = say("é😀\u200b\u202e ٢ 🤷‍♀️ diarrhœa?")
    assert replies and replies[0]["text"]
    assert_still_serving(say)


@pytest.mark.parametrize(
    "body, status, complaint",
    [
        ('{"sender": "a", "message": ', 400, "not valid JSON"),
        ("[1, 2]", 400, "must be a JSON object"),
        ('{"message": "hi"}', 400, '"sender" is missing'),
        ('{"sender": "  ", "message": "hi"}', 400, '"sender" is missing'),
        ('{"sender": "a", "message": 42}', 400, '"message" must be text'),
        ('{"sender": "a"}', 400, '"message" must be text'),
        ('{"sender": "a", "message": "%s"}' % ("x" * (MAX_MESSAGE_CHARS + 1)), 413, "limit"),
        ('{"sender": "%s", "message": "hi"}' % ("a" * (MAX_SENDER_CHARS + 1)), 400, "sender"),
        ('{"sender": "a\\u0000b", "message": "hi"}', 400, '"sender" must be'),
        ('{"sender": "<script>", "message": "hi"}', 400, '"sender" must be'),
    ],
)
def test_a_malformed_request_gets_an_http_error_saying_what_is_wrong(
    webhook, say, body, status, complaint
):
    response = requests.post(webhook, data=body, timeout=30)
    assert response.status_code == status
    assert complaint in response.json()["error"]
    assert_still_serving(say)


def test_a_body_over_a_megabyte_is_refused_before_it_is_read(webhook, say):
    padding = "x" * 1_100_000  # outside the message: only the body's size is wrong
    body = json.dumps({"sender": "a", "message": "hi", "metadata": {"padding": padding}})
    assert requests.post(webhook, data=body, timeout=60).status_code == 413
    assert_still_serving(say)


def test_a_message_too_long_to_read_still_says_where_to_turn_if_urgent(webhook):
    # The assistant cannot check an unread message for an emergency.
    body = {"sender": "a", "message": "I can't breathe. " * 2000}
    response = requests.post(webhook, json=body, timeout=30)
    assert response.status_code == 413 and IF_URGENT in response.json()["error"]


def test_a_stopped_action_server_gets_an_apology_not_silence(servers, say, webhook):
    servers.actions.stop()
    try:
        replies = say("what are the side effects of crizotinib?")
        assert [reply["text"] for reply in replies] == [UNAVAILABLE_REPLY]
        # Answers that need no action still work.
        assert "Take care" in say("goodbye")[0]["text"]
        # So does the urgent reply, even for a conversation whose start
        # could not set the clinic's numbers: it is worded without them.
        sender = {"sender": f"new-{uuid.uuid4()}", "message": "I have chest pain right now"}
        urgent = requests.post(webhook, json=sender, timeout=60).json()
        said = " ".join(reply.get("text") or "" for reply in urgent)
        assert "This could be an emergency" in said and "local emergency number" in said
    finally:
        servers.actions = servers.actions.restarted()
        servers.actions.wait_until_ready(timeout=120)
    side_effects = load_knowledge().card("common_side_effects").patient
    assert say("what are the side effects?")[-1]["text"].startswith(side_effects)
