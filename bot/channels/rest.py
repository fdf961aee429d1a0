"""Rasa's REST channel, strict about its input and never silent.

Same URL and replies as Rasa's own (`POST /webhooks/rest/webhook`), but:
- a body that is not `{"sender": ..., "message": "..."}` gets HTTP 400 with a
  JSON `error` saying what is wrong, instead of a crash or an empty list;
- a missing sender is refused rather than filed under Rasa's shared
  "default" conversation, where strangers would read each other's chats,
  and a sender is at most MAX_SENDER_CHARS of letters, digits and `_.:@+-`;
- conversations are filed as `rest:<sender>`, so a caller, who names them,
  can name no other channel's (bot/channels/identity.py). Naming them is
  still trust: with ALK_REST_TOKEN set (the production profile needs it),
  only callers sending `Authorization: Bearer <token>` are served (HTTP 401);
- a message over MAX_MESSAGE_CHARS gets HTTP 413 saying the limit (and any
  body over 1 MB is refused unread: SERVER_ENV in bot/rasa_ext/cli.py);
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

import hmac
import re
from typing import Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels.identity import REST, keyed_by_channel
from bot.channels.replies import IF_URGENT, MessageHandler, never_silent
from bot.settings import get_settings

# Long enough for a worried patient's whole story; short enough that one
# request cannot tie up the server.
MAX_MESSAGE_CHARS = 20_000
# Room for a uuid, an email address or a phone number; nothing a log, a
# database column (VARCHAR(255)) or a terminal could choke on.
MAX_SENDER_CHARS = 128
SENDER = re.compile(rf"[A-Za-z0-9_.:@+-]{{1,{MAX_SENDER_CHARS}}}")

EXPECTED_BODY = 'Send JSON like {"sender": "a conversation id", "message": "your question"}.'


def body_problem(request: Request) -> Optional[str]:
    """Says what is wrong with a webhook request's body, or None if nothing."""
    try:
        body = request.json
    except InvalidUsage:
        return f"The request body is not valid JSON. {EXPECTED_BODY}"
    if not isinstance(body, dict):
        return f"The request body must be a JSON object. {EXPECTED_BODY}"
    sender = body.get("sender")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip():
        return f'"sender" is missing or empty. {EXPECTED_BODY}'
    if not SENDER.fullmatch(str(sender)):
        return (
            f'"sender" must be 1 to {MAX_SENDER_CHARS} letters, digits or _.:@+- characters. '
            f"{EXPECTED_BODY}"
        )
    if not isinstance(body.get("message"), str):
        return f'"message" must be text. {EXPECTED_BODY}'
    return None


def authorised(request: Request, token: Optional[str]) -> bool:
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


class RestInput(RasaRestInput):
    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = super().blueprint(keyed_by_channel(REST, never_silent(on_new_message)))
        token = get_settings().rest_token

        @webhook.middleware("request")
        async def refuse_bad_requests(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST":
                return None
            if not authorised(request, token):
                return response.json(
                    {"error": "Send the REST token as 'Authorization: Bearer <token>'."},
                    status=401,
                )
            problem = body_problem(request)
            if problem:
                return response.json({"error": problem}, status=400)
            length = len(request.json["message"])
            if length > MAX_MESSAGE_CHARS:
                return response.json(
                    {
                        "error": f"The message has {length} characters; the limit "
                        f"is {MAX_MESSAGE_CHARS}. Please send a shorter message. {IF_URGENT}"
                    },
                    status=413,
                )
            return None

        return webhook
