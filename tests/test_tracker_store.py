"""Conversations are kept in SQLite: restarting the Rasa server loses nothing."""

import uuid
from urllib.parse import urlsplit

import requests
import yaml

from bot.runtime import launcher


def test_a_conversation_carries_on_after_the_rasa_server_restarts(servers, trained_model):
    sender = f"restart-{uuid.uuid4()}"

    def say(message):
        url = f"{servers.rasa.url}/webhooks/rest/webhook"
        response = requests.post(url, json={"sender": sender, "message": message}, timeout=60)
        assert response.status_code == 200
        return " ".join(reply.get("text", "") for reply in response.json())

    assert "61%" in say("how common is diarrhea?")
    log_dir = servers.rasa.log_path.parent
    rasa_port = urlsplit(servers.rasa.url).port
    endpoints = yaml.safe_load((log_dir / f"endpoints-{rasa_port}.yml").read_text())
    servers.rasa.stop()
    # On the same port, for the chat page: the servers are shared by all tests.
    servers.rasa = launcher.start_rasa_server(
        rasa_port,
        servers.actions.url,
        log_dir,
        trained_model,
        endpoints["tracker_store"]["db"],
        web_origin=servers.web.url,
        settings=servers.settings,
        run_dir=log_dir,
    )
    servers.rasa.wait_until_ready(timeout=240)
    # The side effect asked about before the restart is still remembered.
    assert "diarrhea was severe in 2%" in say("how often is it severe?")
