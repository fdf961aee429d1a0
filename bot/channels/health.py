"""`GET /webhooks/health/`: whether the assistant can really answer.

For load balancers and the clinic's monitoring. Rasa's own `GET /` says only
that the server process is up; this answers HTTP 200 with
`{"status": "ok", "checks": {...}}` only when all three hold, and HTTP 503
naming what fails otherwise:
- `model`: the Rasa server has its model loaded;
- `action_server`: the action server answers its `/health`;
- `conversation_store`: the store takes a write (an SQL store gets a row
  written and rolled back: a read-only or full disk fails it, where Rasa
  would quietly keep conversations in memory instead).
Each check is bounded by CHECK_TIMEOUT_SECONDS and logged by its name only.
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import aiohttp
import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.utils.endpoints import EndpointConfig
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.replies import MessageHandler

CHECK_TIMEOUT_SECONDS = 5.0
PROBE_SENDER = "health:probe"  # never stored: its row is rolled back

logger = logging.getLogger(__name__)


async def action_server_up(endpoint: Optional[EndpointConfig]) -> bool:
    if endpoint is None:
        return False
    url = endpoint.url.rsplit("/webhook", 1)[0] + "/health"
    timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(url) as answer:
            return answer.status == 200


def _innermost(store: TrackerStore) -> TrackerStore:
    """The store itself, inside Rasa's awaitable and fail-safe wrappers."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _write_and_roll_back(store: SQLTrackerStore) -> bool:
    events = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        transaction = connection.begin()
        try:
            probe = {"sender_id": PROBE_SENDER, "type_name": "health", "timestamp": 0, "data": ""}
            connection.execute(sa.insert(events).values(**probe))
        finally:
            transaction.rollback()
    return True


async def store_writable(store: TrackerStore) -> bool:
    store = _innermost(store)
    if not isinstance(store, SQLTrackerStore):
        return True  # kept in memory: nothing to write to
    return await asyncio.to_thread(_write_and_roll_back, store)


async def passes(name: str, check: Callable[[], Awaitable[bool]]) -> bool:
    try:
        return await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as error:  # noqa: BLE001 (any failure means the check fails)
        logger.warning("health check %s failed: %s", name, type(error).__name__)
        return False


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "health"

    def blueprint(self, on_new_message: MessageHandler) -> Blueprint:
        health = Blueprint("health", __name__)

        @health.route("/", methods=["GET"])
        async def answer(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent

            async def model() -> bool:
                return bool(agent.is_ready())

            checks: Dict[str, Callable[[], Awaitable[bool]]] = {
                "model": model,
                "action_server": lambda: action_server_up(agent.action_endpoint),
                "conversation_store": lambda: store_writable(agent.tracker_store),
            }
            results = dict(
                zip(checks, await asyncio.gather(*(passes(n, c) for n, c in checks.items())))
            )
            healthy = all(results.values())
            body: Dict[str, Any] = {"status": "ok" if healthy else "unavailable", "checks": results}
            return response.json(body, status=200 if healthy else 503)

        return health
