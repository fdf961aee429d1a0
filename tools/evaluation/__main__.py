"""`make eval`: NLU, dialogue, readability and out-of-scope evaluation, written to reports/.

    python -m tools.evaluation [--model models/x.tar.gz] [--out reports] [--folds 5]

`make eval` takes about 10 minutes on 2 cores, most of it the
cross-validation (the pipeline is trained once per fold).

- Intents on the held-out set (never training data), with the trained model
  exactly as it runs (a low-confidence `nlu_fallback` counts as predicted),
  beside a TF-IDF + logistic regression baseline trained on the same data;
- intents by k-fold cross-validation on the training data (Rasa's own
  `rasa test nlu --cross-validation`, which retrains the pipeline k times);
- entities on an annotated held-out set: exact span and type, and whether the
  canonical value is right;
- dialogue: `rasa test core` on tests/test_stories.yml with
  --fail-on-prediction-errors;
- off-topic and unrelated medical questions: how many take the fallback path
  instead of getting a confident topic answer;
- the reading grade of every patient answer;
- answers on the held-out set (tests/heldout/answers.yml) through the
  running servers: the right card or table answer, per kind, topic and
  voice, follow-up turns apart, with 95% Wilson intervals and the most
  frequent confusions (tools/evaluation/answers.py);
- safety on the held-out safety set (tests/heldout/safety.yml) through the
  running servers: red-flag recall and false alarms per category, with exact
  95% intervals, every miss and false alarm verbatim
  (tools/evaluation/safety.py).
"""

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot.names import NLU_FALLBACK_INTENT, URGENT_REPLIES, Action
from bot.rasa_ext import cli
from tools.evaluation import answers, datasets, metrics, safety
from tools.evaluation.baseline import RANDOM_SEED, train_baseline
from tools.evaluation.summary import write_summary

# The first action after a message, and what it means for the person.
PATHS = {
    Action.RESPOND_TO_FALLBACK: "fallback",
    Action.ANSWER_QUESTION: "topic answer",
    **{action: "escalated" for action in URGENT_REPLIES},
}


def parse_all(agent, texts: Sequence[str]) -> List[Dict]:
    async def parse() -> List[Dict]:
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(parse())


def evaluate_intents(agent, out: Path) -> Dict:
    held_out = list(datasets.intent_examples(datasets.HELD_OUT))
    gold = [intent for intent, _ in held_out]
    texts = [text for _, text in held_out]
    parses = parse_all(agent, texts)
    predicted = [parse["intent"]["name"] for parse in parses]
    top_intents = [top_intent(parse) for parse in parses]
    training = datasets.training_examples()
    baseline = train_baseline([text for _, text in training], [intent for intent, _ in training])
    baseline_predicted = list(baseline.predict(texts))
    metrics.plot_confusion_matrix(
        gold,
        predicted,
        out / "intent_confusion_matrix.png",
        f"The intent classifier on the held-out set ({len(texts)} messages)",
    )
    return {
        "examples": len(texts),
        "diet": metrics.intent_scores(gold, predicted),
        "diet_top_intent": metrics.intent_scores(gold, top_intents),
        "baseline": metrics.intent_scores(gold, baseline_predicted),
        "confused_pairs": metrics.confused_pairs(gold, predicted),
        "errors": [
            {"text": text, "intent": intent, "predicted": guess}
            for text, intent, guess in zip(texts, gold, predicted)
            if guess != intent
        ],
    }


def top_intent(parse: Dict) -> str:
    """The classifier's best intent, before the FallbackClassifier sets low confidence aside."""
    return next(
        (
            ranked["name"]
            for ranked in parse.get("intent_ranking", [])
            if ranked["name"] != NLU_FALLBACK_INTENT
        ),
        parse["intent"]["name"],
    )


def cross_validate(folds: int, out: Path) -> Dict:
    """Rasa's own k-fold cross-validation of the NLU pipeline on data/nlu."""
    cv_out = out / "nlu-cross-validation"
    run_rasa(
        [
            "test",
            "nlu",
            "--nlu",
            "data/nlu",
            "--config",
            "config.yml",
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(cv_out),
        ]
    )
    report = json.loads((cv_out / "intent_report.json").read_text())
    training = datasets.training_examples()
    texts = [text for _, text in training]
    intents = [intent for intent, _ in training]
    return {
        "folds": folds,
        "diet": report,
        "baseline": baseline_cross_validation(texts, intents, folds),
    }


def baseline_cross_validation(texts: Sequence[str], intents: Sequence[str], folds: int) -> Dict:
    from sklearn.model_selection import StratifiedKFold

    gold, predicted = [], []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_SEED)
    for train, test in splitter.split(texts, intents):
        model = train_baseline([texts[i] for i in train], [intents[i] for i in train])
        predicted += list(model.predict([texts[i] for i in test]))
        gold += [intents[i] for i in test]
    return metrics.intent_scores(gold, predicted)


