"""The action server talks only to the Rasa server and never echoes a tracker."""

import psutil
import requests

from bot.runtime import launcher

SECRET = "my husband has been coughing up blood"


def action_call(tracker):
    return {
        "next_action": "action_answer_question",
        "sender_id": "someone",
        "tracker": tracker,
        "domain": {},
        "version": "3.6.2",
    }


def test_it_listens_on_localhost_only(servers: launcher.Stack):
    process = psutil.Process(servers.actions.process.pid)
    listening = [
        c.laddr.ip for c in process.connections(kind="inet") if c.status == psutil.CONN_LISTEN
    ]
    assert listening and set(listening) == {"127.0.0.1"}


def test_a_call_without_the_token_is_refused(servers: launcher.Stack):
    response = requests.post(
        f"{servers.actions.url}/webhook", json=action_call({"sender_id": "someone"}), timeout=30
    )
    assert response.status_code == 401
    assert requests.get(f"{servers.actions.url}/health", timeout=30).status_code == 200


def test_a_failing_call_is_answered_without_the_patients_words(servers: launcher.Stack):
    token = servers.settings.actions_token
    broken = {"sender_id": "someone", "latest_message": [SECRET], "slots": {}}
    response = requests.post(
        f"{servers.actions.url}/webhook",
        params={"token": token},
        json=action_call(broken),
        timeout=30,
    )
    assert response.status_code == 500
    assert SECRET not in response.text
    assert SECRET not in servers.actions.log_path.read_text()


def test_it_runs_without_tensorflow(servers: launcher.Stack):
    # Loaded, TensorFlow would show among the process's mapped files.
    maps = open(f"/proc/{servers.actions.process.pid}/maps").read()
    assert "tensorflow" not in maps and "spacy" in maps
