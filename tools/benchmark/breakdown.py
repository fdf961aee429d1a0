"""Where the time goes for one message: NLU, the action server, and the rest.

Times, one request at a time, the same question three ways against the
running servers: the whole message through the REST webhook; NLU alone
through Rasa's `/model/parse`; and the action server alone, sent the very
call Rasa makes (the conversation's tracker and the domain). What remains of
the whole is the dialogue policies, the tracker store and Rasa's own work.
"""

import statistics
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Dict, List

import requests

from bot.channels.identity import REST, conversation_key
from bot.names import Action

QUESTION = "does xalkori give you the runs?"
ANSWER_ACTION = Action.ANSWER_QUESTION


@dataclass
class Breakdown:
    whole: float
    nlu: float
    action_server: float

    @property
    def rest(self) -> float:
        return max(self.whole - self.nlu - self.action_server, 0.0)


def median_seconds(call: Callable[[], None], repeats: int) -> float:
    timings: List[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(
    rasa_url: str, actions_url: str, api_token: str, actions_token: str, repeats: int = 30
) -> Breakdown:
    webhook = f"{rasa_url}/webhooks/rest/webhook"
    api = {"token": api_token}

    whole = []
    for _ in range(repeats):
        sender = f"bench-{uuid.uuid4()}"
        # Greeted first, so the timed message is a question mid-conversation.
        requests.post(
            webhook, json={"sender": sender, "message": "hi"}, timeout=60
        ).raise_for_status()
        started = time.perf_counter()
        requests.post(
            webhook, json={"sender": sender, "message": QUESTION}, timeout=60
        ).raise_for_status()
        whole.append(time.perf_counter() - started)

    nlu = median_seconds(
        lambda: requests.post(
            f"{rasa_url}/model/parse", params=api, json={"text": QUESTION}, timeout=60
        ).raise_for_status(),
        repeats,
    )
    action_call = _action_call(rasa_url, api, sender)
    action_server = median_seconds(
        lambda: requests.post(
            f"{actions_url}/webhook", params={"token": actions_token}, json=action_call, timeout=60
        ).raise_for_status(),
        repeats,
    )
    return Breakdown(statistics.median(whole), nlu, action_server)


def _action_call(rasa_url: str, api: Dict[str, str], sender: str) -> Dict:
    """The body Rasa posts to the action server to answer QUESTION."""
    key = conversation_key(REST, sender)
    tracker = requests.get(f"{rasa_url}/conversations/{key}/tracker", params=api, timeout=60)
    domain = requests.get(
        f"{rasa_url}/domain", params=api, headers={"Accept": "application/json"}, timeout=60
    )
    tracker.raise_for_status()
    domain.raise_for_status()
    return {
        "next_action": ANSWER_ACTION,
        "sender_id": key,
        "tracker": tracker.json(),
        "domain": domain.json(),
        "version": "3.6.21",
    }
