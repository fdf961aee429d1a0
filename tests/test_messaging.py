"""Telegram, Twilio (SMS and WhatsApp) and Facebook Messenger, end to end.

Each test posts the app's real webhook payload, signed as the app signs it,
to the running Rasa server, and reads what the assistant sent back from the
calls it made to the app's API (a local receiver, `messaging_apis`). The
expected reply is what the REST channel answers the same conversation, so
every channel is checked to give the grounded answer, in its own format.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import time
import uuid
from typing import Callable, Dict, List, Tuple

import pytest
import requests
from twilio.request_validator import RequestValidator

from bot.channels import choices, messenger, telegram, twilio
from bot.channels.identity import TELEGRAM, TWILIO, conversation_key
from tests.conftest import messaging_settings

# What the REST channel answers, message by message: (text, buttons).
Replies = List[Tuple[str, List[Dict[str, str]]]]


def replies_of(rest_replies: List[dict]) -> Replies:
    return [(reply.get("text", ""), reply.get("buttons", [])) for reply in rest_replies]


def numbered(text: str, buttons: List[Dict[str, str]]) -> str:
    """How a message reads where an app has no buttons."""
    return choices.numbered(text, buttons) if buttons else text


def new_calls(messaging_apis, since: int, keep: Callable) -> list:
    return [call for call in messaging_apis.calls[since:] if keep(call)]


# Telegram ---------------------------------------------------------------


@pytest.fixture()
def telegram_chat(servers, messaging_apis):
    """Sends Telegram updates from one new chat; returns the messages sent to it."""
    chat_id = random.randint(10**8, 10**9)
    url = f"{servers.rasa.url}/webhooks/telegram/webhook"
    person = {"id": chat_id, "is_bot": False, "first_name": "Pat"}
    chat = {"id": chat_id, "type": "private", "first_name": "Pat"}

    def send(update: dict, secret: str = os.environ["TELEGRAM_SECRET_TOKEN"]) -> list:
        update = {"update_id": random.randint(1, 10**9), **update}
        since = len(messaging_apis.calls)
        response = requests.post(
            url, json=update, headers={telegram.SECRET_HEADER: secret}, timeout=60
        )
        send.status = response.status_code
        return new_calls(
            messaging_apis,
            since,
            lambda call: (
                call.path.endswith("/sendMessage") and call.fields["chat_id"] == str(chat_id)
            ),
        )

    def say(text: str, **kwargs) -> list:
        message = {"message_id": random.randint(1, 10**6), "from": person, "chat": chat}
        return send({"message": {**message, "date": 1700000000, "text": text}}, **kwargs)

    def press(button: dict) -> list:
        bot = {**person, "is_bot": True}
        shown = {"message_id": 1, "from": bot, "chat": chat, "date": 1700000000}
        query = {"id": uuid.uuid4().hex, "from": person, "message": {**shown, "text": "..."}}
        send.last_callback_query_id = query["id"]
        return send({"callback_query": {**query, "chat_instance": "1", "data": button["payload"]}})

    send.say, send.press, send.chat_id = say, press, chat_id
    return send


def telegram_replies(sent: list) -> Replies:
    """Telegram's messages as (text, buttons), paragraphs joined again (Rasa
    sends each paragraph of a text as its own message)."""
    replies: Replies = []
    for call in sent:
        markup = json.loads(call.fields.get("reply_markup", "{}"))
        rows = markup.get("inline_keyboard", [])
        assert all(len(row) == 1 for row in rows), "one button per row"
        buttons = [{"title": row[0]["text"], "payload": row[0]["callback_data"]} for row in rows]
        if replies and not replies[-1][1] and not buttons:
            replies[-1] = (f"{replies[-1][0]}\n\n{call.fields['text']}", [])
        else:
            replies.append((call.fields["text"], buttons))
    return replies


def joined(replies: Replies) -> Replies:
    """The REST replies with consecutive texts joined, as telegram_replies joins them."""
    result: Replies = []
    for text, buttons in replies:
        if result and not result[-1][1] and not buttons:
            result[-1] = (f"{result[-1][0]}\n\n{text}", [])
        else:
            result.append((text, buttons))
    return result


def test_a_telegram_message_gets_the_grounded_answer_with_its_buttons_as_a_keyboard(
    telegram_chat, messaging_apis, say
):
    expected = joined(replies_of(say("what are the side effects of crizotinib?")))
    answer = telegram_replies(telegram_chat.say("what are the side effects of crizotinib?"))
    assert telegram_chat.status == 200
    assert answer == expected and answer[-1][1], "the answer, then its follow-ups as buttons"

    # Pressing a button sends its payload: the answer is that button's, and
    # the press is acknowledged.
    second = expected[-1][1][1]
    since = len(messaging_apis.calls)
    expected = joined(replies_of(say(second["payload"])))
    assert telegram_replies(telegram_chat.press(second)) == expected
    [acknowledged] = new_calls(
        messaging_apis, since, lambda call: call.path.endswith("/answerCallbackQuery")
    )
    assert acknowledged.fields == {"callback_query_id": telegram_chat.last_callback_query_id}


def test_telegrams_start_command_is_a_greeting(telegram_chat, say):
    greeting = telegram_replies(telegram_chat.say("/start"))
    assert greeting == joined(replies_of(say("/greet")))
    assert greeting[-1][1], "the menu's topics as buttons"


@pytest.mark.parametrize("secret", ["", "not-the-secret"])
def test_a_telegram_update_without_the_secret_token_is_refused(telegram_chat, secret):
    assert telegram_chat.say("hi", secret=secret) == []
    assert telegram_chat.status == 403


@pytest.mark.parametrize("path", ["webhook/", "webhook//", "/webhook"])
def test_no_spelling_of_the_telegram_webhook_url_skips_the_secret(servers, messaging_apis, path):
    since = len(messaging_apis.calls)
    chat = {"id": 123456789, "type": "private", "first_name": "Pat"}
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "chat": chat, "date": 1700000000, "text": "hi"},
    }
    url = f"{servers.rasa.url}/webhooks/telegram/{path}"
    response = requests.post(
        url, json=update, headers={telegram.SECRET_HEADER: "forged"}, timeout=60
    )
    assert response.status_code in (403, 404)
    assert new_calls(messaging_apis, since, lambda call: call.path.endswith("/sendMessage")) == []


def set_webhook_calls(messaging_apis, since: int = 0) -> list:
    return new_calls(messaging_apis, since, lambda call: call.path.endswith("/setWebhook"))


def test_telegrams_webhook_is_registered_with_the_secret_token_at_start_and_on_request(
    servers, messaging_apis
):
    # At start, once the server is up: wait for it if this test runs first.
    deadline = time.monotonic() + 60
    while not set_webhook_calls(messaging_apis) and time.monotonic() < deadline:
        time.sleep(0.2)
    at_start = set_webhook_calls(messaging_apis)[:1]
    since = len(messaging_apis.calls)
    response = requests.get(f"{servers.rasa.url}/webhooks/telegram/set_webhook", timeout=30)
    assert response.status_code == 200
    on_request = set_webhook_calls(messaging_apis, since)
    for registered in at_start + on_request:
        assert registered.fields == {
            "url": os.environ["TELEGRAM_WEBHOOK_URL"],
            "secret_token": os.environ["TELEGRAM_SECRET_TOKEN"],
        }
        assert registered.path == f"/bot{os.environ['TELEGRAM_ACCESS_TOKEN']}/setWebhook"
    assert len(at_start) == len(on_request) == 1


# Twilio: SMS and WhatsApp ---------------------------------------------------

OUR_SMS_NUMBER = "+15550006789"
OUR_WHATSAPP_NUMBER = "whatsapp:+14155238886"


def twilio_signature(form: dict, url: str = "") -> str:
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    return validator.compute_signature(url or os.environ["TWILIO_WEBHOOK_URL"], form)


@pytest.fixture()
def twilio_sender(servers, messaging_apis):
    """Sends Twilio messages from one new phone; returns the messages sent to it."""

    def sender(phone: str, our_number: str):
        url = f"{servers.rasa.url}/webhooks/twilio/webhook"

        def send(body: str, sign: Callable = twilio_signature) -> list:
            form = {
                "MessageSid": "SM" + uuid.uuid4().hex,
                "AccountSid": os.environ["TWILIO_ACCOUNT_SID"],
                "From": phone,
                "To": our_number,
                "Body": body,
                "NumMedia": "0",
                "ApiVersion": "2010-04-01",
            }
            since = len(messaging_apis.calls)
            headers = {twilio.SIGNATURE_HEADER: sign(form)}
            response = requests.post(url, data=form, headers=headers, timeout=60)
            send.status = response.status_code
            return new_calls(messaging_apis, since, lambda call: call.fields.get("To") == phone)

        return send

    return sender


def test_an_sms_gets_the_grounded_answer_with_numbered_choices_and_2_picks_the_second(
    twilio_sender, messaging_apis, say
):
    sms = twilio_sender(f"+1555{random.randint(10**6, 10**7 - 1)}", OUR_SMS_NUMBER)
    menu = replies_of(say("hi"))
    sent = sms("hi")
    assert sms.status == 204
    assert [call.fields["Body"] for call in sent] == [numbered(*reply) for reply in menu]
    assert {call.fields["From"] for call in sent} == {OUR_SMS_NUMBER}
    sid, token = os.environ["TWILIO_ACCOUNT_SID"], os.environ["TWILIO_AUTH_TOKEN"]
    assert {call.path for call in sent} == {f"/2010-04-01/Accounts/{sid}/Messages.json"}
    credentials = base64.b64encode(f"{sid}:{token}".encode()).decode()
    assert {call.headers["Authorization"] for call in sent} == {f"Basic {credentials}"}

    second = menu[-1][1][1]
    expected = [numbered(*reply) for reply in replies_of(say(second["payload"]))]
    assert [call.fields["Body"] for call in sms("2.")] == expected


def test_a_whatsapp_message_is_answered_from_the_whatsapp_number_and_2_picks_the_second(
    twilio_sender, say
):
    phone = f"whatsapp:+4479{random.randint(10**7, 10**8 - 1)}"
    whatsapp = twilio_sender(phone, OUR_WHATSAPP_NUMBER)
    answer = replies_of(say("does crizotinib interact with grapefruit?"))
    sent = whatsapp("does crizotinib interact with grapefruit?")
    assert [call.fields["Body"] for call in sent] == [numbered(*reply) for reply in answer]
    assert {call.fields["From"] for call in sent} == {OUR_WHATSAPP_NUMBER}

    second = answer[-1][1][1]
    expected = [numbered(*reply) for reply in replies_of(say(second["payload"]))]
    assert [call.fields["Body"] for call in whatsapp(" 2 ")] == expected


def test_a_number_with_no_such_choice_is_passed_on_as_typed(twilio_sender, say):
    sms = twilio_sender(f"+1555{random.randint(10**6, 10**7 - 1)}", OUR_SMS_NUMBER)
    sms("hi")
    say("hi")
    assert [call.fields["Body"] for call in sms("9")] == [
        numbered(*reply) for reply in replies_of(say("9"))
    ]


@pytest.mark.parametrize(
    "sign",
    [
        lambda form: "",
        lambda form: twilio_signature(form, url="http://localhost/webhooks/twilio/webhook"),
        lambda form: twilio_signature({**form, "Body": "something else"}),
        lambda form: base64.b64encode(b"x" * 20).decode(),
    ],
    ids=["missing", "another URL", "another body", "made up"],
)
def test_a_twilio_request_with_a_bad_signature_is_refused(twilio_sender, sign):
    sms = twilio_sender(f"+1555{random.randint(10**6, 10**7 - 1)}", OUR_SMS_NUMBER)
    assert sms("hi", sign=sign) == []
    assert sms.status == 403


# Facebook Messenger -------------------------------------------------------


def meta_signatures(body: bytes) -> Dict[str, str]:
    """Both of the headers Meta signs a delivery with."""
    secret = os.environ["FACEBOOK_APP_SECRET"].encode()
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest(),
        "X-Hub-Signature": "sha1=" + hmac.new(secret, body, hashlib.sha1).hexdigest(),
    }


@pytest.fixture()
def messenger_user(servers, messaging_apis):
    """Sends Messenger messages from one new person; returns what was sent to them."""
    psid = str(random.randint(10**15, 10**16))
    url = f"{servers.rasa.url}/webhooks/facebook/webhook"

    def send(message: dict, signatures: Callable = meta_signatures) -> list:
        event = {"sender": {"id": psid}, "recipient": {"id": "1"}, "timestamp": 1700000000000}
        entry = {"id": "1", "time": 1, "messaging": [{**event, "message": message}]}
        delivery = {"object": "page", "entry": [entry]}
        body = json.dumps(delivery).encode()
        since = len(messaging_apis.calls)
        headers = {"Content-Type": "application/json", **signatures(body)}
        response = requests.post(url, data=body, headers=headers, timeout=60)
        send.status = response.status_code
        return new_calls(
            messaging_apis, since, lambda call: call.fields.get("recipient", {}).get("id") == psid
        )

    return send


def messenger_message(reply: Tuple[str, List[Dict[str, str]]]) -> dict:
    """How a message reads on Messenger: quick replies, numbered where a
    title is too long for one (Messenger shows 20 characters)."""
    text, buttons = reply
    if not buttons:
        return {"text": text}
    long_titles = any(len(button["title"]) > 20 for button in buttons)
    titles = [str(number) for number in range(1, len(buttons) + 1)]
    if not long_titles:
        titles = [button["title"] for button in buttons]
    quick_replies = [
        {"content_type": "text", "title": title, "payload": button["payload"]}
        for title, button in zip(titles, buttons)
    ]
    text = numbered(text, buttons) if long_titles else text
    return {"text": text, "quick_replies": quick_replies}


def test_a_messenger_message_gets_the_grounded_answer_with_quick_replies(messenger_user, say):
    menu = replies_of(say("hi"))
    sent = messenger_user({"mid": "m_1", "text": "hi"})
    assert messenger_user.status == 200
    assert [call.fields["message"] for call in sent] == [messenger_message(r) for r in menu]
    assert sent[-1].fields["message"]["quick_replies"]
    token = os.environ["FACEBOOK_PAGE_ACCESS_TOKEN"]
    proof = hmac.new(os.environ["FACEBOOK_APP_SECRET"].encode(), token.encode(), hashlib.sha256)
    assert {(call.query["access_token"], call.query["appsecret_proof"]) for call in sent} == {
        (token, proof.hexdigest())
    }

    # A quick reply tapped sends its payload; typing its number does the same.
    second, third = menu[-1][1][1], menu[-1][1][2]
    expected = [messenger_message(reply) for reply in replies_of(say(second["payload"]))]
    tapped = {"mid": "m_2", "text": "2", "quick_reply": {"payload": second["payload"]}}
    sent = messenger_user(tapped)
    assert [call.fields["message"] for call in sent] == expected
    say("hi")
    messenger_user({"mid": "m_3", "text": "hi"})
    expected = [messenger_message(reply) for reply in replies_of(say(third["payload"]))]
    sent = messenger_user({"mid": "m_4", "text": "3"})
    assert [call.fields["message"] for call in sent] == expected


def test_a_messenger_photo_is_answered_as_a_message_without_words(messenger_user, say):
    photo = {"type": "image", "payload": {"url": "https://example.org/photo.jpg"}}
    sent = messenger_user({"mid": "m_1", "attachments": [photo]})
    assert [call.fields["message"] for call in sent] == [
        messenger_message(reply) for reply in replies_of(say(""))
    ]


@pytest.mark.parametrize(
    "signatures",
    [
        lambda body: {},
        lambda body: {"X-Hub-Signature": meta_signatures(body)["X-Hub-Signature"]},
        lambda body: meta_signatures(body + b" "),
        lambda body: {"X-Hub-Signature-256": "sha256=" + hashlib.sha256(body).hexdigest()},
    ],
    ids=["missing", "SHA-1 only", "another body", "no secret"],
)
def test_a_messenger_delivery_with_a_bad_signature_is_refused(messenger_user, signatures):
    assert messenger_user({"mid": "m_1", "text": "hi"}, signatures=signatures) == []
    assert messenger_user.status == 403


@pytest.mark.parametrize("token, status", [("right", 200), ("wrong", 403), ("", 403)])
def test_messengers_verification_handshake_needs_the_verify_token(servers, token, status):
    verify_token = os.environ["FACEBOOK_VERIFY_TOKEN"] if token == "right" else token
    params = {"hub.mode": "subscribe", "hub.verify_token": verify_token}
    url = f"{servers.rasa.url}/webhooks/facebook/webhook"
    response = requests.get(url, params={**params, "hub.challenge": "1158201444"}, timeout=30)
    assert response.status_code == status
    assert (response.text == "1158201444") == (status == 200)


def test_an_sms_longer_than_twilios_limit_is_split_into_whole_sentences(
    messaging_apis, monkeypatch
):
    monkeypatch.setattr(twilio, "get_settings", lambda: messaging_settings(messaging_apis.url))
    output = twilio.TwilioOutput("AC" + "0" * 32, "token", OUR_SMS_NUMBER)
    text = "Crizotinib can change how food tastes. " * 100
    since = len(messaging_apis.calls)
    asyncio.run(output.send_text_message("+15550001111", text))
    bodies = [call.fields["Body"] for call in messaging_apis.calls[since:]]
    assert len(bodies) == 3 and all(len(body) <= 1600 and body.endswith(".") for body in bodies)
    assert " ".join(bodies) == text.strip()


def test_messenger_titles_that_fit_are_the_quick_replies_own(messaging_apis, monkeypatch):
    monkeypatch.setattr(messenger, "get_settings", lambda: messaging_settings(messaging_apis.url))
    output = messenger.MessengerInput("verify", "secret", "token").get_output_channel()
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    since = len(messaging_apis.calls)
    asyncio.run(output.send_text_with_buttons("someone", "Shall I?", buttons))
    [call] = messaging_apis.calls[since:]
    assert call.fields["message"] == messenger_message(("Shall I?", buttons))
    assert [reply["title"] for reply in call.fields["message"]["quick_replies"]] == ["Yes", "No"]


# Whose conversation ---------------------------------------------------------


def stored_user_texts(servers, key: str) -> Tuple[List[str], List[dict]]:
    """What the conversation filed under `key` holds: the person's texts, and its events."""
    tracker = requests.get(
        f"{servers.rasa.url}/conversations/{key}/tracker",
        params={"token": servers.settings.api_token},
        timeout=30,
    ).json()
    events = tracker["events"]
    return [event["text"] for event in events if event["event"] == "user"], events


