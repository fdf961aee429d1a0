"""Rasa's Twilio channel, for SMS and WhatsApp: signed, never silent, numbered.

Same URL as Rasa's own (`/webhooks/twilio/webhook`), but:
- a request without a valid X-Twilio-Signature (HMAC of TWILIO_WEBHOOK_URL,
  the public URL Twilio calls, and the form, with the auth token) gets HTTP
  403 and is not read: otherwise anyone could send in a patient's number;
- SMS and WhatsApp go through the same channel: the reply goes from the
  number the person wrote to (the message's signed "To", "whatsapp:+1..."
  for WhatsApp) back to the sender;
- buttons become numbered choices after the text, and a reply "2" is read as
  the second (`bot.channels.choices`);
- each message is one SMS, split only past Twilio's 1,600-character limit
  (Rasa sends every paragraph as its own SMS, and SMS may arrive out of order);
- a message without text (a photo alone) is answered like an empty one,
  where Rasa's channel fails; sending does not block the server;
- Twilio's API address can be set (ALK_TWILIO_API_URL), for the tests'
  local receiver or a proxy;
- conversations are filed as `twilio:<id>`, apart from other channels'
  (bot/channels/identity.py);
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text
from urllib.parse import urlsplit, urlunsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput
from rasa.core.channels.twilio import TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from bot.channels.choices import numbered, reading_choices, split_text
from bot.channels.identity import TWILIO, keyed_by_channel
from bot.channels.replies import MessageHandler, never_silent
from bot.settings import get_settings

SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_BODY_CHARS = 1600  # Twilio's limit for one message's body

logger = logging.getLogger(__name__)
# twilio logs every API request's URL and headers at INFO: ten lines per SMS.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


class TwilioOutput(RasaTwilioOutput):
    def get_hostname(self, uri: Text) -> Text:
        """Twilio's URL for a request, on ALK_TWILIO_API_URL's host if set."""
        base = get_settings().twilio_api_url
        if not base:
            return super().get_hostname(uri)
        scheme, host, *_ = urlsplit(base)
        return urlunsplit((scheme, host, *urlsplit(uri)[2:]))

    async def _send_message(self, message_data: Dict[Text, Any]) -> None:
        try:
            # twilio's client blocks: in a thread, the server keeps serving.
            await asyncio.to_thread(self.messages.create, **message_data)
        except TwilioRestException as error:
            # The error's text may quote the message; its code says enough.
            logger.error(
                "Twilio did not send a message: error %s (HTTP %s)", error.code, error.status
            )

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, MAX_BODY_CHARS):
            message = {"to": recipient_id, "from_": self.twilio_number, "body": piece}
            await self._send_message(message)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered(text, buttons))


class TwilioInput(RasaTwilioInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials["account_sid"], credentials["auth_token"], credentials["webhook_url"]
        )

    def __init__(self, account_sid: Text, auth_token: Text, webhook_url: Text) -> None:
        # No number of its own: each reply goes from the number written to.
        super().__init__(account_sid, auth_token, twilio_number=None, debug_mode=False)
        self.webhook_url = webhook_url
        self.validator = RequestValidator(auth_token)

    def signed_by_twilio(self, request: Request) -> bool:
        signature = request.headers.get(SIGNATURE_HEADER, "")
        return self.validator.validate(self.webhook_url, request.form, signature)

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = Blueprint("twilio_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.signed_by_twilio(request):
                logger.warning("Twilio webhook: refused a request without a valid signature")
                return response.text("forbidden", status=403)
            sender, to = request.form.get("From"), request.form.get("To")
            if not sender or not to:
                return response.text('"From" and "To" are required.', status=400)
            # "¡" stands for "@" in some carriers' SMS (as in Rasa's channel).
            text = (request.form.get("Body") or "").replace("¡", "@")
            output = TwilioOutput(self.account_sid, self.auth_token, to)
            tracker_store = request.app.ctx.agent.tracker_store
            handle = keyed_by_channel(
                TWILIO, never_silent(reading_choices(on_new_message, tracker_store))
            )
            await handle(
                UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=self.name(),
                    metadata=self.get_metadata(request),
                )
            )
            return response.text("", status=204)

        return webhook
