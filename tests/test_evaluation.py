"""`make eval`: its evaluation sets, its scores, and its report from the real model."""

import json

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlp.vocabulary import load_vocabulary
from tools.evaluation import __main__ as evaluation
from tools.evaluation import datasets, metrics
from tools.evaluation.baseline import train_baseline

TRAINING_TEXTS = [text for _, text in datasets.training_examples()]


def test_entity_scores_count_span_type_and_value():
    gold = [
        [(0, 7, "drug", "crizotinib"), (12, 20, "side_effect", "diarrhea")],
        [(3, 8, "test", "FISH")],
    ]
    predicted = [
        [(0, 7, "drug", "ceritinib"), (12, 18, "side_effect", "diarrhea")],
        [(3, 8, "test", "FISH")],
    ]
    scores = metrics.entity_scores(gold, predicted)
    assert scores["drug"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1-score": 1.0,
        "support": 1,
        "value_accuracy": 0.0,
    }
    assert scores["side_effect"]["precision"] == 0.0 and scores["side_effect"]["recall"] == 0.0
    assert scores["test"]["f1-score"] == 1.0 and scores["test"]["value_accuracy"] == 1.0


def test_the_entity_set_uses_canonical_values_only_and_copies_no_training_example():
    vocabulary = load_vocabulary()
    examples = load_data(str(datasets.ENTITIES_HELD_OUT)).training_examples
    unknown = [
        (entity["entity"], entity["value"])
        for example in examples
        for entity in example.get("entities") or []
        if entity["value"] not in vocabulary[entity["entity"]]
    ]
    assert not unknown
    assert not datasets.near_copies([example.get("text") for example in examples], TRAINING_TEXTS)


def test_the_out_of_scope_sets_copy_no_training_example():
    sets = datasets.out_of_scope_sets()
    assert set(sets) == {"off_topic", "unrelated_medical"}
    messages = [message for messages in sets.values() for message in messages]
    assert not datasets.near_copies(messages, TRAINING_TEXTS)


def test_the_baseline_is_a_working_classifier():
    training = datasets.training_examples()
    model = train_baseline([text for _, text in training], [intent for intent, _ in training])
    held_out = list(datasets.intent_examples(datasets.HELD_OUT))
    predicted = model.predict([text for _, text in held_out])
    accuracy = sum(guess == intent for guess, (intent, _) in zip(predicted, held_out)) / len(
        held_out
    )
    assert accuracy > 0.8


@pytest.fixture(scope="module")
def report(trained_model, tmp_path_factory):
    """The evaluation as `make eval` runs it, cross-validation left out (it retrains)."""
    out = tmp_path_factory.mktemp("reports")
    assert evaluation.main(["--model", str(trained_model), "--folds", "0", "--out", str(out)]) == 0
    return out, json.loads((out / "evaluation.json").read_text())


def test_the_evaluation_scores_every_held_out_set(report):
    out, results = report
    assert results["intents"]["examples"] == len(list(datasets.intent_examples(datasets.HELD_OUT)))
    assert results["entities"]["examples"] == len(
        load_data(str(datasets.ENTITIES_HELD_OUT)).training_examples
    )
    out_of_scope = datasets.out_of_scope_sets()
    for name, result in results["out_of_scope"].items():
        assert result["messages"] == len(out_of_scope[name])
        assert (
            result["fallback"] + result["topic_answer"] + result["escalated"] + result["other"]
            == result["messages"]
        )
    assert results["dialogue"] == {
        "stories": len(datasets.story_names(datasets.TEST_STORIES)),
        "failed": 0,
        "passed": True,
    }
    assert (out / "intent_confusion_matrix.png").stat().st_size > 10_000


def test_the_summary_states_the_measured_figures(report):
    out, results = report
    summary = (out / "summary.md").read_text()
    intents = results["intents"]
    assert (
        f"| as deployed (confidence under 0.4 → fallback) | {intents['diet']['accuracy']:.3f}"
        in summary
    )
    headline = results["answers"]["by_kind"]["answer"]
    right, total, rate = headline["right"], headline["total"], headline["rate"]
    assert f"| kind: answer | {right}/{total} | {rate:.3f} |" in summary
    assert f"{intents['baseline']['accuracy']:.3f}" in summary
    assert f"max {results['readability']['max']}" in summary
    for name, scores in results["entities"]["scores"].items():
        assert f"| {name} | {scores['precision']:.2f} |" in summary


def test_near_copies_finds_what_near_copy_finds():
    texts = ["does xalkori give you the runs?", "what is the FISH test exactly", "hi"]
    others = ["does xalkori give u the runs", "what's the fish test exactly?", "hi!", "bye"]
    expected = [(t, o) for t in texts for o in others if datasets.near_copy(t, o)]
    assert expected and datasets.near_copies(texts, others) == expected


def heldout_texts():
    """Every message of the held-out sets in tests/heldout/; of the
    conversations, the turns that stand alone ("why?" leans on what came
    before, and anyone may write it)."""
    import yaml

    answers = yaml.safe_load((datasets.PROJECT_ROOT / "tests/heldout/answers.yml").read_text())
    safety = yaml.safe_load((datasets.PROJECT_ROOT / "tests/heldout/safety.yml").read_text())
    turns = [
        turn
        for conversation in [*answers["conversations"], *safety["conversations"]]
        for turn in conversation["turns"]
        if not turn.get("follow_up")
    ]
    items = [*answers["messages"], *turns, *safety["calm"], *safety["red_flags"]]
    return [item["text"] for item in items]


def test_the_held_out_sets_copy_no_training_example():
    texts = heldout_texts()
    assert len(texts) > 1100
    assert not datasets.near_copies(texts, TRAINING_TEXTS)
