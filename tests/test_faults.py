"""Keeps answering through faults: the launcher's supervision, shutdown and
port checks, unit-tested and then through the real processes (`make run`'s
launcher) with `kill -9` under a steady load of conversations."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import psutil
import pytest
import requests
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot.channels.health import passes, store_writable
from bot.channels.identity import REST, conversation_key
from bot.channels.replies import NOT_SAVED_REPLY
from bot.runtime import launcher
from bot.runtime.launcher import PROJECT_ROOT, ServerError, free_port
from tests.load import Post, SteadyLoad
from tests.test_launcher import read_until

# Supervision, with stand-ins for the servers ------------------------------


class FakeProcess:
    def __init__(self, exit_code: Optional[int] = None) -> None:
        self.returncode = exit_code

    def poll(self) -> Optional[int]:
        return self.returncode


@dataclass
class FakeServer:
    name: str
    process: FakeProcess
    log_path: Path = Path("logs/actions.log")
    starts: List[str] = field(default_factory=list)
    fails_again: bool = False

    def restarted(self) -> "FakeServer":
        self.starts.append("again")
        again = FakeServer(self.name, FakeProcess(-9 if self.fails_again else None))
        again.starts, again.fails_again = self.starts, self.fails_again
        return again

    def wait_until_ready(self, timeout: float) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: List[float] = []

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept.append(seconds)


def supervised(stack: launcher.Stack, clock: Clock, rounds: int) -> List[str]:
    """What supervise() reports in `rounds` rounds (it runs until interrupted)."""
    reported: List[str] = []

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        if seconds == 1 and len([s for s in clock.slept if s == 1]) >= rounds:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        launcher.supervise(stack, reported.append, clock=lambda: clock.now, sleep=sleep)
    return reported


def test_a_stopped_server_is_started_again_and_the_others_are_left_alone():
    actions = FakeServer("action server", FakeProcess(-9))
    rasa = FakeServer("Rasa server", FakeProcess())
    stack = launcher.Stack(actions, rasa)  # type: ignore[arg-type]
    clock = Clock()
    reported = supervised(stack, clock, rounds=3)
    assert reported == [
        "The action server stopped (exit code -9); starting it again in 0.5 s.",
        "The action server is back.",
    ]
    assert actions.starts == ["again"] and rasa.starts == []
    assert stack.actions is not actions and stack.actions.process.poll() is None


def test_a_server_that_keeps_stopping_gets_growing_delays_then_everything_stops():
    actions = FakeServer("action server", FakeProcess(1), fails_again=True)
    stack = launcher.Stack(actions, None)  # type: ignore[arg-type]
    clock = Clock()
    with pytest.raises(ServerError, match="stopped 5 times in 5 minutes: stopping everything"):
        launcher.supervise(stack, lambda line: None, clock=lambda: clock.now, sleep=clock.sleep)
    restart_delays = [seconds for seconds in clock.slept if seconds != 1]
    assert restart_delays == list(launcher.RESTART_DELAYS[: launcher.MAX_FAILURES - 1])


def test_stops_spread_out_in_time_are_forgiven():
    actions = FakeServer("action server", FakeProcess(1), fails_again=True)
    stack = launcher.Stack(actions, None)  # type: ignore[arg-type]
    clock = Clock()

    def slow_sleep(seconds: float) -> None:  # an hour between stops
        clock.sleep(3600 if seconds == 1 else seconds)
        if len(clock.slept) > 40:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        launcher.supervise(stack, lambda line: None, clock=lambda: clock.now, sleep=slow_sleep)
    assert len(actions.starts) == 20


# Ports --------------------------------------------------------------------


@contextmanager
def port_taken() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_port_in_use_is_named_in_one_line_with_how_to_choose_another(tmp_path):
    with port_taken() as port:
        with pytest.raises(ServerError) as refused:
            launcher.start(rasa_port=port, actions_port=free_port(), log_dir=tmp_path)
        message = str(refused.value)
        assert "\n" not in message and f"Port {port}, for the Rasa server, is in use" in message
        assert f"--rasa-port {port + 1000}" in message

        # `make chat` checks first, in the same words.
        checked = subprocess.run(
            [sys.executable, "-m", "bot.runtime.launcher", "--check-ports"]
            + ["--rasa-port", str(port), "--actions-port", str(free_port())],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert checked.returncode == 1 and checked.stderr.strip() == message
    assert "--check-ports" in (PROJECT_ROOT / "Makefile").read_text().split("\nchat:")[1]


# Through the real processes -------------------------------------------------


@dataclass
class Running:
    process: subprocess.Popen
    rasa_port: int
    api_token: str

    def servers(self) -> Dict[str, psutil.Process]:
        """The launcher's servers by the module each runs."""
        children = psutil.Process(self.process.pid).children()
        return {" ".join(child.cmdline()).split(" -m ")[1].split()[0]: child for child in children}

    def output(self) -> str:
        self.process.wait(60)
        return self.process.stdout.read()


