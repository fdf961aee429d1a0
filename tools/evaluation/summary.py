"""The short Markdown summary of an evaluation (reports/summary.md)."""

from pathlib import Path
from typing import Dict, List

from tools.evaluation import answers, safety

AVERAGES = ("accuracy", "macro avg", "weighted avg", "micro avg")


def write_summary(results: Dict, path: Path) -> str:
    text = "\n".join(summary_lines(results)) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def summary_lines(results: Dict) -> List[str]:
    intents = results["intents"]
    diet, baseline = intents["diet"], intents["baseline"]
    lines = [
        "# ALK Companion: evaluation",
        "",
        f"Model `{results['model']}`. Written by `make eval`; details in evaluation.json.",
        "",
        f"## Intents on the held-out set ({intents['examples']} messages, never trained on)",
        "",
        "| classifier | accuracy | macro F1 | weighted F1 |",
        "| --- | --- | --- | --- |",
        _score_row("the intent classifier, its top intent", intents["diet_top_intent"]),
        _score_row("TF-IDF + logistic regression, its top intent", baseline),
        _ratio_row(intents["diet_top_intent"], baseline),
        _score_row("as deployed (confidence under 0.4 → fallback)", diet),
        "",
        "As deployed, per intent:",
        "",
        "| intent | precision | recall | F1 | support |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {name} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1-score']:.2f} "
            f"| {s['support']} |"
            for name, s in sorted(diet.items())
            if name not in AVERAGES and s["support"]
        ),
        "",
        "Most confused (true → predicted, count): "
        + (", ".join(f"{g} → {p} ({n})" for g, p, n in intents["confused_pairs"]) or "none")
        + ". Confusion matrix: intent_confusion_matrix.png.",
        "",
    ]
    cv = results.get("cross_validation")
    if cv:
        lines += [
            f"## Intents by {cv['folds']}-fold cross-validation on the training data",
            "",
            "| classifier | accuracy | macro F1 | weighted F1 |",
            "| --- | --- | --- | --- |",
            _score_row("the pipeline (Rasa's cross-validation)", cv["diet"]),
            _score_row("TF-IDF + logistic regression", cv["baseline"]),
            _ratio_row(cv["diet"], cv["baseline"]),
            "",
        ]
    entities = results["entities"]
    lines += [
        f"## Entities on the annotated held-out set ({entities['examples']} messages)",
        "",
        "A span counts when its start, end and type match; value = canonical value also right.",
        "",
        "| entity | precision | recall | F1 | value right | support |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {name} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1-score']:.2f} "
            f"| {s['value_accuracy']:.2f} | {s['support']} |"
            for name, s in entities["scores"].items()
        ),
        "",
        "## Off-topic and unrelated medical questions",
        "",
        "| set | messages | fallback path | confident topic answer | escalated | other |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {name} | {r['messages']} | {r['fallback']} ({r['fallback'] / r['messages']:.0%}) "
            f"| {r['topic_answer']} | {r['escalated']} | {r['other']} |"
            for name, r in results["out_of_scope"].items()
        ),
        "",
    ]
    dialogue = results["dialogue"]
    lines += [
        "## Dialogue",
        "",
        f"`rasa test core --fail-on-prediction-errors` on tests/test_stories.yml: "
        f"{dialogue['stories'] - dialogue['failed']} of {dialogue['stories']} conversations "
        f"predicted without an error ({'passed' if dialogue['passed'] else 'FAILED'}).",
        "",
    ]
    if "answers" in results:
        lines += [*answers.report_lines(results["answers"], "the held-out set"), ""]
    if "safety" in results:
        lines += [*safety.report_lines(results["safety"], "the held-out safety set"), ""]
    readability = results["readability"]
    lines += [
        f"## Readability of {readability['texts']} patient answers (Flesch-Kincaid grade)",
        "",
        f"min {readability['min']}, median {readability['median']}, max {readability['max']}.",
        "",
        "| grade | " + " | ".join(str(g) for g in readability["by_grade"]) + " |",
        "| --- |" + " --- |" * len(readability["by_grade"]),
        "| answers | " + " | ".join(str(n) for n in readability["by_grade"].values()) + " |",
    ]
    return lines


def _score_row(name: str, scores: Dict) -> str:
    headlines = (_headline(scores, key) for key in ("accuracy", "macro avg", "weighted avg"))
    return f"| {name} | " + " | ".join(f"{value:.3f}" for value in headlines) + " |"


def _ratio_row(diet: Dict, baseline: Dict) -> str:
    ratios = [
        f"{_headline(diet, key) / _headline(baseline, key):.2f}×"
        if _headline(baseline, key)
        else "n/a"
        for key in ("accuracy", "macro avg", "weighted avg")
    ]
    return "| classifier ÷ baseline | " + " | ".join(ratios) + " |"


def _headline(scores: Dict, key: str) -> float:
    return scores["accuracy"] if key == "accuracy" else scores[key]["f1-score"]
