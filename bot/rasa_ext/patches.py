"""Changes to Rasa 3.6's internals, applied at start-up, each checked first.

`bot/rasa_ext/cli.py` applies them before any Rasa command, so `make run`,
`make chat`, the tests and `make bench` all run with them; a plain `rasa run`
does not. Each was found with a profile of one message (README, "How good,
how fast") and written against Rasa 3.6: before anything is changed,
`apply()` checks that Rasa is 3.6.x and that every attribute a patch
replaces or calls exists, and otherwise stops with an error naming the patch.
"""

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Dict, Tuple

SUPPORTED_RASA = "3.6."


class PatchError(RuntimeError):
    """Rasa is not the version a patch was written for."""


@dataclass(frozen=True)
class Patch:
    name: str
    # (module, class, attribute) the patch relies on.
    needs: Tuple[Tuple[str, str, str], ...]
    apply: Callable[[], None]


def check_action_schema_once() -> None:
    """Validates action server replies against a schema checked once, not per reply.

    Rasa validates every reply of the action server with
    `jsonschema.validate()`, which first checks Rasa's own (fixed) schema
    against the JSON Schema meta-schema: about 75 ms per custom action on 2
    cores, over 40% of a message's time. A reply that fails still goes through
    Rasa's own check, so its error and message stay exactly as before.
    """
    from jsonschema import exceptions, validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    rasa_validate = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        if exceptions.best_match(validator.iter_errors(result)) is None:
            return True
        return rasa_validate(self, result)

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


PATCHES = (
    Patch(
        "check the action-reply schema once",
        (
            ("rasa.core.actions.action", "RemoteAction", "action_response_format_spec"),
            ("rasa.core.actions.action", "RemoteAction", "_validate_action_result"),
        ),
        check_action_schema_once,
    ),
)


def check(patch: Patch, rasa_version: str) -> None:
    """Raises PatchError unless this Rasa has what the patch was written for."""
    if not rasa_version.startswith(SUPPORTED_RASA):
        raise PatchError(
            f"Patch {patch.name!r} was written for Rasa {SUPPORTED_RASA}x, not {rasa_version}: "
            "check it against this version (bot/rasa_ext/patches.py) before running."
        )
    for module_name, class_name, attribute in patch.needs:
        owner = getattr(importlib.import_module(module_name), class_name, None)
        if owner is None or not hasattr(owner, attribute):
            raise PatchError(
                f"Patch {patch.name!r}: Rasa {rasa_version} has no "
                f"{module_name}.{class_name}.{attribute}; the patch no longer fits."
            )


def apply() -> None:
    import rasa

    for patch in PATCHES:
        check(patch, rasa.__version__)
    for patch in PATCHES:
        patch.apply()
