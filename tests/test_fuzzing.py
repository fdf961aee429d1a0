"""Property-based fuzzing of what people and programs can send (Hypothesis).

REST bodies and socket.io events of every shape (random Unicode, JSON of any
shape, "/" commands with random JSON, huge and empty values) sent to the
running servers: never a server error, never silence, never another
conversation's words, and an emergency planted anywhere in a message still
gets the urgent reply. Derandomized, so CI runs the same examples each time.
"""

import json
import uuid

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.channels.rest import MAX_MESSAGE_CHARS
from bot.knowledge.clinic import load_clinic
from bot.names import Intent
from bot.settings import Settings
from tests.test_web_server import SocketChat, page_origin

FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Said in one conversation before the fuzzing: it must never reach another.
CANARY = "my name is Canary Q. Whitlock and my MRN is 55501234"
EMERGENCIES = (
    "I can't breathe",
    "my chest is crushing and my left arm is numb",
    "I am coughing up blood right now",
    "I want to kill myself tonight",
)
# Noise around a planted emergency: no words, so none can change its meaning.
NOISE = st.text(st.sampled_from(list("0123456789 .,!;:-_()[]*#@~/😀🙏\u200b\n\t")), max_size=40)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
# This assistant's intents the code names, and Rasa's own.
INTENTS = [value for name, value in vars(Intent).items() if name.isupper()]
INTENTS += ["restart", "session_start", "back", "nlu_fallback"]
entity_names = st.sampled_from(["side_effect", "drug", "card", "trial"]) | st.text(max_size=10)
commands = st.builds(
    lambda intent, entities, rest: f"/{intent}{json.dumps(entities)}{rest}",
    st.sampled_from(INTENTS) | st.text(max_size=20),
    st.dictionaries(entity_names, json_values, max_size=3),
    st.text(max_size=30),
)
messages = st.one_of(
    st.text(max_size=300),
    commands,
    st.sampled_from(["", " ", "\n", "\x00", "/", "/restart", "2"]),
    st.integers(MAX_MESSAGE_CHARS - 2, MAX_MESSAGE_CHARS + 2).map(lambda n: "é" * n),
)
senders = st.one_of(
    st.uuids().map(str), st.text(max_size=150), st.integers(), st.just("x" * 10_000), json_values
)
rest_bodies = st.one_of(
    st.fixed_dictionaries(
        {"sender": senders, "message": messages}, optional={"metadata": json_values}
    ),
    json_values.map(json.dumps),
    st.binary(max_size=200),
)
socket_io_data = st.one_of(
    json_values.map(lambda value: (value, False)),
    st.tuples(st.builds(dict, message=messages | json_values), st.booleans()),
)


def said(replies) -> str:
    return " ".join(str(reply.get("text", "")) for reply in replies)


@pytest.fixture(scope="module")
def rest(servers):
    webhook = f"{servers.rasa.url}/webhooks/rest/webhook"
    canary = requests.post(webhook, json={"sender": "canary", "message": CANARY}, timeout=60)
    assert canary.status_code == 200

    def post(body) -> requests.Response:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return requests.post(webhook, data=data, timeout=120)

    return post


@settings(FUZZ, max_examples=150)
@given(body=rest_bodies)
def test_any_rest_body_gets_an_answer_or_a_clear_error(rest, body):
    response = rest(body)
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 200:
        replies = response.json()
        assert replies and all(reply.get("text") or reply.get("buttons") for reply in replies)
        assert "Whitlock" not in said(replies)
    else:
        assert response.json()["error"]


@settings(FUZZ, max_examples=60)
@given(
    emergency=st.sampled_from(EMERGENCIES),
    before=NOISE,
    after=NOISE,
    intent=st.none() | st.sampled_from(INTENTS),
    entities=st.dictionaries(entity_names, json_values, max_size=2),
)
def test_an_emergency_planted_anywhere_in_a_message_still_gets_the_urgent_reply(
    rest, emergency, before, after, intent, entities
):
    command = f"/{intent}{json.dumps(entities)} " if intent else ""
    # Apart from the noise by a space: "breathe0" is no word anyone types.
    message = f"{command}{before} {emergency} {after}"
    response = rest({"sender": f"fuzz-{uuid.uuid4()}", "message": message})
    assert response.status_code == 200
    assert load_clinic(Settings()).emergency_number in said(response.json()), message


@pytest.fixture(scope="module")
def socket_chat(servers):
    chat = SocketChat(servers, page_origin(servers))
    yield chat
    chat.close()


# Not shrunk: each failing example waits for a reply that never comes.
@settings(FUZZ, max_examples=40, phases=[Phase.explicit, Phase.generate])
@given(data_and_own_session=socket_io_data, forged_session=st.text(max_size=70))
def test_any_socket_io_message_gets_a_reply(socket_chat, data_and_own_session, forged_session):
    data, own_session = data_and_own_session
    # A new session for each example: the last one's late replies go to a
    # room this socket has left.
    socket_chat.emit("session_request", {"session_id": None})
    while (confirmed := socket_chat.events.get(timeout=30))[0] != "session_confirm":
        pass
    if isinstance(data, dict):
        data["session_id"] = confirmed[1] if own_session else forged_session
    socket_chat.emit("user_uttered", data)
    reply = socket_chat.next("bot_uttered")
    assert reply.get("text") or reply.get("quick_replies")
    assert "Whitlock" not in str(reply)
