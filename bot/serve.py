"""Starts the action server and the Rasa server together, and stops them together.

`make run` uses it from the terminal; the tests use `start()` to run the real
servers on free ports. Each server writes its full log to a file, so the
terminal shows only what a person needs: where to talk to the assistant.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

import requests
import yaml

from bot import action_server

API_TOKEN_ENV = "ALK_API_TOKEN"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
MODELS_DIR = PROJECT_ROOT / "models"
LOG_DIR = PROJECT_ROOT / "logs"


class ServerError(RuntimeError):
    """A server did not start; the message ends with the tail of its log."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    url: str
    log_path: Path

    def log_tail(self, lines: int = 25) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, health_path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"The {self.name} exited with code {self.process.returncode}. "
                    f"Last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if requests.get(self.url + health_path, timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise ServerError(
            f"The {self.name} was not ready after {timeout:.0f} s. "
            f"Last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self, grace: float = 15) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def latest_model(models_dir: Path = MODELS_DIR) -> Path:
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    if not models:
        raise ServerError(f"No trained model in {models_dir}. Run `make train` first.")
    return models[-1]


def write_endpoints(actions_url: str, log_dir: Path, tracker_db: Optional[Path] = None) -> Path:
    """endpoints.yml with the action endpoint at the chosen port, beside the logs;
    and, if given, another file for the conversations (the tests use their own)."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = f"{actions_url}/webhook"
    # The action server refuses calls without its token, when it has one.
    token = os.environ.get(action_server.TOKEN_ENV)
    if token:
        endpoints["action_endpoint"]["token"] = token
    if tracker_db:
        endpoints["tracker_store"]["db"] = str(tracker_db)
    path = log_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def _launch(name: str, args: List[str], url: str, log_path: Path) -> Server:
    log_file = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        # Its own session: Ctrl-C reaches only this launcher, which then
        # stops the servers in order instead of both dying mid-request.
        start_new_session=True,
    )
    log_file.close()
    return Server(name, process, url, log_path)


def start_action_server(port: int, log_dir: Path) -> Server:
    return _launch(
        "action server",
        ["bot.action_server", "--port", str(port)],
        f"http://localhost:{port}",
        log_dir / "actions.log",
    )


def start_rasa_server(
    port: int,
    actions_url: str,
    log_dir: Path,
    model: Optional[Path] = None,
    tracker_db: Optional[Path] = None,
) -> Server:
    endpoints = write_endpoints(actions_url, log_dir, tracker_db)
    args = ["bot.cli", "run", "--port", str(port), "--model", str(model or latest_model())]
    args += ["--credentials", "credentials.yml", "--endpoints", str(endpoints)]
    # Rasa's HTTP API (trackers, parsing, models) only with a token; without
    # one it stays off and only the channel webhooks are served.
    api_token = os.environ.get(API_TOKEN_ENV)
    if api_token:
        args += ["--enable-api", "--auth-token", api_token]
    return _launch(
        "Rasa server", args, f"http://localhost:{port}", log_dir / "rasa.log"
    )


@dataclass
class Stack:
    actions: Server
    rasa: Server

    def stop(self) -> None:
        # Rasa first, so no message reaches an action server that is gone.
        self.rasa.stop()
        self.actions.stop()


def start(
    rasa_port: int = 5005,
    actions_port: int = 5055,
    log_dir: Path = LOG_DIR,
    model: Optional[Path] = None,
    timeout: float = 240,
    tracker_db: Optional[Path] = None,
) -> Stack:
    """Starts both servers and returns once both answer (or raises ServerError)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    actions = start_action_server(actions_port, log_dir)
    try:
        rasa = start_rasa_server(rasa_port, actions.url, log_dir, model, tracker_db)
    except ServerError:
        actions.stop()
        raise
    stack = Stack(actions, rasa)
    try:
        actions.wait_until_ready("/health", timeout)
        rasa.wait_until_ready("/webhooks/rest/", timeout)
    except BaseException:
        stack.stop()
        raise
    return stack


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    args = parser.parse_args(argv)

    print("Starting the action server and the Rasa server (about 30 s)...", flush=True)
    try:
        stack = start(args.rasa_port, args.actions_port)
    except ServerError as error:
        print(error, file=sys.stderr)
        return 1

    webhook = f"{stack.rasa.url}/webhooks/rest/webhook"
    print(
        f"\nALK Companion is running.\n"
        f"  REST:      curl -s {webhook} -d '{{\"sender\":\"a\",\"message\":\"hi\"}}'\n"
        f"  socket.io: {stack.rasa.url} (events user_uttered / bot_uttered)\n"
        f"  Logs:      {LOG_DIR}/rasa.log, {LOG_DIR}/actions.log\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    actions_down_reported = False
    try:
        while stack.rasa.process.poll() is None:
            if stack.actions.process.poll() is not None and not actions_down_reported:
                # Rasa keeps serving and apologises where an answer needs actions.
                print(f"The action server stopped: see {stack.actions.log_path}.", file=sys.stderr)
                actions_down_reported = True
            time.sleep(1)
        print(f"The Rasa server stopped: see {stack.rasa.log_path}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        # A second Ctrl-C must not leave the servers half stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