@contextmanager
def running_launcher() -> Iterator[Running]:
    rasa_port = free_port()
    token = uuid.uuid4().hex
    ports = ["--rasa-port", str(rasa_port), "--actions-port", str(free_port())]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.launcher", *ports, "--web-port", str(free_port())],
        cwd=PROJECT_ROOT,
        # Rasa's API on, to compare what each conversation stored with what was sent.
        env={**os.environ, "ALK_API_TOKEN": token},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        read_until(process, "Press Ctrl-C to stop.")
        yield Running(process, rasa_port, token)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()


def rest_post(rasa_port: int) -> Post:
    def post(sender: str, text: str) -> List[dict]:
        response = requests.post(
            f"http://localhost:{rasa_port}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    return post


def stored_messages(running: Running, sender: str) -> List[str]:
    key = conversation_key(REST, sender)
    tracker = requests.get(
        f"http://localhost:{running.rasa_port}/conversations/{key}/tracker",
        params={"token": running.api_token},
        timeout=60,
    ).json()
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def test_a_killed_action_server_is_started_again_and_answers_resume_within_seconds(trained_model):
    with running_launcher() as running:
        with SteadyLoad(rest_post(running.rasa_port)) as load:
            action_server = running.servers()["bot.runtime.action_server"]
            recovery = load.run_through(action_server.kill, timeout=60)
        print(
            f"action server kill -9: every conversation answered {recovery:.1f} s after; "
            f"{load.summary()}"
        )
        assert recovery < 15
        # Every message got an answer or the apology: none silent, none lost.
        assert set(load.outcomes()) <= {"answer", "apology"}, load.summary()
        for sender in load.senders():
            sent = load.texts(sender, ("answer", "apology"))
            assert stored_messages(running, sender) == sent  # each stored once, in order
        running.process.send_signal(signal.SIGINT)
        assert "The action server stopped (exit code -9); starting it again" in running.output()


def test_a_killed_rasa_server_is_started_again_and_conversations_carry_on(trained_model):
    with running_launcher() as running:
        url = f"http://localhost:{running.rasa_port}/webhooks/rest/webhook"
        sender = f"carry-on-{uuid.uuid4()}"
        first = requests.post(
            url, json={"sender": sender, "message": "tell me about diarrhea"}, timeout=60
        )
        assert "61% of people had diarrhea" in str(first.json())
        killed_at = time.monotonic()
        running.servers()["bot.rasa_ext.cli"].kill()
        deadline = killed_at + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://localhost:{running.rasa_port}/", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        recovery = time.monotonic() - killed_at
        print(f"Rasa server kill -9: serving again after {recovery:.1f} s")
        severe = requests.post(
            url, json={"sender": sender, "message": "how often is it severe?"}, timeout=60
        )
        # Answered from what the conversation stored before the kill.
        assert "diarrhea was severe in 2% of people" in str(severe.json())


def test_two_stop_signals_in_quick_succession_stop_every_server(trained_model):
    with running_launcher() as running:
        servers = list(running.servers().values())
        assert len(servers) == 3
        listening = {
            connection.laddr.port
            for server in servers
            for connection in server.connections(kind="inet")
            if connection.status == psutil.CONN_LISTEN
        }
        # The later ones arrive while the servers are being stopped (on
        # 262a13b they interrupted that, and the action server stayed up).
        for gap in (0.3, 1.0, 0):
            running.process.send_signal(signal.SIGTERM)
            time.sleep(gap)
        assert running.process.wait(60) == 0
        gone, alive = psutil.wait_procs(servers, timeout=30)
        assert alive == []
        for port in listening:
            launcher.ensure_free(port, "test", "--port")  # nothing left listening


# Health ---------------------------------------------------------------------


def health(servers: launcher.Stack) -> Tuple[int, dict]:
    response = requests.get(f"{servers.rasa.url}/webhooks/health/", timeout=30)
    return response.status_code, response.json()


def test_the_health_endpoint_says_whether_the_assistant_can_really_answer(servers):
    everything = {"model": True, "action_server": True, "conversation_store": True}
    assert health(servers) == (200, {"status": "ok", "checks": everything})
    servers.actions.stop()
    try:
        down = {**everything, "action_server": False}
        assert health(servers) == (503, {"status": "unavailable", "checks": down})
    finally:
        servers.actions = servers.actions.restarted()
        servers.actions.wait_until_ready(timeout=120)
    assert health(servers)[0] == 200


def test_a_conversation_store_that_takes_no_write_fails_the_health_check(tmp_path):
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "conversations.db"))
    assert asyncio.run(store_writable(store))
    with store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE events"))
    assert not asyncio.run(passes("conversation_store", lambda: store_writable(store)))


