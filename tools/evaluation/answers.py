"""Answer-level evaluation: does each message get the answer it should?

Every message goes through the running servers (REST channel, Rasa, the
action server), as a person's would: single messages each in a new
conversation, conversations turn by turn. After each turn the conversation's
tracker tells what happened: an urgent reply, the fallback, the decision
deferral, and which answer was given (the `last_answer` slot, named as in
bot/knowledge/answer_keys.py). That is compared with the answer the set's
writer named, by the label scheme `python -m tools.evaluation.labels` writes.

    python -m tools.evaluation.answers [--set tests/heldout/answers.yml] [--model M]

`make eval` runs it on the held-out set; the sets in tests/development/ are
for reading misses while changing the data and the code.
"""

import argparse
import json
import math
import sys
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import requests
import yaml

from bot.channels.identity import REST, conversation_key
from bot.names import URGENT_QUESTIONS, URGENT_REPLIES, Action, Slot
from bot.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = PROJECT_ROOT / "tests" / "heldout" / "answers.yml"
REPORTS = PROJECT_ROOT / "reports"
DEFER_DECISION = "utter_defer_decision"
ESCALATED = "escalated"
ASKED_IF_URGENT = "asked_if_urgent"
FALLBACK = "fallback"
# What the issue asks of each headline figure (not met yet: see the README),
# and where the suite fails: just under the figures measured on the held-out
# set in December 2026, so that a change that loses ground is caught.
TARGET = 0.95
FLOOR = {"answers": 0.92, "not covered": 0.89, "follow-up turns": 0.74}


# The trial a side-effect answer is about when none is named: a label that
# names it means the same answer as one that does not.
MAIN_TRIAL = "@PROFILE-1014"


def same_answer(label: str) -> str:
    """A label written the way the assistant names that answer."""
    if label.startswith(("side_effect:", "decision:side_effect:")) and label.endswith(MAIN_TRIAL):
        return label[: -len(MAIN_TRIAL)]
    return label


@dataclass(frozen=True)
class Item:
    text: str
    kind: str
    answer: str
    topic: str = ""
    voice: str = ""
    follow_up: bool = False
    conversation: Optional[str] = None
    accept: Tuple[str, ...] = ()  # other answers the set's writer counts as right


@dataclass(frozen=True)
class Outcome:
    item: Item
    got: str

    @property
    def right(self) -> bool:
        wanted = {same_answer(label) for label in (self.item.answer, *self.item.accept)}
        return same_answer(self.got) in wanted

    @property
    def right_kind(self) -> bool:
        """Not covered, said as not covered (whatever subject it named)."""
        return self.got.split(":")[0] == self.item.answer.split(":")[0]


def _item(raw: Dict, conversation: Optional[str] = None) -> Item:
    fields = set(Item.__dataclass_fields__) - {"conversation", "accept"}
    return Item(
        **{key: value for key, value in raw.items() if key in fields},
        accept=tuple(raw.get("accept") or ()),
        conversation=conversation,
    )


