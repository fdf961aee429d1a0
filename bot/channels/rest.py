"""Rasa's REST channel, strict about its input and never silent.

Same URL and replies as Rasa's own (`POST /webhooks/rest/webhook`), but:
- a body that is not `{"sender": ..., "message": "..."}` gets HTTP 400 with a
  JSON `error` saying what is wrong, instead of a crash or an empty list;
- a missing sender is refused rather than filed under Rasa's shared
  "default" conversation, where strangers would read each other's chats;
- a message over MAX_MESSAGE_CHARS gets HTTP 413 saying the limit;
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

from typing import Optional

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.channels.replies import IF_URGENT, MessageHandler, never_silent

# Long enough for a worried patient's whole story; short enough that one
# request cannot tie up the server.
MAX_MESSAGE_CHARS = 20_000

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
    if not isinstance(body.get("message"), str):
        return f'"message" must be text. {EXPECTED_BODY}'
    return None


class RestInput(RasaRestInput):
    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = super().blueprint(never_silent(on_new_message))

        @webhook.middleware("request")
        async def refuse_bad_requests(request: Request) -> Optional[response.HTTPResponse]:
            if request.method != "POST":
                return None
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