def intrude(servers, sender: str) -> List[str]:
    """What a REST caller naming `sender` is told when it asks for the nurse's
    summary, switches to the nurse view and restarts the conversation."""
    texts = []
    for command in ("/request_handoff", "/switch_to_nurse_view", "/restart"):
        replies = requests.post(
            f"{servers.rasa.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": command},
            timeout=60,
        ).json()
        texts += [reply.get("text", "") for reply in replies]
    return texts


@pytest.mark.parametrize("named", ["{id}", "twilio:{id}", "telegram:{id}"])
def test_a_rest_caller_who_knows_a_phone_number_cannot_read_restart_or_steer_its_chat(
    servers, twilio_sender, telegram_chat, named
):
    phone = f"+1555{random.randint(10**6, 10**7 - 1)}"
    question = "My name is Pat Doe, can I eat grapefruit with Xalkori?"
    twilio_sender(phone, OUR_SMS_NUMBER)(question)
    telegram_chat.say(question)
    chat_id = str(telegram_chat.chat_id)
    for known in (phone, chat_id):
        told = intrude(servers, named.format(id=known))
        assert not any("Pat Doe" in text for text in told)
    for key in (conversation_key(TWILIO, phone), conversation_key(TELEGRAM, chat_id)):
        said, events = stored_user_texts(servers, key)
        assert said == [question], key
        assert not any(event["event"] == "restart" for event in events)
        slots = [event.get("value") for event in events if event["event"] == "slot"]
        assert "nurse" not in slots
