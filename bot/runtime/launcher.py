"""Starts the action server and the Rasa server together, and stops them together.

`make run` uses it from the terminal; the tests use `start()` to run the real
servers on free ports. Each server writes its full log to a file, so the
terminal shows only what a person needs: where to talk to the assistant.
`make run` also serves the web chat page (page_server.py, port 8000), whose
origin alone may then use the Rasa server's socket.io channel. The launcher
hands each server the settings (bot/settings.py) as environment variables,
and writes the endpoints and credentials Rasa reads into build/run/.

While they run, it watches them (`supervise`): a server that stops is
started again, with growing delays, and after MAX_FAILURES stops within
FAILURE_WINDOW it stops everything and exits 1, so a service manager can take
over. Any number of SIGINT or SIGTERM stops every server once; a port already
taken is named, with how to choose another, before anything starts.

In production each host starts one of them (`--only rasa` or `--only
actions`) with `--endpoints endpoints.production.yml`: Rasa replicas behind a
load balancer, sharing PostgreSQL, Redis and the action server pool.
"""

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, NoReturn, Optional, Sequence

import requests
import yaml

from bot.channels import messaging
from bot.settings import Settings, child_environ, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = PROJECT_ROOT / "models"
LOG_DIR = PROJECT_ROOT / "logs"
# The endpoints and credentials written for Rasa: generated, never committed.
RUN_DIR = PROJECT_ROOT / "build" / "run"
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
ENV_REFERENCE = re.compile(r"\$\{(\w+)\}")  # how an endpoints file names a variable
# The servers' files (conversations, logs) are the patients' health data:
# readable by their owner alone.
PRIVATE_FILES = 0o077  # the umask: files 0600, directories 0700


class ServerError(RuntimeError):
    """A server did not start; the message ends with the tail of its log."""


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    url: str
    log_path: Path
    # How it was started, to start it again, and where it says it is ready.
    command: List[str]
    port: int
    settings: Settings
    health_path: str

    def restarted(self) -> "Server":
        """The same server started again, its log continued."""
        return _launch(
            self.name, self.command, self.port, self.log_path, self.settings, self.health_path, True
        )

    def log_tail(self, lines: int = 25) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"The {self.name} exited with code {self.process.returncode}. "
                    f"Last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if requests.get(self.url + self.health_path, timeout=2).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not up, or busy starting
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


def free_port() -> int:
    """A port nothing listens on now (for tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def write_private(path: Path, text: str) -> None:
    """Writes `text` to a file only its owner can read (replacing any)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(text)


def write_endpoints(
    settings: Settings,
    actions_url: Optional[str],
    run_file: Path,
    tracker_db: Optional[Path] = None,
    base: Path = DEFAULT_ENDPOINTS,
) -> Path:
    """The endpoints file `base`, with the action endpoint at the chosen port
    if given, and, if given, another file for the conversations (the tests
    use their own), written to `run_file`. ${VARIABLES} stay for Rasa to
    expand, but must be set."""
    endpoints = yaml.safe_load(base.read_text())
    if actions_url:
        endpoints["action_endpoint"]["url"] = f"{actions_url}/webhook"
    # The action server refuses calls without its token, when it has one.
    # The file names it for Rasa to expand from the environment it inherits,
    # so it is never written to disk (a file naming a token keeps its own).
    if settings.actions_token and "token" not in endpoints["action_endpoint"]:
        endpoints["action_endpoint"]["token"] = f"${{{Settings.variable('actions_token')}}}"
    if tracker_db:
        endpoints["tracker_store"]["db"] = str(tracker_db)
    if endpoints["tracker_store"].get("dialect") == "sqlite":
        # A file made before the servers' umask was set may be world-readable.
        database = PROJECT_ROOT / endpoints["tracker_store"]["db"]
        if database.exists():
            database.chmod(0o600)
    unset = sorted(
        set(ENV_REFERENCE.findall(yaml.safe_dump(endpoints))) - set(child_environ(settings))
    )
    if unset:
        raise ServerError(f"{base.name} needs these environment variables set: {', '.join(unset)}")
    write_private(run_file, yaml.safe_dump(endpoints))
    return run_file


