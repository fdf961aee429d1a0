"""Rasa's Facebook Messenger channel: signed with SHA-256, never silent, quick replies.

Same URLs as Rasa's own (`/webhooks/facebook/webhook`: GET for Meta's
verification handshake, POST for messages), but:
- a POST without a valid X-Hub-Signature-256 (HMAC-SHA256 of the body with
  the app secret) gets HTTP 403 and is not read; Rasa checks only the older
  SHA-1 header, and answers a bad one with HTTP 200;
- the handshake with a wrong verify token gets HTTP 403, not a 200 text;
- buttons are quick replies (up to 13, where Rasa sends a template of at
  most 3 and drops the buttons beyond). Quick reply titles show 20
  characters, so when a title is longer the choices are numbered in the
  text and the quick replies carry the numbers; typing the number works too;
- every message of a batched delivery is answered (Rasa's reads the first);
  a message without text (a photo, a sticker) is answered like an empty one,
  where Rasa's logs it and stays silent;
- the Graph API's address can be set (ALK_MESSENGER_API_URL), for the tests'
  local receiver or a proxy; calls carry the appsecret_proof, do not block
  the server, and a refused one is logged (by its error code);
- conversations are filed as `messenger:<id>`, apart from other channels'
  (bot/channels/identity.py);
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

import asyncio
import hashlib
import hmac
import logging
from typing import Any, Dict, List, Optional, Text

from fbmessenger import MessengerClient as FBMessengerClient
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.choices import numbered, reading_choices, split_text
from bot.channels.identity import MESSENGER, keyed_by_channel
from bot.channels.replies import MessageHandler, never_silent
from bot.settings import get_settings

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_MESSAGE_CHARS = 2000  # the Send API's limit for a text
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20

logger = logging.getLogger(__name__)


class MessengerClient(FBMessengerClient):
    def __init__(self, page_access_token: Text, app_secret: Text) -> None:
        super().__init__(page_access_token, app_secret=app_secret)
        base = get_settings().messenger_api_url.rstrip("/")
        self.graph_url = f"{base}/v{self.api_version}"


class MessengerOutput(MessengerBot):
    async def send_message(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # The Send API's JSON as is: fbmessenger's objects allow 11 quick
        # replies, not 13. Its client blocks: in a thread, the server keeps serving.
        send = self.messenger_client.send
        result = await asyncio.to_thread(send, message, recipient_id, "RESPONSE")
        if "error" in result:
            # The error's text may quote the message; its code says enough.
            logger.error("Messenger did not send a message: error %s", result["error"].get("code"))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, MAX_MESSAGE_CHARS):
            await self.send_message(recipient_id, {"text": piece})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        buttons = buttons[:MAX_QUICK_REPLIES]
        titles = [button["title"] for button in buttons]
        if any(len(title) > MAX_QUICK_REPLY_TITLE for title in titles):
            text = numbered(text, buttons)
            titles = [str(number) for number in range(1, len(buttons) + 1)]
        *first, last = split_text(text, MAX_MESSAGE_CHARS) or [""]
        for piece in first:
            await self.send_message(recipient_id, {"text": piece})
        quick_replies = [
            {"content_type": "text", "title": title, "payload": button["payload"]}
            for title, button in zip(titles, buttons)
        ]
        await self.send_message(recipient_id, {"text": last, "quick_replies": quick_replies})


def text_of(event: Dict[Text, Any]) -> Optional[Text]:
    """What the person said in a messaging event: a quick reply's or a
    postback's payload, the text, or "" for a message without text; None for
    events that are not the person's messages (echoes, deliveries, reads)."""
    message = event.get("message")
    if message and not message.get("is_echo"):
        quick_reply = message.get("quick_reply") or {}
        return quick_reply.get("payload") or message.get("text") or ""
    postback = event.get("postback")
    if postback:
        return postback.get("payload") or postback.get("title") or ""
    return None


class MessengerInput(FacebookInput):
    def get_output_channel(self) -> MessengerOutput:
        return MessengerOutput(MessengerClient(self.fb_access_token, self.fb_secret))

    def signed_by_meta(self, request: Request) -> bool:
        expected = hmac.new(self.fb_secret.encode(), request.body, hashlib.sha256).hexdigest()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        return hmac.compare_digest(signature.encode(), f"sha256={expected}".encode())

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = Blueprint("fb_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token", "")
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), self.fb_verify.encode()
            ):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("wrong verify token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def messages(request: Request) -> HTTPResponse:
            if not self.signed_by_meta(request):
                logger.warning("Messenger webhook: refused a request without a valid signature")
                return response.text("forbidden", status=403)
            handle = keyed_by_channel(
                MESSENGER,
                never_silent(reading_choices(on_new_message, request.app.ctx.agent.tracker_store)),
            )
            output = self.get_output_channel()
            metadata = self.get_metadata(request)
            for entry in (request.json or {}).get("entry", []):
                for event in entry.get("messaging", []):
                    text = text_of(event)
                    if text is not None:
                        await handle(
                            UserMessage(
                                text,
                                output,
                                event["sender"]["id"],
                                input_channel=self.name(),
                                metadata=metadata,
                            )
                        )
            return response.text("success")

        return webhook
