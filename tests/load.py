"""A steady load of conversations for the fault tests (tests/test_faults.py,
tests/test_replicas.py): what each message ended as, and how long after a
fault every conversation was answered again."""

import itertools
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

import requests

from bot.channels.replies import NOT_SAVED_REPLY, UNAVAILABLE_REPLY

# Sends one message of a conversation (sender, text); returns the replies or
# raises requests.RequestException when no HTTP answer came.
Post = Callable[[str, str], List[dict]]


def post_until_answered(
    post: Post, sender: str, text: str, attempts: int = 5
) -> Tuple[List[dict], int]:
    """Sends the message again after a pause while no HTTP answer comes, as
    the web chat does; returns the replies and the attempts it took."""
    attempt = 1
    while True:
        try:
            return post(sender, text), attempt
        except requests.RequestException:
            if attempt >= attempts:
                raise
            attempt += 1
            time.sleep(0.5)


@dataclass
class Message:
    sender: str
    text: str
    sent_at: float
    answered_at: float = 0.0
    attempts: int = 0
    outcome: str = "lost"  # "answer", "apology", "not saved", "silent" or "lost"


class SteadyLoad:
    """Conversations each sending `at_once` questions together as soon as the
    last were answered, after a person's pause. A message that got no HTTP
    answer is sent again, as the web chat does."""

    QUESTIONS = ("what is crizotinib?", "tell me about diarrhea", "can I eat grapefruit?")
    # Without it an apology comes back so fast that the counts would measure
    # this client, not people.
    PAUSE = 0.2
    ATTEMPTS = 5

    def __init__(self, post: Post, conversations: int = 4, at_once: int = 1) -> None:
        self.post = post
        self.at_once = at_once
        self.sent: List[Message] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._converse, args=(f"load-{uuid.uuid4()}",))
            for _ in range(conversations)
        ]

    def _send(self, message: Message) -> None:
        try:
            replies, message.attempts = post_until_answered(
                self.post, message.sender, message.text, self.ATTEMPTS
            )
        except requests.RequestException:
            message.attempts = self.ATTEMPTS
            return
        message.answered_at = time.monotonic()
        said = [reply.get("text") for reply in replies]
        if not said:
            message.outcome = "silent"
        elif UNAVAILABLE_REPLY in said:
            message.outcome = "apology"
        elif NOT_SAVED_REPLY in said:
            message.outcome = "not saved"
        else:
            message.outcome = "answer"

    def _converse(self, sender: str) -> None:
        turn = itertools.count()
        with ThreadPoolExecutor(self.at_once) as pool:
            while not self.stopping.is_set():
                batch = []
                for _ in range(self.at_once):
                    number = next(turn)
                    text = f"{self.QUESTIONS[number % 3]} ({number})"
                    batch.append(Message(sender, text, time.monotonic()))
                self.sent.extend(batch)
                list(pool.map(self._send, batch))
                time.sleep(self.PAUSE)

    def __enter__(self) -> "SteadyLoad":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(200)

    def run_through(self, fault: Callable[[], None], timeout: float = 240) -> float:
        """Applies the fault after a few seconds of load; returns the seconds
        from its start until every conversation had an answer again, and
        carries on a few seconds more."""
        time.sleep(3)
        started = time.monotonic()
        fault()
        deadline = time.monotonic() + timeout
        senders = {message.sender for message in self.sent}
        while time.monotonic() < deadline:
            answered: Dict[str, float] = {}
            for message in list(self.sent):
                if message.sent_at > started and message.outcome == "answer":
                    answered.setdefault(message.sender, message.answered_at)
            if set(answered) == senders:
                time.sleep(3)
                return max(answered.values()) - started
            time.sleep(0.2)
        raise AssertionError(f"a conversation had no answer within {timeout} s of the fault")

    def outcomes(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        for message in self.sent:
            counts[message.outcome] = counts.get(message.outcome, 0) + 1
        return counts

    def senders(self) -> List[str]:
        return sorted({message.sender for message in self.sent})

    def texts(self, sender: str, outcomes: tuple = ("answer",)) -> List[str]:
        """What `sender` sent that ended in one of `outcomes`, in order."""
        return [m.text for m in self.sent if m.sender == sender and m.outcome in outcomes]

    def sent_again(self, sender: str) -> List[str]:
        """What `sender` sent more than once, having had no HTTP answer."""
        return [m.text for m in self.sent if m.sender == sender and m.attempts > 1]

    def summary(self) -> str:
        retried = sum(message.attempts > 1 for message in self.sent)
        return f"{self.outcomes()}; {retried} sent again after getting no HTTP answer"
