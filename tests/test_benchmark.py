"""`make bench`'s parts against the real servers: they measure, they do not judge speed."""

import pytest

from tools.benchmark import breakdown
from tools.benchmark.load import CONVERSATION, run_load
from tools.benchmark.report import PLOT_NAME, write_report


@pytest.fixture(scope="module")
def load_results(servers):
    webhook = f"{servers.rasa.url}/webhooks/rest/webhook"
    return [run_load(webhook, concurrency, seconds=3) for concurrency in (1, 2)]


def test_the_load_generator_holds_whole_conversations_without_errors(load_results):
    one, two = load_results
    assert one.errors == 0 and two.errors == 0
    assert one.messages >= len(CONVERSATION) // 2
    assert two.concurrency == 2 and two.messages > 0
    assert 0 < one.percentile(0.5) <= one.percentile(0.95) <= one.percentile(0.99)


def test_the_breakdown_times_each_piece_of_one_message(servers):
    pieces = breakdown.measure(
        servers.rasa.url,
        servers.actions.url,
        servers.settings.api_token,
        servers.settings.actions_token,
        repeats=3,
    )
    assert 0 < pieces.nlu < pieces.whole
    assert 0 < pieces.action_server < pieces.whole


def test_the_report_states_each_level_and_draws_the_plot(load_results, tmp_path):
    pieces = breakdown.Breakdown(whole=0.1, nlu=0.03, action_server=0.02)
    figures = {
        "machine": "test machine",
        "breakdown": pieces,
        "ready_seconds": 20.0,
        "rasa_mib": 900.0,
        "actions_mib": 150.0,
    }
    report = write_report(figures, load_results, tmp_path)
    for result in load_results:
        assert (
            f"| {result.concurrency} | {result.messages} | {1000 * result.percentile(0.5):.0f} |"
            in report
        )
    assert "| the rest: policies, conversation store, Rasa's own work | 50 |" in report
    assert (tmp_path / PLOT_NAME).stat().st_size > 10_000
    assert (tmp_path / "bench.md").read_text() == report
