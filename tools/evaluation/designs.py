"""Compares ways of understanding a question, trained on the same data and
scored on the same development sets (single messages, not conversations).

    python -m tools.evaluation.designs [--only NAME ...] [--out reports]

Each design is an NLU pipeline trained with `rasa train nlu` into a scratch
folder; every development message is parsed and answered as the assistant
would (bot/knowledge/choice.py), the dialogue's routing emulated from the
intent: a personal decision gets the deferral and an answer, an off-topic
or unclear intent an answer only when the ranking is sure. The safety
policy is left out (it is the same for every design). Reported per design:
the answer's accuracy with its 95% Wilson interval, whether the message went
the right way (decision, answer, off-topic), training time and time per
message. Takes 30 to 40 minutes on 2 cores: DIET and the ResponseSelector
train for minutes each.
"""

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge import answer_keys as keys
from bot.knowledge.choice import choose, confident_choice
from bot.knowledge.question import Question, named_in_order
from bot.names import ANSWER_KEY, NLU_FALLBACK_INTENT, Intent
from bot.rasa_ext import cli
from tools.evaluation.answers import Item, load_set, same_answer, wilson

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT = PROJECT_ROOT / "tests" / "development"
# The answer sets of tests/development/ scored here (their single messages).
SETS = ("answers.yml", "answers-earlier-heldout.yml")

# The pipeline up to the classifiers, shared by every design.
FRONT = [
    {"name": "SpacyNLP", "model": "build/spacy-alk", "case_sensitive": True},
    {"name": "SpacyTokenizer"},
    {
        "name": "SpacyEntityExtractor",
        "dimensions": [
            "drug",
            "food",
            "side_effect",
            "severity",
            "mutation",
            "test",
            "trial",
            "measure",
        ],
    },
    {"name": "bot.rasa_ext.fuzzy_entities.FuzzyEntityExtractor"},
    {"name": "RegexFeaturizer", "use_lookup_tables": True, "case_sensitive": False},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
]
EMBEDDING = {"name": "bot.rasa_ext.sentence_featurizer.SentenceFeaturizer"}
DIET = {
    "name": "DIETClassifier",
    "entity_recognition": False,
    "epochs": 100,
    "number_of_transformer_layers": 0,
    "drop_rate": 0.4,
    "weight_sparsity": 0.9,
    "constrain_similarities": True,
    "random_seed": 2016,
}
LINEAR_INTENTS = {"name": "bot.rasa_ext.classifiers.LinearIntentClassifier"}
RASA_LOGISTIC = {"name": "LogisticRegressionClassifier", "max_iter": 1000}
LINEAR_ANSWERS = {"name": "bot.rasa_ext.classifiers.AnswerSelector"}
RESPONSE_SELECTOR = {
    "name": "ResponseSelector",
    "retrieval_intent": "answer",
    "epochs": 100,
    "constrain_similarities": True,
    "random_seed": 2016,
}
BACK = [
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.4, "ambiguity_threshold": 0.0},
]
# The retrieval intent the ResponseSelector design answers under.
RETRIEVAL = "answer"
# The intents data/rules/topics.yml sends to action_answer_question.
ANSWERING_INTENTS = {
    "ask_alk_testing", "ask_crizotinib", "ask_side_effects", "ask_how_often",
    "ask_interactions", "ask_progression", "ask_source", "ask_not_covered",
}  # fmt: skip


@dataclass(frozen=True)
class Design:
    name: str
    classifiers: List[Dict]
    embedding: bool = True
    retrieval: bool = False  # answers as ResponseSelector retrieval intents

    @property
    def pipeline(self) -> List[Dict]:
        return [*FRONT, *([EMBEDDING] if self.embedding else []), *self.classifiers, *BACK]


DESIGNS = [
    Design("before: DIET intents, keyword picking", [DIET], embedding=False),
    Design("DIET intents, ResponseSelector answers", [DIET, RESPONSE_SELECTOR], retrieval=True),
    Design(
        "linear intents and answers, words only", [LINEAR_INTENTS, LINEAR_ANSWERS], embedding=False
    ),
    Design(
        "linear intents and answers, words + sentence embedding", [LINEAR_INTENTS, LINEAR_ANSWERS]
    ),
    Design("DIET intents, linear answers", [DIET, LINEAR_ANSWERS]),
    Design("Rasa LogisticRegression intents, linear answers", [RASA_LOGISTIC, LINEAR_ANSWERS]),
]


@dataclass
class Result:
    design: str
    right: int = 0
    routed: int = 0
    total: int = 0
    train_seconds: float = 0.0
    parse_ms: float = 0.0
    misses: List[Dict] = field(default_factory=list)

    def as_dict(self) -> Dict:
        low, high = wilson(self.right, self.total)
        return {
            "design": self.design,
            "answer_accuracy": self.right / self.total,
            "ci95": [low, high],
            "routing_accuracy": self.routed / self.total,
            "messages": self.total,
            "train_seconds": round(self.train_seconds),
            "parse_ms": round(self.parse_ms, 1),
        }


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def retrieval_data(source: Path, target: Path) -> Dict[str, str]:
    """data/ with each answer-labelled block as a retrieval intent
    (`answer/card_time_to_response`), and the domain responses the
    ResponseSelector needs; returns slug -> answer label."""
    labels: Dict[str, str] = {}
    shutil.copytree(source, target)
    for path in (target / "nlu" / "answers").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data["nlu"]:
            label = (block.get("metadata") or {}).get(ANSWER_KEY)
            if label and block["intent"] != Intent.ASK_PERSONAL_DECISION:
                labels[_slug(label)] = label
                block["intent"] = f"{RETRIEVAL}/{_slug(label)}"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    responses = {f"utter_{RETRIEVAL}/{slug}": [{"text": label}] for slug, label in labels.items()}
    (target / "responses.yml").write_text(
        yaml.safe_dump({"version": "3.1", "responses": responses}), encoding="utf-8"
    )
    return labels


