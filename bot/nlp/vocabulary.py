"""The entity vocabulary (data/nlu/vocabulary.yml), read as plain data.

One source for the spaCy entity ruler (bot/nlp/pipeline.py), the medication
check (bot/nurse/medications.py) and the tests; no spaCy needed to read it.
"""

from pathlib import Path
from typing import Dict, List

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VOCABULARY_PATH = PROJECT_ROOT / "data" / "nlu" / "vocabulary.yml"

# Canonical value -> every way of writing it (the value itself first).
Terms = Dict[str, List[str]]
# Entity type -> its terms.
Vocabulary = Dict[str, Terms]


def _example_lines(block: str) -> List[str]:
    """Reads a Rasa `examples: |` block, one `- item` per line."""
    return [
        line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")
    ]


def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Reads the vocabulary as {entity type: {canonical value: spellings}}.

    Each `lookup` names an entity type and lists its canonical values; the
    `synonym` block of a value adds its other spellings.
    """
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    variants = {
        item["synonym"]: _example_lines(item["examples"]) for item in items if "synonym" in item
    }
    vocabulary = {}
    for item in items:
        if "lookup" in item:
            vocabulary[item["lookup"]] = {
                value: [value, *variants.pop(value, [])]
                for value in _example_lines(item["examples"])
            }
    if variants:
        raise ValueError(f"{path}: synonyms without a lookup entry: {', '.join(sorted(variants))}")
    return vocabulary