def write_credentials(settings: Settings, run_file: Path) -> Path:
    """credentials.yml with the messaging apps whose environment variables
    are set (as ${VARIABLE}s: no secret on disk), written to `run_file`."""
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    try:
        credentials.update(messaging.enabled_channels(settings))
    except messaging.HalfConfigured as error:
        raise ServerError(str(error)) from error
    write_private(run_file, yaml.safe_dump(credentials))
    return run_file


def _launch(
    name: str,
    command: List[str],
    port: int,
    log_path: Path,
    settings: Settings,
    health_path: str,
    continue_log: bool = False,
) -> Server:
    """Starts `python -m command... --port port` with these settings."""
    if not continue_log:
        write_private(log_path, "")
    log_file = log_path.open("a", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--port", str(port)],
        cwd=PROJECT_ROOT,
        # Unbuffered: a log holds all a server wrote, even if it is killed.
        env={**child_environ(settings), "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        umask=PRIVATE_FILES,
        # Its own session: Ctrl-C reaches only this launcher, which then
        # stops the servers in order instead of both dying mid-request.
        start_new_session=True,
    )
    log_file.close()
    url = f"http://localhost:{port}"
    return Server(name, process, url, log_path, command, port, settings, health_path)


def start_action_server(
    port: int, log_dir: Path, web_url: Optional[str] = None, settings: Optional[Settings] = None
) -> Server:
    """`web_url`: the chat page's server, where the handouts the chat offers
    are made, unless ALK_WEB_URL says where people reach it."""
    settings = settings or get_settings()
    if web_url and not settings.web_url:
        settings = replace(settings, web_url=web_url)
    command = ["bot.runtime.action_server"]
    return _launch("action server", command, port, log_dir / "actions.log", settings, "/health")


def start_rasa_server(
    port: int,
    actions_url: Optional[str],
    log_dir: Path,
    model: Optional[Path] = None,
    tracker_db: Optional[Path] = None,
    endpoints_base: Path = DEFAULT_ENDPOINTS,
    web_origin: Optional[str] = None,
    settings: Optional[Settings] = None,
    run_dir: Path = RUN_DIR,
) -> Server:
    """Without `actions_url`, the file's action endpoint (an action server pool).
    `web_origin`, the chat page's, may use the socket.io channel unless
    ALK_WEB_ORIGINS says which origins may. Rasa's HTTP API is on only with
    ALK_API_TOKEN (bot/rasa_ext/cli.py)."""
    settings = settings or get_settings()
    if endpoints_base != DEFAULT_ENDPOINTS:
        _check_production_secrets(settings)
    if web_origin and settings.web_origins is None:
        settings = replace(settings, web_origins=(web_origin,))
    endpoints = write_endpoints(
        settings, actions_url, run_dir / f"endpoints-{port}.yml", tracker_db, endpoints_base
    )
    credentials = write_credentials(settings, run_dir / f"credentials-{port}.yml")
    command = ["bot.rasa_ext.cli", "run", "--model", str(model or latest_model())]
    command += ["--credentials", str(credentials), "--endpoints", str(endpoints)]
    return _launch("Rasa server", command, port, log_dir / "rasa.log", settings, "/webhooks/rest/")


def start_web_server(
    port: int, rasa_url: str, log_dir: Path, settings: Optional[Settings] = None
) -> Server:
    """The chat page (page_server.py), talking to `rasa_url` unless
    ALK_WEB_RASA_URL says where browsers reach the Rasa server."""
    settings = settings or get_settings()
    if not settings.web_rasa_url:
        settings = replace(settings, web_rasa_url=rasa_url)
    command = ["bot.runtime.page_server"]
    return _launch("web server", command, port, log_dir / "web.log", settings, "/")


def install_secret(path: Path) -> str:
    """A secret kept for this install in `path` (made on first use, 0600)."""
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text().strip()


def with_generated_secrets(settings: Settings, run_dir: Path, only: Optional[str]) -> Settings:
    """The settings, with the secrets nobody set made up: the action server's
    token, new at each launch of both servers (so no other local process can
    run actions), and the web chat's session secret, kept for the install so
    a chat survives a restart."""
    if not settings.actions_token and only is None:
        settings = replace(settings, actions_token=secrets.token_urlsafe(32))
    if not settings.session_secret and only != "actions":
        settings = replace(settings, session_secret=install_secret(run_dir / "session-secret"))
    return settings


def _check_production_secrets(settings: Settings) -> None:
    """Replicas must share a session secret, and REST, which lets its caller
    name any conversation, must be closed to all but the clinic's systems."""
    unset = [
        Settings.variable(name)
        for name in ("session_secret", "rest_token")
        if not getattr(settings, name)
    ]
    if unset:
        raise ServerError(
            f"Beyond the embedded default, set {' and '.join(unset)} "
            '(README, "Production: replicas").'
        )


def ensure_free(port: int, server: str, option: str) -> None:
    """Raises ServerError, in one line saying what to do, if `port` is taken."""
    with socket.socket() as probe:
        # A port left in TIME_WAIT by a server just stopped is free to take.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("", port))
        except OSError:
            raise ServerError(
                f"Port {port}, for the {server}, is in use: is ALK Companion already running? "
                f"Stop it, or choose another port: python -m bot.runtime.launcher "
                f"{option} {port + 1000}"
            ) from None


@dataclass
class Stack:
    actions: Optional[Server]
    rasa: Optional[Server]
    web: Optional[Server] = None
    settings: Settings = Settings()

    def servers(self) -> List[Server]:
        return [server for server in (self.web, self.rasa, self.actions) if server]

    def stop(self) -> None:
        # The chat page first, then Rasa, so no message reaches a server
        # that is gone.
        for server in self.servers():
            server.stop()


def start(
    rasa_port: int = 5005,
    actions_port: int = 5055,
    log_dir: Path = LOG_DIR,
    model: Optional[Path] = None,
    timeout: float = 240,
    tracker_db: Optional[Path] = None,
    endpoints: Path = DEFAULT_ENDPOINTS,
    only: Optional[str] = None,
    web_port: Optional[int] = None,
    settings: Optional[Settings] = None,
    run_dir: Path = RUN_DIR,
) -> Stack:
    """Starts both servers, or `only` "rasa" or "actions", and returns once
    they answer (or raises ServerError). A Rasa server started alone calls
    the action server its endpoints file names. With `web_port`, the chat
    page too, beside the Rasa server."""
    settings = settings or get_settings()
    if endpoints == DEFAULT_ENDPOINTS:
        settings = with_generated_secrets(settings, run_dir, only)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_dir.chmod(0o700)
    if only != "rasa":
        ensure_free(actions_port, "action server", "--actions-port")
    if only != "actions":
        ensure_free(rasa_port, "Rasa server", "--rasa-port")
    if web_port:
        ensure_free(web_port, "web chat page", "--web-port")
    web_url = f"http://localhost:{web_port}" if web_port else None
    actions = (
        start_action_server(actions_port, log_dir, web_url, settings) if only != "rasa" else None
    )
    try:
        rasa = (
            None
            if only == "actions"
            else start_rasa_server(
                rasa_port,
                actions and actions.url,
                log_dir,
                model,
                tracker_db,
                endpoints,
                web_origin=web_url,
                settings=settings,
                run_dir=run_dir,
            )
        )
    except BaseException:  # a failure, or a stop signal while starting
        if actions:
            actions.stop()
        raise
    web_server = (
        start_web_server(web_port, rasa.url, log_dir, settings) if web_port and rasa else None
    )
    stack = Stack(actions, rasa, web_server, settings)
    try:
        if actions:
            actions.wait_until_ready(timeout)
        if rasa:
            rasa.wait_until_ready(timeout)
        if web_server:
            web_server.wait_until_ready(timeout)
    except BaseException:
        stack.stop()
        raise
    return stack


# A server that stops unexpectedly is started again after the next of these
# delays (in seconds; then the last), unless it stopped MAX_FAILURES times
# within FAILURE_WINDOW seconds: then everything stops, for a service manager
# or a person to take over.
RESTART_DELAYS = (0.5, 2.0, 5.0, 10.0, 30.0)
MAX_FAILURES = 5
FAILURE_WINDOW = 300.0
ROLES = ("actions", "rasa", "web")


def supervise(
    stack: Stack,
    report: Callable[[str], None],
    ready_timeout: float = 240,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> NoReturn:
    """Keeps the stack's servers running until interrupted; raises
    ServerError when one keeps stopping. Reports each stop and restart by
    the server's name and exit code only: no log line of its is repeated."""
    stops: Dict[str, List[float]] = {}
    while True:
        for role in ROLES:
            server = getattr(stack, role)
            if server is None or server.process.poll() is None:
                continue
            now = clock()
            recent = [at for at in stops.get(role, []) if now - at < FAILURE_WINDOW] + [now]
            stops[role] = recent
            if len(recent) >= MAX_FAILURES:
                raise ServerError(
                    f"The {server.name} stopped {len(recent)} times in "
                    f"{FAILURE_WINDOW / 60:.0f} minutes: stopping everything. "
                    f"See {server.log_path}."
                )
            delay = RESTART_DELAYS[min(len(recent), len(RESTART_DELAYS)) - 1]
            report(
                f"The {server.name} stopped (exit code {server.process.returncode}); "
                f"starting it again in {delay:g} s."
            )
            sleep(delay)
            restarted = server.restarted()
            setattr(stack, role, restarted)
            try:
                restarted.wait_until_ready(ready_timeout)
                report(f"The {server.name} is back.")
            except ServerError:
                pass  # its stop is counted on the next round
        sleep(1)


def ignore_stop_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def stop_on_signals() -> None:
    """SIGINT and SIGTERM stop the launcher, once: the first raises
    KeyboardInterrupt, and any later one is ignored, so a repeated signal
    cannot interrupt the servers' shutdown and leave one running."""

    def stop(signum: int, frame: Any) -> None:
        ignore_stop_signals()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument(
        "--web-port",
        type=int,
        default=8000,
        help="the web chat page's port, served with both servers (default: 8000)",
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=DEFAULT_ENDPOINTS,
        help="endpoints file, e.g. endpoints.production.yml (default: endpoints.yml)",
    )
    parser.add_argument(
        "--only",
        choices=("rasa", "actions"),
        help="start one server: a Rasa replica, calling the action server its "
        "endpoints file names, or the action server (default: both)",
    )
    parser.add_argument(
        "--check-ports",
        action="store_true",
        help="only check that the Rasa server's and the action server's ports are free",
    )
    args = parser.parse_args(argv)
    if args.check_ports:
        try:
            ensure_free(args.rasa_port, "Rasa server", "--rasa-port")
            ensure_free(args.actions_port, "action server", "--actions-port")
        except ServerError as error:
            print(error, file=sys.stderr)
            return 1
        return 0

    stop_on_signals()
    starting = {
        None: "the action server and the Rasa server (about 30 s)",
        "rasa": "the Rasa server (about 30 s)",
        "actions": "the action server",
    }[args.only]
    print(f"Starting {starting}...", flush=True)
    try:
        stack = start(
            args.rasa_port,
            args.actions_port,
            endpoints=args.endpoints,
            only=args.only,
            web_port=args.web_port if args.only is None else None,
        )
    except ServerError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # start() has stopped what it started
        return 0

    logs = ", ".join(str(server.log_path) for server in stack.servers())
    if stack.rasa:
        webhook = f"{stack.rasa.url}/webhooks/rest/webhook"
        print(
            f"\nALK Companion is running.\n"
            f'  REST:      curl -s {webhook} -d \'{{"sender":"a","message":"hi"}}\'\n'
            f"  socket.io: {stack.rasa.url} (events user_uttered / bot_uttered)\n"
            + (f"  Web chat:  {stack.web.url}/\n" if stack.web else "")
            + f"  Logs:      {logs}\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
    else:
        print(
            f"\nThe ALK Companion action server is running: {stack.actions.url}/webhook\n"
            f"  Logs:      {logs}\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )
    try:
        supervise(stack, lambda line: print(line, file=sys.stderr, flush=True))
    except ServerError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    finally:
        ignore_stop_signals()
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