def train(design: Design, scratch: Path) -> Tuple[Path, float, Dict[str, str]]:
    data = PROJECT_ROOT / "data"
    labels: Dict[str, str] = {}
    args: List[str] = []
    if design.retrieval:
        labels = retrieval_data(data, scratch / "data")
        data = scratch / "data"
        args = ["--domain", str(scratch / "data" / "responses.yml")]
    config = scratch / "config.yml"
    config.write_text(
        yaml.safe_dump({"recipe": "default.v1", "language": "en", "pipeline": design.pipeline})
    )
    started = time.monotonic()
    result = cli.run_rasa(
        "train", "nlu", "--nlu", str(data / "nlu"), "--config", str(config),
        "--out", str(scratch / "models"), *args,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(
            f"training {design.name!r} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return next((scratch / "models").glob("*.tar.gz")), time.monotonic() - started, labels


def ranking_of(parse: Dict, labels: Dict[str, str]) -> List[Tuple[str, float]]:
    """The answers a parse ranks: the AnswerSelector's, or the ResponseSelector's."""
    if ANSWER_KEY in parse:
        return [(item["name"], item["confidence"]) for item in parse[ANSWER_KEY]["ranking"]]
    selected = parse.get("response_selector", {}).get(RETRIEVAL, {})
    return [
        (labels.get(item["intent_response_key"].split("/", 1)[-1], ""), item["confidence"])
        for item in selected.get("ranking", [])
    ]


def routed_answer(parse: Dict, labels: Dict[str, str], knowledge: Knowledge) -> Tuple[str, str]:
    """(the way the message goes, the answer it gets) as the dialogue would."""
    text = parse.get("text") or ""
    intent = parse["intent"]["name"]
    entities, mentions = named_in_order(
        text,
        [(e["entity"], str(e["value"]), e.get("start"), e.get("end")) for e in parse["entities"]],
    )
    question = Question(
        intent=intent, text=text, entities=entities, mentions=mentions,
        ranking=ranking_of(parse, labels),
    )  # fmt: skip
    if intent in (Intent.OUT_OF_SCOPE, NLU_FALLBACK_INTENT):
        key = confident_choice(question, knowledge, at_least=0.5)
        if key is None or key.kind == keys.OUT_OF_SCOPE:
            return "out_of_scope", keys.OUT_OF_SCOPE
        return "answer", str(key)
    if intent == Intent.ASK_PERSONAL_DECISION:
        return "decision", f"decision:{choose(question, knowledge)}"
    if intent in ANSWERING_INTENTS:
        key = choose(question, knowledge)
        return ("out_of_scope" if key.kind == keys.OUT_OF_SCOPE else "answer"), str(key)
    return "other", intent


def way(item: Item) -> str:
    return {"decision": "decision", "out_of_scope": "out_of_scope"}.get(item.kind, "answer")


def evaluate(design: Design, items: Sequence[Item], knowledge: Knowledge) -> Result:
    from rasa.core.agent import Agent

    with tempfile.TemporaryDirectory(prefix="alk-design-") as folder:
        model, seconds, labels = train(design, Path(folder))
        agent = Agent.load(str(model))

        async def parse_all() -> List[Dict]:
            return [await agent.parse_message(item.text) for item in items]

        started = time.monotonic()
        parses = asyncio.run(parse_all())
        per_message = (time.monotonic() - started) / len(items) * 1000
    result = Result(design.name, total=len(items), train_seconds=seconds, parse_ms=per_message)
    for item, parse in zip(items, parses):
        route, got = routed_answer(parse, labels, knowledge)
        wanted = {same_answer(label) for label in (item.answer, *item.accept)}
        result.right += same_answer(got) in wanted
        result.routed += route == way(item)
        if same_answer(got) not in wanted:
            result.misses.append({"text": item.text, "wanted": item.answer, "got": got})
    return result


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="designs whose name contains one of these")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports")
    args = parser.parse_args(argv)
    cli.quiet_rasa()
    import logging

    from rasa.utils.common import configure_logging_and_warnings

    configure_logging_and_warnings(logging.WARNING)
    items = [
        item
        for name in SETS
        for item in load_set(DEVELOPMENT / name)[0]
        if item.kind in ("answer", "not_covered", "decision", "out_of_scope")
    ]
    knowledge = load_knowledge()
    chosen: List[Design] = [
        design
        for design in DESIGNS
        if not args.only or any(word.lower() in design.name.lower() for word in args.only)
    ]
    results = []
    for design in chosen:
        print(f"  {design.name}...", flush=True)
        results.append(evaluate(design, items, knowledge))
        print(f"    {json.dumps(results[-1].as_dict())}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "sets": list(SETS),
        "designs": [r.as_dict() for r in results],
        "misses": {r.design: r.misses for r in results},
    }
    (args.out / "designs.json").write_text(json.dumps(report, indent=2))
    print(table(results))
    return 0


def table(results: Sequence[Result]) -> str:
    lines = [
        "| design | answer accuracy (95% CI) | right way | train | per message |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        figures = result.as_dict()
        low, high = figures["ci95"]
        lines.append(
            f"| {result.design} | {figures['answer_accuracy']:.3f} ({low:.3f}-{high:.3f}) "
            f"| {figures['routing_accuracy']:.3f} | {figures['train_seconds']} s "
            f"| {figures['parse_ms']} ms |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
