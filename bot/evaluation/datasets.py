"""The training data and the evaluation sets, read as plain (intent, text) pairs.

The held-out sets in tests/ were written by people who never saw data/nlu/;
`near_copy` is how the tests make sure no example leaks from one to the other.
"""

import difflib
import re
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAINING_FILES = sorted(
    path for path in (PROJECT_ROOT / "data" / "nlu").glob("*.yml") if path.name != "vocabulary.yml"
)
HELD_OUT = PROJECT_ROOT / "tests" / "nlu_heldout.yml"
ENTITIES_HELD_OUT = PROJECT_ROOT / "tests" / "nlu_entities_heldout.yml"
OUT_OF_SCOPE = PROJECT_ROOT / "tests" / "out_of_scope.yml"
TEST_STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"


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


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def near_copy(text: str, other: str) -> bool:
    """The same words, or nearly the same wording of a longer message."""
    a, b = normalised(text), normalised(other)
    if a == b:
        return True
    return min(len(a), len(b)) >= 12 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85
