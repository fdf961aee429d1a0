"""Which messaging apps the assistant answers on, from environment variables.

Each app (Telegram; Twilio, for SMS and WhatsApp; Facebook Messenger) is on
when all its variables are set and off when none is; some but not all is a
mistake worth stopping for. Its credentials entry names the variables as
${VARIABLE}, which Rasa expands when it reads the file, so no secret is ever
written to disk. Light on purpose: the launcher imports it, not Rasa.
"""

import os
from dataclasses import dataclass
from typing import Dict, Mapping


@dataclass(frozen=True)
class MessagingApp:
    label: str
    channel: str  # the input channel class, as credentials.yml names it
    variables: Mapping[str, str]  # credentials key -> environment variable


MESSAGING_APPS = (
    MessagingApp(
        "Telegram",
        "bot.channels.telegram.TelegramInput",
        {
            "access_token": "TELEGRAM_ACCESS_TOKEN",
            "verify": "TELEGRAM_BOT_NAME",
            "webhook_url": "TELEGRAM_WEBHOOK_URL",
            "secret_token": "TELEGRAM_SECRET_TOKEN",
        },
    ),
    MessagingApp(
        "Twilio (SMS and WhatsApp)",
        "bot.channels.twilio.TwilioInput",
        {
            "account_sid": "TWILIO_ACCOUNT_SID",
            "auth_token": "TWILIO_AUTH_TOKEN",
            "webhook_url": "TWILIO_WEBHOOK_URL",
        },
    ),
    MessagingApp(
        "Facebook Messenger",
        "bot.channels.messenger.MessengerInput",
        {
            "verify": "FACEBOOK_VERIFY_TOKEN",
            "secret": "FACEBOOK_APP_SECRET",
            "page-access-token": "FACEBOOK_PAGE_ACCESS_TOKEN",
        },
    ),
)


class HalfConfigured(ValueError):
    """An app has some of its variables set but not all."""


def enabled_channels(environ: Mapping[str, str] = os.environ) -> Dict[str, Dict[str, str]]:
    """Credentials entries for the apps whose variables are all set, naming
    the variables rather than holding their values."""
    enabled = {}
    for app in MESSAGING_APPS:
        unset = [name for name in app.variables.values() if not environ.get(name)]
        if not unset:
            enabled[app.channel] = {key: f"${{{name}}}" for key, name in app.variables.items()}
        elif len(unset) < len(app.variables):
            raise HalfConfigured(
                f"{app.label} needs {', '.join(unset)} set as well "
                f"(set all of {', '.join(app.variables.values())}, or none to leave it off)."
            )
    return enabled
