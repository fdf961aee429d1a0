"""`make run`'s launcher: starts both servers, says where to talk, stops on Ctrl-C."""

import signal
import subprocess
import sys
import time

import psutil
import pytest
import requests

from bot.runtime import launcher
from bot.runtime.launcher import PROJECT_ROOT, free_port


def read_until(process, marker, timeout=240):
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if marker in line:
            return "".join(lines)
    raise AssertionError(f"no {marker!r} in launcher output:\n{''.join(lines)}")


def test_launcher_serves_the_greeting_and_the_page_and_stops_every_server_on_ctrl_c(trained_model):
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.runtime.launcher",
            "--rasa-port",
            str(rasa_port),
            "--actions-port",
            str(actions_port),
            "--web-port",
            str(web_port),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = read_until(launcher, "Press Ctrl-C to stop.")
        webhook = f"http://localhost:{rasa_port}/webhooks/rest/webhook"
        assert webhook in banner
        servers = psutil.Process(launcher.pid).children()
        assert len(servers) == 3  # and the web chat page
        page = f"http://localhost:{web_port}/"
        assert page in banner and requests.get(page, timeout=10).ok

        replies = requests.post(webhook, json={"sender": "a", "message": "hi"}, timeout=60).json()
        assert "ALK Companion" in replies[0]["text"] and replies[-1]["buttons"]

        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(60) == 0
        gone, alive = psutil.wait_procs(servers, timeout=30)
        assert alive == []
    finally:
        if launcher.poll() is None:
            launcher.kill()


def test_launcher_without_a_model_says_how_to_get_one(tmp_path):
    with pytest.raises(launcher.ServerError, match="make train"):
        launcher.latest_model(tmp_path)