# A conversation store that cannot be written ------------------------------


@contextmanager
def small_filesystem(path: Path) -> Iterator[Path]:
    """A 1 MB filesystem at `path`, to fill up and to make read-only."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(b"\0" * 4096)
        except OSError:  # no space left
            pass
    return filler


@contextmanager
def stack_with_store(tracker_db: Path, tmp_path: Path) -> Iterator[launcher.Stack]:
    stack = launcher.start(
        rasa_port=free_port(),
        actions_port=free_port(),
        log_dir=tmp_path / "logs",
        tracker_db=tracker_db,
        run_dir=tmp_path,
    )
    try:
        yield stack
    finally:
        stack.stop()


def test_a_full_or_read_only_store_is_said_and_logged_and_recovers(trained_model, tmp_path):
    with (
        small_filesystem(tmp_path / "store") as directory,
        stack_with_store(directory / "conversations.db", tmp_path) as stack,
    ):
        sender = f"disk-{uuid.uuid4()}"

        def say(text: str) -> List[str]:
            replies = requests.post(
                f"{stack.rasa.url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                timeout=60,
            ).json()
            return [reply["text"] for reply in replies]

        assert NOT_SAVED_REPLY not in say("what is crizotinib? (before)")
        filler = fill(directory)
        full = say("tell me about diarrhea (disk full)")
        # Answered, and told it will not be remembered.
        assert "61% of people had diarrhea" in " ".join(full) and full[-1] == NOT_SAVED_REPLY
        filler.unlink()
        assert NOT_SAVED_REPLY not in say("can I eat grapefruit? (space again)")

        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
        assert say("what is crizotinib? (read-only)")[-1] == NOT_SAVED_REPLY
        subprocess.run(["mount", "-o", "remount,rw", str(directory)], check=True)
        assert NOT_SAVED_REPLY not in say("what is crizotinib? (writable again)")

        tracker = SQLTrackerStore(dialect="sqlite", db=str(directory / "conversations.db"))
        stored = asyncio.run(tracker.retrieve(conversation_key(REST, sender)))
        said = [event.text for event in stored.events if event.type_name == "user"]
        assert said == [
            "what is crizotinib? (before)",
            "can I eat grapefruit? (space again)",
            "what is crizotinib? (writable again)",
        ]
        log = stack.rasa.log_path.read_text()
        assert "The conversation store failed: OperationalError (database or disk is full)" in log
        assert "OperationalError (attempt to write a readonly database)" in log
        assert "diarrhea" not in log and "read-only" not in log  # no words of the person