def load_set(path: Path) -> Tuple[List[Item], List[List[Item]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    messages = [_item(message) for message in data["messages"]]
    conversations = [
        [_item(turn, talk["id"]) for turn in talk["turns"]]
        for talk in data.get("conversations", [])
    ]
    return messages, conversations


def label_of_turn(events: Sequence[Dict]) -> str:
    """What the assistant did with the latest message, as a label."""
    actions = [event.get("name") for event in events if event.get("event") == "action"]
    if any(action in URGENT_REPLIES for action in actions):
        return ESCALATED
    if any(action in URGENT_QUESTIONS for action in actions):
        return ASKED_IF_URGENT
    answers = [
        event.get("value")
        for event in events
        if event.get("event") == "slot" and event.get("name") == Slot.LAST_ANSWER
    ]
    if answers and answers[-1]:
        prefix = "decision:" if DEFER_DECISION in actions else ""
        return prefix + str(answers[-1])
    if Action.RESPOND_TO_FALLBACK in actions:
        return "out_of_scope"
    return "+".join(str(action) for action in actions if action != "action_listen") or "nothing"


class Client:
    """Talks to a running Rasa server as one person per conversation."""

    def __init__(self, rasa_url: str, api_token: Optional[str]) -> None:
        self.rasa_url = rasa_url
        self.params = {"token": api_token} if api_token else {}

    def converse(self, turns: Sequence[Item]) -> List[Outcome]:
        sender = f"eval-{uuid.uuid4()}"
        outcomes = []
        seen = 0
        for turn in turns:
            response = requests.post(
                f"{self.rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": turn.text},
                timeout=60,
            )
            response.raise_for_status()
            tracker = requests.get(
                f"{self.rasa_url}/conversations/{conversation_key(REST, sender)}/tracker",
                params=self.params,
                timeout=60,
            )
            tracker.raise_for_status()
            events = tracker.json()["events"]
            latest = max(i for i, event in enumerate(events) if event.get("event") == "user")
            outcomes.append(Outcome(turn, label_of_turn(events[max(latest, seen) :])))
            seen = len(events)
        return outcomes


def run(client: Client, path: Path = HELD_OUT, workers: int = 4) -> List[Outcome]:
    messages, conversations = load_set(path)
    groups = [[message] for message in messages] + conversations
    with ThreadPoolExecutor(workers) as pool:
        return [outcome for group in pool.map(client.converse, groups) for outcome in group]


def wilson(right: int, total: int, z: float = 1.96) -> Tuple[float, float]:
    """The Wilson score interval for a proportion (95% by default)."""
    if total == 0:
        return (0.0, 1.0)
    share = right / total
    centre = (share + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    half /= 1 + z * z / total
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(outcomes: Sequence[Outcome], lenient: bool = False) -> Dict:
    right = sum(o.right_kind if lenient else o.right for o in outcomes)
    low, high = wilson(right, len(outcomes))
    share = right / len(outcomes) if outcomes else 0.0
    return {"right": right, "total": len(outcomes), "rate": share, "ci95": [low, high]}


def _by(outcomes: Iterable[Outcome], key) -> Dict[str, List[Outcome]]:
    groups: Dict[str, List[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[key(outcome)].append(outcome)
    return dict(sorted(groups.items()))


# Turns a set sends to keep a conversation going without naming an answer
# ("why?", "where is that from?" answered by the conversation's own logic).
UNSCORED = "unscored"


def score(outcomes: Sequence[Outcome]) -> Dict:
    """Rates overall, by kind, by topic, by voice; follow-up turns apart."""
    outcomes = [o for o in outcomes if o.item.kind != UNSCORED]
    singles = [o for o in outcomes if not o.item.follow_up]
    follow_ups = [o for o in outcomes if o.item.follow_up]
    not_covered = [o for o in outcomes if o.item.kind == "not_covered"]
    confusions = Counter((o.item.answer, o.got) for o in outcomes if not o.right)
    return {
        "all": rate(outcomes),
        "first_turns": rate(singles),
        "follow_ups": rate(follow_ups),
        "by_kind": {
            kind: rate(group) for kind, group in _by(singles, lambda o: o.item.kind).items()
        },
        "not_covered_as_not_covered": rate(not_covered, lenient=True),
        "by_topic": {t: rate(g) for t, g in _by(singles, lambda o: o.item.topic).items()},
        "by_voice": {v: rate(g) for v, g in _by(singles, lambda o: o.item.voice).items()},
        "confusions": [
            {"wanted": wanted, "got": got, "times": times}
            for (wanted, got), times in confusions.most_common()
        ],
        "misses": [{**asdict(o.item), "got": o.got} for o in outcomes if not o.right],
    }


def headline(scores: Dict) -> Dict[str, Dict]:
    """The figures the targets are set on."""
    return {
        "answers": scores["by_kind"].get("answer", rate([])),
        "not covered": scores["by_kind"].get("not_covered", rate([])),
        "follow-up turns": scores["follow_ups"],
    }


def report_lines(scores: Dict, name: str) -> List[str]:
    def line(label: str, figures: Dict) -> str:
        low, high = figures["ci95"]
        return (
            f"| {label} | {figures['right']}/{figures['total']} | {figures['rate']:.3f} "
            f"| {low:.3f}-{high:.3f} |"
        )

    lines = [
        f"## Answers on {name}",
        "",
        "| | right | rate | 95% CI (Wilson) |",
        "|---|---|---|---|",
    ]
    lines.append(line("all turns", scores["all"]))
    lines.append(line("follow-up turns", scores["follow_ups"]))
    for kind, figures in scores["by_kind"].items():
        lines.append(line(f"kind: {kind}", figures))
    lines.append(line("not covered, any subject", scores["not_covered_as_not_covered"]))
    for topic, figures in scores["by_topic"].items():
        lines.append(line(f"topic: {topic}", figures))
    for voice, figures in scores["by_voice"].items():
        lines.append(line(f"voice: {voice}", figures))
    lines += ["", "Most frequent confusions (wanted -> got):", ""]
    lines += [f"- {c['times']} x {c['wanted']} -> {c['got']}" for c in scores["confusions"][:25]]
    return lines


@contextmanager
def serving(model: Optional[Path], logs: Path) -> Iterator[Client]:
    """Servers started for an evaluation, with their own conversation store
    in `logs`, and a client that talks to them."""
    from bot.runtime import launcher

    settings = replace(get_settings(), api_token=uuid.uuid4().hex, actions_token=uuid.uuid4().hex)
    stack = launcher.start(
        rasa_port=launcher.free_port(),
        actions_port=launcher.free_port(),
        log_dir=logs,
        model=model,
        tracker_db=logs / "conversations.db",
        settings=settings,
        run_dir=logs,
    )
    try:
        assert stack.rasa is not None
        yield Client(stack.rasa.url, settings.api_token)
    finally:
        stack.stop()


def evaluate(path: Path = HELD_OUT, model: Optional[Path] = None, out: Path = REPORTS) -> Dict:
    """Every message and conversation of the set through servers started for
    it (logs in out/answer-eval-logs/); the scores."""
    with serving(model, out / "answer-eval-logs") as client:
        return score(run(client, path))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HELD_OUT)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--out", type=Path, default=REPORTS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scores = evaluate(args.set, args.model, args.out)
    name = f"{args.set.parent.name}/{args.set.name}"
    report = args.out / f"answers-{args.set.parent.name}-{args.set.stem}.json"
    report.write_text(json.dumps(scores, indent=2))
    print("\n".join(report_lines(scores, name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
