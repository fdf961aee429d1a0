"""Rasa's command line, private and with library noise kept out of the terminal.

`python -m bot.rasa_ext.cli train ...` is `rasa train ...`, with telemetry
off, TensorFlow's start-up chatter silenced (unless the environment says
otherwise) and the project's patches of Rasa applied (bot/rasa_ext/patches.py).
Rasa's dependencies also emit dozens of deprecation warnings at import, and
one of them (aiogram) turns such warnings back on, so filters alone cannot
hide them: they are dropped at display instead. Rasa's own warnings and all
logs still show, except the words of a "/" message Rasa cannot parse, which
its warning quotes whole: a patient's words never reach the logs.
"""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import List, Optional

from bot.settings import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Rasa's and its libraries' own variables, defaults for every Rasa command.
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


# Rasa's warning for a "/" message it cannot parse quotes the message.
UNPARSED_COMMAND = re.compile(r"Failed to parse arguments in line")
WITHHELD = "Rasa could not parse a message starting with '/' (its words are not logged)."


def withheld(message: Warning | str) -> Warning | str:
    """The warning, without the person's words if it quotes them."""
    if UNPARSED_COMMAND.search(str(message)):
        return UserWarning(WITHHELD)
    return message


# Sanic's own variable: a request body over 1 MB is refused (HTTP 413)
# before it is read. The longest message allowed needs at most 120 kB.
SERVER_ENV = {"SANIC_REQUEST_MAX_SIZE": "1000000"}


def quiet_rasa() -> None:
    """Applies QUIET_ENV's defaults and hides deprecation warnings, for a
    process about to run Rasa (called from main functions, never at import)."""
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    show_warning = warnings.showwarning

    def show_unless_deprecation(message, category, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not issubclass(category, (DeprecationWarning, PendingDeprecationWarning)):
            show_warning(withheld(message), category, *args, **kwargs)

    warnings.showwarning = show_unless_deprecation


def run_rasa(*args: str, timeout: Optional[float] = None) -> subprocess.CompletedProcess:
    """Runs a Rasa command this way in a subprocess, in the project, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "bot.rasa_ext.cli", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def with_api_token(argv: List[str], settings: Settings) -> List[str]:
    """`rasa run` arguments with the API on when ALK_API_TOKEN is set. Added
    here, inside the process, so the token never shows in the process list."""
    if argv[1:2] == ["run"] and settings.api_token:
        return [*argv, "--enable-api", "--auth-token", settings.api_token]
    return argv


def main() -> None:
    quiet_rasa()
    for name, value in SERVER_ENV.items():
        os.environ.setdefault(name, value)
    from rasa.__main__ import main as rasa_main

    from bot.rasa_ext import patches

    patches.apply()

    sys.argv = with_api_token(["rasa", *sys.argv[1:]], get_settings())
    rasa_main()


if __name__ == "__main__":
    main()