def evaluate_entities(agent) -> Dict:
    from rasa.shared.nlu.training_data.loading import load_data

    examples = load_data(str(datasets.ENTITIES_HELD_OUT)).training_examples
    texts = [example.get("text") for example in examples]
    gold = [[_entity(entity) for entity in example.get("entities") or []] for example in examples]
    predicted = [
        [_entity(entity) for entity in parse["entities"]] for parse in parse_all(agent, texts)
    ]
    misses = [
        {"text": text, "expected": sorted(set(g) - set(p)), "found": sorted(set(p) - set(g))}
        for text, g, p in zip(texts, gold, predicted)
        if set(g) != set(p)
    ]
    return {
        "examples": len(texts),
        "scores": metrics.entity_scores(gold, predicted),
        "errors": misses,
    }


def _entity(entity: Dict) -> metrics.Entity:
    return entity["start"], entity["end"], entity["entity"], str(entity["value"])


def evaluate_out_of_scope(agent) -> Dict:
    """What the assistant does first for each message: the dialogue decides
    (rules, the safety policy), not the intent alone."""
    results = {}
    for name, texts in datasets.out_of_scope_sets().items():
        actions = first_actions(agent, texts)
        paths = Counter(PATHS.get(action, "other") for action in actions)
        results[name] = {
            "messages": len(texts),
            "fallback": paths["fallback"],
            "topic_answer": paths["topic answer"],
            "escalated": paths["escalated"],
            "other": paths["other"],
            "answered_as": [
                {"text": text, "action": action}
                for text, action in zip(texts, actions)
                if PATHS.get(action) != "fallback"
            ],
        }
    return results


def first_actions(agent, texts: Sequence[str]) -> List[str]:
    """The action predicted after each message, each from a new conversation."""
    from rasa.core.channels.channel import UserMessage

    async def predict() -> List[str]:
        actions = []
        for text in texts:
            message = UserMessage(text, sender_id=f"eval-{uuid.uuid4()}")
            tracker = await agent.processor.log_message(message, should_save_tracker=False)
            action, _ = agent.processor.predict_next_with_tracker_if_should(tracker)
            actions.append(action.name())
        return actions

    return asyncio.run(predict())


def evaluate_readability() -> Dict:
    from bot.knowledge import load_knowledge
    from bot.knowledge.readability import grade, patient_texts

    grades = sorted(grade(text) for _, text in patient_texts(load_knowledge()))
    by_grade = Counter(int(max(value, 0)) for value in grades)
    return {
        "texts": len(grades),
        "min": grades[0],
        "median": grades[len(grades) // 2],
        "max": grades[-1],
        "by_grade": dict(sorted(by_grade.items())),
    }


def evaluate_dialogue(model: Path, out: Path) -> Dict:
    core_out = out / "core"
    result = run_rasa(
        [
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/test_stories.yml",
            "--fail-on-prediction-errors",
            "--out",
            str(core_out),
        ],
        check=False,
    )
    failed = core_out / "failed_test_stories.yml"
    failed_text = failed.read_text() if failed.exists() else ""
    stories = datasets.story_names(datasets.TEST_STORIES)
    return {
        "stories": len(stories),
        "failed": sum(f"story: {name}" in failed_text for name in stories),
        "passed": result.returncode == 0,
    }


def run_rasa(args: List[str], check: bool = True) -> subprocess.CompletedProcess:
    result = cli.run_rasa(*args)
    if check and result.returncode != 0:
        raise SystemExit(
            f"`rasa {' '.join(args)}` failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="default: the latest in models/")
    parser.add_argument("--out", type=Path, default=datasets.PROJECT_ROOT / "reports")
    parser.add_argument("--folds", type=int, default=5, help="0 skips cross-validation")
    args = parser.parse_args(argv)
    cli.quiet_rasa()
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa's debug log of every parse would print the messages being scored.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    from bot.runtime.launcher import latest_model

    model = args.model or latest_model()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"Evaluating {model.name}; reports go to {args.out}", flush=True)
    agent = Agent.load(str(model))
    results = {"model": model.name}
    for name, step in [
        ("intents", lambda: evaluate_intents(agent, args.out)),
        ("entities", lambda: evaluate_entities(agent)),
        ("out_of_scope", lambda: evaluate_out_of_scope(agent)),
        ("readability", evaluate_readability),
        ("dialogue", lambda: evaluate_dialogue(model, args.out)),
        ("answers", lambda: answers.evaluate(answers.HELD_OUT, model, args.out)),
        ("safety", lambda: safety.evaluate(safety.HELD_OUT, model, args.out)),
        *(
            [("cross_validation", lambda: cross_validate(args.folds, args.out))]
            if args.folds
            else []
        ),
    ]:
        print(f"  {name}...", flush=True)
        results[name] = step()
    (args.out / "evaluation.json").write_text(json.dumps(results, indent=2))
    summary = write_summary(results, args.out / "summary.md")
    print(f"\n{summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
