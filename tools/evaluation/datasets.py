"""The training data and the evaluation sets, read as plain (intent, text) pairs.

The held-out sets in tests/ were written by people who never saw data/nlu/;
`near_copy` is how the tests make sure no example leaks from one to the other.
"""

import difflib
import re
from functools import cache
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

import numpy as np
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAINING_FILES = sorted(
    path for path in (PROJECT_ROOT / "data" / "nlu").rglob("*.yml") if path.name != "vocabulary.yml"
)
HELD_OUT = PROJECT_ROOT / "tests" / "nlu_heldout.yml"
ENTITIES_HELD_OUT = PROJECT_ROOT / "tests" / "nlu_entities_heldout.yml"
OUT_OF_SCOPE = PROJECT_ROOT / "tests" / "out_of_scope.yml"
TEST_STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"
# How alike two wordings may be (difflib's ratio) before one counts as a copy.
NEAR = 0.85


def intent_examples(path: Path) -> Iterator[Tuple[str, str]]:
    """(intent, text) pairs from a Rasa NLU file, entity markup left as written."""
    for block in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["nlu"]:
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield block["intent"], line.strip()[2:].strip()


def training_examples() -> List[Tuple[str, str]]:
    return [example for path in TRAINING_FILES for example in intent_examples(path)]


def out_of_scope_sets() -> Dict[str, List[str]]:
    """{"off_topic": [...], "unrelated_medical": [...]}"""
    return yaml.safe_load(OUT_OF_SCOPE.read_text(encoding="utf-8"))


def story_names(path: Path) -> List[str]:
    return [story["story"] for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]]


@cache
def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def near_copy(text: str, other: str) -> bool:
    """The same words, or nearly the same wording of a longer message."""
    a, b = normalised(text), normalised(other)
    if a == b:
        return True
    if min(len(a), len(b)) < 12:
        return False
    # The cheap upper bounds first: most pairs are far apart.
    matcher = difflib.SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= NEAR
        and matcher.quick_ratio() >= NEAR
        and matcher.ratio() >= NEAR
    )


def _letter_counts(texts: Sequence[str], alphabet: Dict[str, int]) -> np.ndarray:
    counts = np.zeros((len(texts), len(alphabet)), dtype=np.int32)
    for row, text in enumerate(texts):
        for character in text:
            counts[row, alphabet[character]] += 1
    return counts


def near_copies(texts: Sequence[str], others: Sequence[str]) -> List[Tuple[str, str]]:
    """Every (text, other) pair that is a near copy, as `near_copy` judges it.

    difflib's quick_ratio (shared letters, order aside) bounds its ratio from
    above, so it is computed for all pairs at once and only the pairs it
    cannot rule out are compared letter by letter.
    """
    a = [normalised(text) for text in texts]
    b = [normalised(other) for other in others]
    alphabet = {character: i for i, character in enumerate(sorted(set("".join(a + b))))}
    if not a or not b or not alphabet:
        return []
    count_a, count_b = _letter_counts(a, alphabet), _letter_counts(b, alphabet)
    length_a, length_b = count_a.sum(axis=1), count_b.sum(axis=1)
    pairs = []
    for i, row in enumerate(count_a):
        shared = np.minimum(row, count_b).sum(axis=1)
        bound = 2 * shared / np.maximum(length_a[i] + length_b, 1)
        for j in np.flatnonzero(bound >= NEAR):
            if near_copy(texts[i], others[j]):
                pairs.append((texts[i], others[j]))
    return pairs
