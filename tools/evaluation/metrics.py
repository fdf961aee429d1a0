"""Scores for intents and entities, from gold labels and predictions."""

from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")  # files only: no display where `make eval` runs
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import classification_report, confusion_matrix  # noqa: E402

# (start, end, entity type, canonical value)
Entity = Tuple[int, int, str, str]


def intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> Dict:
    """Precision, recall, F1 and support per intent, with accuracy and averages."""
    return classification_report(gold, predicted, output_dict=True, zero_division=0)


def confused_pairs(
    gold: Sequence[str], predicted: Sequence[str], top: int = 10
) -> List[Tuple[str, str, int]]:
    """The most frequent (true intent, predicted intent) mistakes."""
    mistakes = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    return [(g, p, count) for (g, p), count in mistakes.most_common(top)]


def plot_confusion_matrix(
    gold: Sequence[str], predicted: Sequence[str], path: Path, title: str
) -> None:
    labels = sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(gold, predicted, labels=labels)
    figure, axes = plt.subplots(figsize=(11, 9))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("true intent")
    axes.set_title(title)
    for row, values in enumerate(matrix):
        for column, count in enumerate(values):
            if count:
                colour = "white" if count > matrix.max() / 2 else "black"
                axes.text(column, row, count, ha="center", va="center", fontsize=7, color=colour)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def entity_scores(gold: Iterable[Iterable[Entity]], predicted: Iterable[Iterable[Entity]]) -> Dict:
    """Per entity type: a span counts when its start, end and type all match;
    `value_accuracy` is the share of those whose canonical value is right too."""
    counts: Dict[str, Counter] = {}
    for gold_entities, predicted_entities in zip(gold, predicted):
        gold_spans = {entity[:3]: entity[3] for entity in gold_entities}
        predicted_spans = {entity[:3]: entity[3] for entity in predicted_entities}
        for span in gold_spans.keys() | predicted_spans.keys():
            count = counts.setdefault(span[2], Counter())
            if span in gold_spans and span in predicted_spans:
                count["tp"] += 1
                count["right_value"] += gold_spans[span] == predicted_spans[span]
            elif span in gold_spans:
                count["fn"] += 1
            else:
                count["fp"] += 1
    return {entity_type: _f1(count) for entity_type, count in sorted(counts.items())}


def _f1(count: Counter) -> Dict[str, float]:
    tp, fp, fn = count["tp"], count["fp"], count["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1-score": f1,
        "support": tp + fn,
        "value_accuracy": count["right_value"] / tp if tp else 0.0,
    }
