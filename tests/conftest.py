"""Shared fixtures: a trained model and the real servers, started once."""

import json
import os
import subprocess
import threading
import uuid
import warnings
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, List
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from bot.rasa_ext import cli
from bot.runtime import launcher
from bot.settings import Settings

PROJECT_ROOT = launcher.PROJECT_ROOT
_before_the_session = {}


def pytest_configure(config) -> None:
    """Telemetry off for Rasa loaded in this process too, before any test
    module imports it. pytest's own warning capture is off (pyproject.toml):
    Rasa's dependencies re-enable deprecation warnings at import and would
    bury the results. What this changes is put back when the session ends."""
    _before_the_session.update(environ=dict(os.environ), showwarning=warnings.showwarning)
    cli.quiet_rasa()


def pytest_unconfigure(config) -> None:
    if _before_the_session:
        os.environ.clear()
        os.environ.update(_before_the_session["environ"])
        warnings.showwarning = _before_the_session["showwarning"]


# Tests that start servers, train or load a model, or drive a browser: the
# ones `make test-fast` leaves out.
SLOW_FIXTURES = {"servers", "trained_model", "webhook", "say", "replicas", "browser"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trains with `make train`: skipped when nothing changed since the last model."""
    result = subprocess.run(
        ["make", "--no-print-directory", "train"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return launcher.latest_model()


class ClinicWebhook:
    """A local HTTP receiver standing in for the clinic's handoff webhook."""

    def __init__(self) -> None:
        self.received: List[dict] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("localhost", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}/handoff"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="session")
def clinic_webhook() -> ClinicWebhook:
    webhook = ClinicWebhook()
    yield webhook
    webhook.server.shutdown()


# Messaging apps' credentials: fake, but shaped like real ones (aiogram
# checks a bot token's shape). The public webhook URLs are not the servers'
# local ones, as behind a proxy: signatures are made with the public URL.
MESSAGING_ENV = {
    "TELEGRAM_ACCESS_TOKEN": "123456789:AAFakeTokenForTestsOnly_abcdefghijklm",
    "TELEGRAM_BOT_NAME": "alk_companion_test_bot",
    "TELEGRAM_WEBHOOK_URL": "https://alk.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": uuid.uuid4().hex,
    "TWILIO_ACCOUNT_SID": "AC" + uuid.uuid4().hex,
    "TWILIO_AUTH_TOKEN": uuid.uuid4().hex,
    "TWILIO_WEBHOOK_URL": "https://alk.example.org/webhooks/twilio/webhook",
    "FACEBOOK_VERIFY_TOKEN": uuid.uuid4().hex,
    "FACEBOOK_APP_SECRET": uuid.uuid4().hex,
    "FACEBOOK_PAGE_ACCESS_TOKEN": "EAAFake" + uuid.uuid4().hex,
}


@dataclass
class ApiCall:
    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    fields: dict  # the body: JSON, or a form as a dict


class MessagingApis:
    """A local HTTP receiver standing in for the Telegram Bot API, Twilio's
    API and Meta's Graph API: records every call and answers as they would."""

    def __init__(self) -> None:
        self.calls: List[ApiCall] = []
        calls, apis = self.calls, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    fields = json.loads(body)
                else:
                    fields = dict(parse_qsl(body.decode()))
                url = urlsplit(self.path)
                query, headers = dict(parse_qsl(url.query)), dict(self.headers)
                call = ApiCall("POST", url.path, query, headers, fields)
                calls.append(call)
                status, answer = apis.answer(call)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("localhost", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, call: ApiCall):
        if call.path.startswith("/bot"):  # Telegram: /bot<token>/<method>
            method = call.path.rsplit("/", 1)[1]
            if method == "getMe":
                bot = {"id": 123456789, "is_bot": True, "first_name": "ALK Companion"}
                bot["username"] = MESSAGING_ENV["TELEGRAM_BOT_NAME"]
                return 200, {"ok": True, "result": bot}
            if method == "sendMessage":
                chat = {"id": int(call.fields["chat_id"]), "type": "private"}
                message = {"message_id": len(self.calls), "date": 0, "chat": chat}
                return 200, {"ok": True, "result": {**message, "text": call.fields["text"]}}
            return 200, {"ok": True, "result": True}
        if call.path.endswith("/Messages.json"):  # Twilio
            message = {key.lower(): value for key, value in call.fields.items()}
            return 201, {"sid": "SM" + uuid.uuid4().hex, "status": "queued", **message}
        # Meta's Send API
        recipient = call.fields["recipient"]["id"]
        return 200, {"recipient_id": recipient, "message_id": "m_" + uuid.uuid4().hex}


@pytest.fixture(scope="session")
def messaging_apis() -> MessagingApis:
    apis = MessagingApis()
    yield apis
    apis.server.shutdown()


def messaging_settings(api_url: str) -> Settings:
    """Telegram, Twilio and Messenger on, calling `api_url` instead of the apps."""
    return replace(
        Settings.from_environ({**os.environ, **MESSAGING_ENV}),
        telegram_api_url=api_url,
        twilio_api_url=api_url,
        messenger_api_url=api_url,
    )


@pytest.fixture(scope="session")
def servers(
    trained_model: Path,
    clinic_webhook: ClinicWebhook,
    messaging_apis: MessagingApis,
    tmp_path_factory,
):
    settings = replace(
        messaging_settings(messaging_apis.url),
        # Handoffs go to the local receiver.
        handoff_url=clinic_webhook.url,
        # Rasa's HTTP API is on, behind this token (tests/test_api_security.py).
        api_token=uuid.uuid4().hex,
    )
    logs = tmp_path_factory.mktemp("server-logs")
    # Rasa reads the messaging apps' credentials from its environment.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in MESSAGING_ENV.items():
            patch.setenv(name, value)
        stack = launcher.start(
            rasa_port=launcher.free_port(),
            actions_port=launcher.free_port(),
            web_port=launcher.free_port(),  # the web chat page (tests/test_web_page.py)
            log_dir=logs,
            model=trained_model,
            tracker_db=tmp_path_factory.mktemp("conversations") / "conversations.db",
            settings=settings,
            run_dir=logs,
        )
        yield stack
        stack.stop()


@pytest.fixture()
def webhook(servers: launcher.Stack) -> str:
    return f"{servers.rasa.url}/webhooks/rest/webhook"


@pytest.fixture()
def say(webhook: str) -> Callable[[str], List[dict]]:
    """Sends messages as one new person; returns the assistant's replies."""
    sender = f"test-{uuid.uuid4()}"

    def send(message: str) -> List[dict]:
        response = requests.post(webhook, json={"sender": sender, "message": message}, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    return send
