"""Rasa's own checks of the domain, data and test stories."""

import pytest

from bot.rasa_ext.cli import run_rasa


@pytest.mark.slow  # a Rasa command in a subprocess
def test_domain_and_training_data_validate_without_warnings():
    result = run_rasa(
        "data", "validate", "--domain", "domain", "--data", "data", "--fail-on-warnings"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_model_trains(trained_model):
    assert trained_model.name.endswith(".tar.gz")
    assert trained_model.stat().st_size > 0


def test_test_stories_pass_without_prediction_errors(trained_model, tmp_path):
    result = run_rasa(
        "test",
        "core",
        "--model",
        str(trained_model),
        "--stories",
        "tests/test_stories.yml",
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "story_report.json").exists()
