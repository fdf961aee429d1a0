"""An asyncio load generator for the REST webhook: N conversations at once.

Each simulated person goes through CONVERSATION (greeting, questions,
follow-ups, thanks) one message at a time, waiting for each reply as a
person would, then starts again as a new person. Every message's latency is
recorded; an HTTP error, a timeout or an empty reply counts as an error.
"""

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import List

import aiohttp

CONVERSATION = (
    "hi",
    "what is crizotinib?",
    "does xalkori give you the runs?",
    "how often is it severe?",
    "can I have grapefruit juice with it?",
    "what happens if the cancer grows again?",
    "thanks",
)


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: List[float] = field(default_factory=list)
    errors: int = 0

    @property
    def messages(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        """Latency in seconds below which `share` of answered messages fall."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _person(
    session: aiohttp.ClientSession, webhook: str, stop_at: float, result: LoadResult
) -> None:
    while time.monotonic() < stop_at:
        sender = f"bench-{uuid.uuid4()}"
        for message in CONVERSATION:
            if time.monotonic() >= stop_at:
                return
            started = time.monotonic()
            try:
                async with session.post(
                    webhook, json={"sender": sender, "message": message}
                ) as reply:
                    replies = await reply.json() if reply.status == 200 else []
            except (aiohttp.ClientError, asyncio.TimeoutError):
                replies = []
            if replies:
                result.latencies.append(time.monotonic() - started)
            else:
                result.errors += 1


async def _run(webhook: str, concurrency: int, seconds: float) -> LoadResult:
    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        result = LoadResult(concurrency, seconds)
        stop_at = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(
            *(_person(session, webhook, stop_at, result) for _ in range(concurrency))
        )
        # The last replies arrive after stop_at: divide by the time really taken.
        result.seconds = time.monotonic() - started
        return result


def run_load(webhook: str, concurrency: int, seconds: float) -> LoadResult:
    return asyncio.run(_run(webhook, concurrency, seconds))
