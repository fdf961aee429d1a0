"""Intent accuracy on a held-out set the model never trained on.

tests/nlu_heldout.yml was written independently of data/nlu/: different
people, no copies, no near-copies (checked below). If the model's intent
accuracy on it drops below 0.90, the suite fails.
"""

import asyncio
import difflib
import re
from collections import Counter
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import yaml
from rasa.core.agent import Agent

from tests.conftest import PROJECT_ROOT

HELD_OUT = PROJECT_ROOT / "tests" / "nlu_heldout.yml"
TRAINING = [path for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")
            if path.name != "vocabulary.yml"]
MIN_ACCURACY = 0.90


def examples(path) -> Iterator[Tuple[str, str]]:
    """(intent, text) pairs from a Rasa NLU file."""
    for block in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["nlu"]:
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield block["intent"], line.strip()[2:].strip()


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def near_copy(text: str, other: str) -> bool:
    """The same words, or nearly the same wording of a longer message."""
    a, b = normalised(text), normalised(other)
    if a == b:
        return True
    return min(len(a), len(b)) >= 12 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def test_the_held_out_set_covers_every_intent_and_copies_no_training_example():
    held_out = list(examples(HELD_OUT))
    training = [text for path in TRAINING for _, text in examples(path)]
    trained_intents = {intent for path in TRAINING for intent, _ in examples(path)}
    assert {intent for intent, _ in held_out} == trained_intents
    copies = [(text, other) for _, text in held_out for other in training if near_copy(text, other)]
    assert not copies, f"held-out examples copy training data: {copies[:5]}"


@pytest.fixture(scope="module")
def agent(trained_model) -> Agent:
    return Agent.load(str(trained_model))


def test_intent_accuracy_on_the_held_out_set_is_at_least_0_90(agent):
    held_out = list(examples(HELD_OUT))
    predicted = [asyncio.run(agent.parse_message(text))["intent"]["name"] for _, text in held_out]
    wrong = [(text, intent, guess) for (intent, text), guess in zip(held_out, predicted)
             if guess != intent]
    accuracy = 1 - len(wrong) / len(held_out)
    by_intent = Counter(intent for _, intent, _ in wrong)
    print(f"\nheld-out intent accuracy: {accuracy:.3f} on {len(held_out)} examples; "
          f"misses by intent: {dict(by_intent)}")
    for text, intent, guess in wrong:
        print(f"  {intent} -> {guess}: {text}")
    assert accuracy >= MIN_ACCURACY
