"""Every setting ALK Companion reads from the environment, in one frozen object.

`get_settings()` reads the environment once per process; everything else is
handed the object (or the part of it it needs) and never reads a variable
itself. The launcher passes settings on to the servers it starts as
environment variables again (`Settings.as_environ`), so a child process sees
exactly what its parent decided. Each variable is listed, with its default,
in the README's "Configuration" section; a test keeps the two in step.
"""

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional, Tuple


class SettingsError(ValueError):
    """A variable holds a value the assistant cannot use; the message names it."""


@dataclass(frozen=True)
class MessagingApp:
    label: str
    channel: str  # the input channel class, as credentials.yml names it
    variables: Mapping[str, str]  # credentials key -> environment variable


# Each app is on when all its variables are set. Rasa reads their values
# itself, from ${VARIABLE} references in the credentials the launcher writes.
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
MESSAGING_VARIABLES = tuple(name for app in MESSAGING_APPS for name in app.variables.values())


def _comma_list(raw: str) -> Tuple[str, ...]:
    return tuple(item.strip().rstrip("/") for item in raw.split(",") if item.strip())


def _variable(name: str, default: Any = None, parse: Callable[[str], Any] = str) -> Any:
    """A dataclass field read from the environment variable `name` with `parse`."""
    return field(default=default, metadata={"variable": name, "parse": parse})


# What the web chat's settings mean when they are not set: the addresses of
# `make run`'s own Rasa server and chat page.
DEFAULT_RASA_URL = "http://localhost:5005"
DEFAULT_WEB_ORIGIN = "http://localhost:8000"


@dataclass(frozen=True)
class Settings:
    # Rasa's HTTP API, on only behind this token.
    api_token: Optional[str] = _variable("ALK_API_TOKEN")
    # The action server: where it listens, and the token Rasa must send.
    actions_host: str = _variable("ALK_ACTIONS_HOST", "127.0.0.1")
    actions_token: Optional[str] = _variable("ALK_ACTIONS_TOKEN")
    # Signs the web chat's session ids; `make run` keeps one per install
    # in build/run/. Replicas need the same one.
    session_secret: Optional[str] = _variable("ALK_SESSION_SECRET")
    # The REST channel serves only callers with this bearer token, when set;
    # the production profile needs one.
    rest_token: Optional[str] = _variable("ALK_REST_TOKEN")
    # Conversations untouched for longer are deleted by `make forget`.
    retention_days: float = _variable("ALK_RETENTION_DAYS", 90.0, float)
    # The clinic's webhook for nurse handoffs.
    handoff_url: Optional[str] = _variable("ALK_HANDOFF_URL")
    # The page server as people reach it, for the handout links in the chat.
    web_url: Optional[str] = _variable("ALK_WEB_URL")
    # The web chat page. Unset, the Rasa server is the one the launcher
    # starts, and only the launcher's chat page may use socket.io.
    web_rasa_url: Optional[str] = _variable("ALK_WEB_RASA_URL")
    web_title: str = _variable("ALK_WEB_TITLE", "ALK Companion")
    web_primary_colour: str = _variable("ALK_WEB_PRIMARY_COLOUR", "#0b5563")
    web_primary_text_colour: str = _variable("ALK_WEB_PRIMARY_TEXT_COLOUR", "#ffffff")
    web_persistence: str = _variable("ALK_WEB_PERSISTENCE", "session")
    web_host: str = _variable("ALK_WEB_HOST", "127.0.0.1")
    # Pages that may use the Rasa server's socket.io channel.
    web_origins: Optional[Tuple[str, ...]] = _variable("ALK_WEB_ORIGINS", None, _comma_list)
    # The messaging apps' APIs (a proxy, or the tests' local stand-in).
    telegram_api_url: str = _variable("ALK_TELEGRAM_API_URL", "https://api.telegram.org")
    twilio_api_url: Optional[str] = _variable("ALK_TWILIO_API_URL")
    messenger_api_url: str = _variable("ALK_MESSENGER_API_URL", "https://graph.facebook.com")
    # The clinic's own numbers, over content/clinic.yml's.
    emergency_number: Optional[str] = _variable("ALK_EMERGENCY_NUMBER")
    urgent_contact: Optional[str] = _variable("ALK_URGENT_CONTACT")
    crisis_line: Optional[str] = _variable("ALK_CRISIS_LINE")
    clinic_contact: Optional[str] = _variable("ALK_CLINIC_CONTACT")
    # Which messaging apps' variables are set: their names, never their values.
    messaging_variables: FrozenSet[str] = frozenset()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Settings":
        values: Dict[str, Any] = {}
        for setting in fields(cls):
            name = setting.metadata.get("variable")
            if name and environ.get(name):
                try:
                    values[setting.name] = setting.metadata["parse"](environ[name])
                except ValueError:
                    raise SettingsError(f"{name} cannot be {environ[name]!r}") from None
        values["messaging_variables"] = frozenset(
            name for name in MESSAGING_VARIABLES if environ.get(name)
        )
        return cls(**values)

    @property
    def rasa_url_for_browsers(self) -> str:
        return self.web_rasa_url or DEFAULT_RASA_URL

    @property
    def socketio_origins(self) -> Tuple[str, ...]:
        return self.web_origins or (DEFAULT_WEB_ORIGIN,)

    @classmethod
    def variable(cls, setting: str) -> str:
        """The environment variable a setting is read from."""
        return next(f.metadata["variable"] for f in fields(cls) if f.name == setting)

    def as_environ(self) -> Dict[str, str]:
        """These settings as the variables a child process reads them from."""
        variables = {}
        for setting in fields(self):
            name, value = setting.metadata.get("variable"), getattr(self, setting.name)
            if name and value is not None:
                variables[name] = ",".join(value) if isinstance(value, tuple) else str(value)
        return variables


def variable_names() -> Tuple[str, ...]:
    """Every environment variable the assistant reads."""
    own = tuple(s.metadata["variable"] for s in fields(Settings) if "variable" in s.metadata)
    return own + MESSAGING_VARIABLES


def child_environ(settings: Settings) -> Dict[str, str]:
    """The environment for a process the assistant starts: this one's, with
    `settings` in place of what it says about them."""
    return {**os.environ, **settings.as_environ()}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from its environment once."""
    return Settings.from_environ(os.environ)
