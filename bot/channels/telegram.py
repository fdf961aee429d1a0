"""Rasa's Telegram channel, signed, never silent, with one button per row.

Same URLs as Rasa's own (`/webhooks/telegram/webhook`, `/set_webhook`), but:
- an update without the secret token Telegram was given at setWebhook (its
  X-Telegram-Bot-Api-Secret-Token header) gets HTTP 403 and is not read:
  without it anyone who finds the URL could talk in a patient's chat's name;
- the webhook is registered with that secret when the server starts, in the
  server's own event loop (Rasa registers it in a throwaway loop and then
  cannot send), and a refusal is logged rather than stopping the assistant;
- buttons are an inline keyboard with one button per row, so each question
  can be read whole; pressing one sends its payload (a callback query),
  answered at once so that the button stops showing as loading;
- "/start", which Telegram sends when someone opens the bot, is a greeting;
- the Bot API's address can be set (ALK_TELEGRAM_API_URL), for the tests'
  local receiver or a proxy;
- conversations are filed as `telegram:<id>`, apart from other channels'
  (bot/channels/identity.py);
- if the assistant produced no reply, the person is told so (`never_silent`).
"""

import hmac
import logging
from typing import Any, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot.api import Methods, TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request

from bot.channels.choices import split_text
from bot.channels.identity import TELEGRAM, keyed_by_channel
from bot.channels.replies import MessageHandler, never_silent
from bot.names import Intent, payload
from bot.settings import get_settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_MESSAGE_CHARS = 4096  # the Bot API's limit for one message
START_COMMAND = "/start"
GREETING = payload(Intent.GREET)

logger = logging.getLogger(__name__)


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Text, secret_token: Text) -> None:
        api = TelegramAPIServer.from_base(get_settings().telegram_api_url)
        Bot.__init__(self, access_token, server=api)
        self.secret_token = secret_token

    async def set_webhook(self, url: Text, **kwargs: Any) -> bool:
        """setWebhook with the secret Telegram then sends with every update
        (aiogram 2.15 predates the parameter)."""
        webhook = {"url": url, "secret_token": self.secret_token}
        return await self.request(Methods.SET_WEBHOOK, webhook)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        button_type: Optional[Text] = "vertical",
        **kwargs: Any,
    ) -> None:
        *first, last = split_text(text, MAX_MESSAGE_CHARS) or [""]
        for piece in first:
            await self.send_message(recipient_id, piece)
        await super().send_text_with_buttons(recipient_id, last, buttons, button_type, **kwargs)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials["access_token"],
            credentials["verify"],
            credentials["webhook_url"],
            credentials["secret_token"],
        )

    def __init__(
        self, access_token: Text, verify: Text, webhook_url: Text, secret_token: Text
    ) -> None:
        # Not Rasa's debug mode: it re-raises a failure as HTTP 500, and
        # Telegram then sends the same update again and again.
        super().__init__(access_token, verify, webhook_url, debug_mode=False)
        self.secret_token = secret_token

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.access_token, self.secret_token)

    def signed_by_telegram(self, request: Request) -> bool:
        secret = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(secret.encode(), self.secret_token.encode())

    @staticmethod
    def _is_webhook(request: Request) -> bool:
        """Any spelling Sanic routes to the update handler: "/webhook", and
        "/webhook/" or "//webhook" too, so none of them skips the secret."""
        parts = [part for part in request.path.split("/") if part]
        return parts[-1:] == ["webhook"]

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        webhook = super().blueprint(
            keyed_by_channel(TELEGRAM, never_silent(greeting_for_start(on_new_message)))
        )
        acknowledging = self.get_output_channel()

        @webhook.middleware("request")
        async def refuse_unsigned_updates(request: Request) -> Optional[response.HTTPResponse]:
            if self._is_webhook(request) and not self.signed_by_telegram(request):
                logger.warning("Telegram webhook: refused a request without the secret token")
                return response.text("forbidden", status=403)
            return None

        @webhook.middleware("request")
        async def acknowledge_button_press(request: Request) -> None:
            # Telegram shows a pressed button as loading until it is answered.
            if self._is_webhook(request) and request.method == "POST":
                button_press = (request.json or {}).get("callback_query")
                if button_press:
                    await acknowledging.answer_callback_query(button_press["id"])

        @webhook.listener("after_server_start")
        async def register_webhook(app: Sanic, _: Any) -> None:
            channel = self.get_output_channel()
            try:
                await channel.set_webhook(self.webhook_url)
            except TelegramAPIError as error:
                logger.error(
                    "Telegram did not accept the webhook (%s): check TELEGRAM_ACCESS_TOKEN "
                    "and TELEGRAM_WEBHOOK_URL, then GET /webhooks/telegram/set_webhook.",
                    type(error).__name__,
                )
            finally:
                await channel.close()

        return webhook


def greeting_for_start(on_new_message: MessageHandler) -> MessageHandler:
    async def handle(message: UserMessage) -> None:
        if message.text == START_COMMAND:
            message.text = GREETING
        await on_new_message(message)

    return handle
