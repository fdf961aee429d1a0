"""Which messaging apps the assistant answers on, from the settings.

Each app (Telegram; Twilio, for SMS and WhatsApp; Facebook Messenger) is on
when all its variables are set and off when none is; some but not all is a
mistake worth stopping for. Its credentials entry names the variables as
${VARIABLE}, which Rasa expands when it reads the file, so no secret is ever
written to disk. Light on purpose: the launcher imports it, not Rasa.
"""

from typing import Dict

from bot.settings import MESSAGING_APPS, Settings


class HalfConfigured(ValueError):
    """An app has some of its variables set but not all."""


def enabled_channels(settings: Settings) -> Dict[str, Dict[str, str]]:
    """Credentials entries for the apps whose variables are all set, naming
    the variables rather than holding their values."""
    enabled = {}
    for app in MESSAGING_APPS:
        unset = [
            name for name in app.variables.values() if name not in settings.messaging_variables
        ]
        if not unset:
            enabled[app.channel] = {key: f"${{{name}}}" for key, name in app.variables.items()}
        elif len(unset) < len(app.variables):
            raise HalfConfigured(
                f"{app.label} needs {', '.join(unset)} set as well "
                f"(set all of {', '.join(app.variables.values())}, or none to leave it off)."
            )
    return enabled
