"""Shared fixtures: a trained model and the real servers, started once."""

import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, List

import pytest
import requests

from bot import action_server, serve
from bot.cli import quiet_rasa
from bot.safety.handoff import HANDOFF_URL_ENV

PROJECT_ROOT = serve.PROJECT_ROOT

# Telemetry off for Rasa loaded in this process too. pytest's own warning
# capture is off (pyproject.toml): Rasa's dependencies re-enable deprecation
# warnings at import and would bury the results.
quiet_rasa()


def run_rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Runs Rasa's command line (quietly) in the project, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trains with `make train`: skipped when nothing changed since the last model."""
    result = subprocess.run(
        ["make", "--no-print-directory", "train"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return serve.latest_model()


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


@pytest.fixture(scope="session")
def servers(trained_model: Path, clinic_webhook: ClinicWebhook, tmp_path_factory):
    # The action server inherits these: handoffs go to the local receiver,
    # and only callers with the token (the Rasa server) are served.
    os.environ[HANDOFF_URL_ENV] = clinic_webhook.url
    os.environ[action_server.TOKEN_ENV] = uuid.uuid4().hex
    # Rasa's HTTP API is on, behind this token (tests/test_api_security.py).
    os.environ[serve.API_TOKEN_ENV] = uuid.uuid4().hex
    stack = serve.start(
        rasa_port=free_port(),
        actions_port=free_port(),
        log_dir=tmp_path_factory.mktemp("server-logs"),
        model=trained_model,
        tracker_db=tmp_path_factory.mktemp("conversations") / "conversations.db",
    )
    yield stack
    stack.stop()


@pytest.fixture()
def webhook(servers: serve.Stack) -> str:
    return f"{servers.rasa.url}/webhooks/rest/webhook"


@pytest.fixture()
def say(webhook: str) -> Callable[[str], List[dict]]:
    """Sends messages as one new person; returns the assistant's replies."""
    sender = f"test-{uuid.uuid4()}"

    def send(message: str) -> List[dict]:
        response = requests.post(
            webhook, json={"sender": sender, "message": message}, timeout=60
        )
        assert response.status_code == 200, response.text
        return response.json()

    return send
