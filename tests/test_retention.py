"""Conversations older than the retention period are forgotten, newer ones kept."""

import asyncio
import subprocess
import time

import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.conftest import PROJECT_ROOT

DAY = 24 * 60 * 60


def conversation(sender, days_ago):
    at = time.time() - days_ago * DAY
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=at),
            UserUttered("my chest feels tight", {"name": "report_emergency"}, timestamp=at + 1),
        ],
    )


def test_make_forget_deletes_only_conversations_older_than_the_retention(tmp_path):
    db = tmp_path / "conversations.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(db))
    for sender, days_ago in (("old", 40), ("recent", 2), ("older", 400)):
        asyncio.run(store.save(conversation(sender, days_ago)))
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(db)}})
    )

    result = subprocess.run(
        ["make", "--no-print-directory", "forget", "DAYS=30", f"ENDPOINTS={endpoints}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert "Forgot 2 conversation(s) untouched for more than 30 days." in result.stdout
    assert asyncio.run(store.retrieve("recent")) is not None
    assert asyncio.run(store.retrieve("old")) is None
    assert asyncio.run(store.retrieve("older")) is None
