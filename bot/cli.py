"""Rasa's command line, private and with library noise kept out of the terminal.

`python -m bot.cli train ...` is `rasa train ...`, with telemetry off and
TensorFlow's start-up chatter silenced (unless the environment says
otherwise). Rasa's dependencies also emit dozens of deprecation warnings at
import, and one of them (aiogram) turns such warnings back on, so filters
alone cannot hide them: they are dropped at display instead. Rasa's own
warnings and all logs still show.
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import List, Optional

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Turns on Rasa's HTTP API (trackers, parsing, models) for `run`, behind this
# token; without it the API stays off and only the channel webhooks are served.
API_TOKEN_ENV = "ALK_API_TOKEN"

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


def quiet_rasa() -> None:
    """Applies QUIET_ENV's defaults and hides deprecation warnings."""
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    show_warning = warnings.showwarning

    def show_unless_deprecation(message, category, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not issubclass(category, (DeprecationWarning, PendingDeprecationWarning)):
            show_warning(message, category, *args, **kwargs)

    warnings.showwarning = show_unless_deprecation


def run_rasa(*args: str, timeout: Optional[float] = None) -> subprocess.CompletedProcess:
    """Runs a Rasa command this way in a subprocess, in the project, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def with_api_token(argv: List[str]) -> List[str]:
    """`rasa run` arguments with the API on when ALK_API_TOKEN is set. Added
    here, inside the process, so the token never shows in the process list."""
    token = os.environ.get(API_TOKEN_ENV)
    if argv[1:2] == ["run"] and token:
        return [*argv, "--enable-api", "--auth-token", token]
    return argv


def main() -> None:
    quiet_rasa()
    from rasa.__main__ import main as rasa_main

    from bot import speedups

    speedups.apply()

    sys.argv = with_api_token(["rasa", *sys.argv[1:]])
    rasa_main()


if __name__ == "__main__":
    main()
