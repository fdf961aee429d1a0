"""Changes to Rasa 3.6's internals, applied at start-up, each checked first.

`bot/rasa_ext/cli.py` applies them before any Rasa command, so `make run`,
`make chat`, the tests and `make bench` all run with them; a plain `rasa run`
does not. Each was found with a profile of one message (README, "How good,
how fast") and written against Rasa 3.6: before anything is changed,
`apply()` checks that Rasa is 3.6.x and that every attribute a patch
replaces or calls exists, and otherwise stops with an error naming the patch.
"""

import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

if TYPE_CHECKING:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain

SUPPORTED_RASA = "3.6."

logger = logging.getLogger(__name__)


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


class StoreFailure(RuntimeError):
    """The conversation store could not read or save a conversation."""


def fail_when_the_store_fails() -> None:
    """Makes a conversation store that fails fail the message, not forget it.

    Rasa wraps the store in a FailSafeTrackerStore: when the database cannot
    be read it answers from a blank conversation (a follow-up loses its
    thread), when it cannot be written it keeps the turn in memory only (lost
    for good when the database is back), and it logs the database's error,
    whose SQL parameters hold the person's words. Here the failure is logged
    by kind and raised, so the channel's `never_silent` tells the person, and
    SQL connections are checked before use, so that after a database restart
    no message fails on a connection the restart closed.
    """
    import sqlalchemy.exc
    from rasa.core.agent import Agent
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore

    def raise_store_failure(error: Exception) -> None:
        kind = type(error).__name__
        if isinstance(error, sqlalchemy.exc.OperationalError):
            # The database's own reason ("database or disk is full", "could
            # not connect to server"), without the SQL and parameters
            # SQLAlchemy adds after it.
            kind += f" ({str(error.orig).splitlines()[0]})"
        logger.error("The conversation store failed: %s", kind)
        raise StoreFailure(kind) from error

    def create_tracker_store(store: Optional["TrackerStore"], domain: "Domain") -> "TrackerStore":
        primary = store if store is not None else InMemoryTrackerStore(domain)
        primary.domain = domain
        if isinstance(primary, SQLTrackerStore):
            primary.engine.pool._pre_ping = True  # SQLAlchemy's pool_pre_ping
        return FailSafeTrackerStore(primary, on_tracker_store_error=raise_store_failure)

    Agent._create_tracker_store = staticmethod(create_tracker_store)  # type: ignore[method-assign]


PATCHES = (
    Patch(
        "check the action-reply schema once",
        (
            ("rasa.core.actions.action", "RemoteAction", "action_response_format_spec"),
            ("rasa.core.actions.action", "RemoteAction", "_validate_action_result"),
        ),
        check_action_schema_once,
    ),
    Patch(
        "fail the message when the conversation store fails",
        (
            ("rasa.core.agent", "Agent", "_create_tracker_store"),
            ("rasa.core.tracker_store", "FailSafeTrackerStore", "on_tracker_store_retrieve_error"),
        ),
        fail_when_the_store_fails,
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
