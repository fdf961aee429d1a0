"""The red-flag categories of content/safety.yml, read as plain data.

For what only needs their labels (the nurses' checklist, the handout): no
spaCy, unlike the detector that matches them (bot/safety/detector.py).
"""

from functools import cache
from pathlib import Path
from typing import Any, Mapping, Tuple

import yaml

SAFETY_PATH = Path(__file__).resolve().parents[2] / "content" / "safety.yml"


@cache
def load_rules(path: Path = SAFETY_PATH) -> Mapping[str, Any]:
    """The safety file as written: categories with patterns, and the cues."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def red_flag_labels(crisis: bool = False, path: Path = SAFETY_PATH) -> Tuple[str, ...]:
    """The labels of the emergencies (or, with `crisis`, of the crises), in file order."""
    categories = load_rules(path)["categories"].values()
    return tuple(spec["label"] for spec in categories if bool(spec.get("crisis")) == crisis)
