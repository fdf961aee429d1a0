"""Rasa's command line with library noise kept out of the terminal.

`python -m bot.cli train ...` is `rasa train ...`. Rasa's dependencies emit
dozens of deprecation warnings at import, and one of them (aiogram) turns
such warnings back on, so filters alone cannot hide them: they are dropped at
display instead. Rasa's own warnings and all logs still show.
"""

import sys
import warnings


def hide_deprecation_warnings() -> None:
    show_warning = warnings.showwarning

    def show_unless_deprecation(message, category, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not issubclass(category, (DeprecationWarning, PendingDeprecationWarning)):
            show_warning(message, category, *args, **kwargs)

    warnings.showwarning = show_unless_deprecation


def main() -> None:
    hide_deprecation_warnings()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
