"""Forgets conversations nobody has touched for N days.

Conversations hold what patients said about their health: keep them no
longer than the clinic needs. This deletes every conversation whose latest
event is older than the retention period from the SQL tracker store named in
endpoints.yml (SQLite by default, PostgreSQL in production). Run it daily,
for example from cron: `make forget` (ALK_RETENTION_DAYS, default 90) or
`python -m bot.runtime.retention --days 30`.
"""

import argparse
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import sqlalchemy as sa

from bot.rasa_ext.cli import quiet_rasa
from bot.settings import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECONDS_PER_DAY = 24 * 60 * 60


def _events() -> Any:
    """Rasa's table of events, imported when needed: importing it is slow."""
    return _tracker_store().SQLEvent


def _tracker_store() -> Any:
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore


def store_url(tracker_store: Mapping[str, Any]) -> Any:
    """The database URL of an SQL tracker store configured as in an endpoints file."""
    if tracker_store.get("type") != "SQL":
        raise SystemExit("retention works on an SQL tracker store (see endpoints.yml)")
    parts = {
        key: tracker_store[key]
        for key in ("dialect", "port", "db", "username", "password", "query")
        if key in tracker_store
    }
    # Rasa names the database host `url` (endpoints.production.yml).
    parts["host"] = tracker_store.get("url") or tracker_store.get("host")
    return _tracker_store().get_db_url(**parts)


def forget_older_than(engine: sa.engine.Engine, days: float, now: Optional[float] = None) -> int:
    """Deletes each conversation whose latest event is older than `days`;
    returns how many conversations were deleted."""
    cutoff = (now if now is not None else time.time()) - days * SECONDS_PER_DAY
    events = _events()
    stale = (
        sa.select(events.sender_id)
        .group_by(events.sender_id)
        .having(sa.func.max(events.timestamp) < cutoff)
    )
    with engine.begin() as connection:
        senders = [row[0] for row in connection.execute(stale)]
        if senders:
            connection.execute(sa.delete(events).where(events.sender_id.in_(senders)))
    return len(senders)


def main(argv: Optional[Sequence[str]] = None) -> None:
    # Before Rasa's import: its SQLAlchemy event model warns as it is defined.
    quiet_rasa()
    from rasa.shared.utils.io import read_config_file

    days_variable = Settings.variable("retention_days")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days",
        type=float,
        default=get_settings().retention_days,
        help=f"retention period (default: ${days_variable} or {Settings.retention_days:g})",
    )
    parser.add_argument("--endpoints", type=Path, default=PROJECT_ROOT / "endpoints.yml")
    args = parser.parse_args(argv)
    # As Rasa reads it: ${VARIABLES} expanded (endpoints.production.yml).
    endpoints = read_config_file(args.endpoints)
    engine = sa.create_engine(store_url(endpoints.get("tracker_store") or {}))
    forgotten = forget_older_than(engine, args.days)
    print(f"Forgot {forgotten} conversation(s) untouched for more than {args.days:g} days.")


if __name__ == "__main__":
    main()
