"""Forgets conversations nobody has touched for N days.

Conversations hold what patients said about their health: keep them no
longer than the clinic needs. This deletes every conversation whose latest
event is older than the retention period from the SQL tracker store named in
endpoints.yml (SQLite by default, PostgreSQL in production). Run it daily,
for example from cron: `make forget` (ALK_RETENTION_DAYS, default 90) or
`python -m bot.retention --days 30`.
"""

import argparse
import os
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from bot.cli import quiet_rasa

# Before Rasa's import: its SQLAlchemy event model warns as it is defined.
quiet_rasa()

import sqlalchemy as sa  # noqa: E402
from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.shared.utils.io import read_config_file  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RETENTION_DAYS_ENV = "ALK_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
SECONDS_PER_DAY = 24 * 60 * 60
Event = SQLTrackerStore.SQLEvent


def store_url(tracker_store: Mapping[str, Any]) -> Any:
    """The database URL of an SQL tracker store configured as in an endpoints file."""
    if tracker_store.get("type") != "SQL":
        raise SystemExit("retention works on an SQL tracker store (see endpoints.yml)")
    settings = {
        key: tracker_store[key]
        for key in ("dialect", "port", "db", "username", "password", "query")
        if key in tracker_store
    }
    # Rasa names the database host `url` (endpoints.production.yml).
    settings["host"] = tracker_store.get("url") or tracker_store.get("host")
    return SQLTrackerStore.get_db_url(**settings)


def forget_older_than(engine: sa.engine.Engine, days: float, now: Optional[float] = None) -> int:
    """Deletes each conversation whose latest event is older than `days`;
    returns how many conversations were deleted."""
    cutoff = (now if now is not None else time.time()) - days * SECONDS_PER_DAY
    stale = (
        sa.select(Event.sender_id)
        .group_by(Event.sender_id)
        .having(sa.func.max(Event.timestamp) < cutoff)
    )
    with engine.begin() as connection:
        senders = [row[0] for row in connection.execute(stale)]
        if senders:
            connection.execute(sa.delete(Event).where(Event.sender_id.in_(senders)))
    return len(senders)


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days",
        type=float,
        default=float(os.environ.get(RETENTION_DAYS_ENV, DEFAULT_RETENTION_DAYS)),
        help=f"retention period (default: ${RETENTION_DAYS_ENV} or {DEFAULT_RETENTION_DAYS})",
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
