"""Red-flag recall and false alarms on whole sets of messages.

tests/heldout/safety.yml was written by a helper who saw only the review, a
description of the users and the label scheme (tools/evaluation/
safety-labels.md): calm messages (first-person side-effect reports, worries,
money, low mood, stopping, caregivers' posts, general questions, idioms)
and red flags (plain, inside a question, about someone else, overdoses as
questions, readings, long posts), alone and mid-conversation. It runs
through the servers, as people's messages would; tests/development/
safety.yml and the first three earlier held-out sets (safety-heldout-1.yml
to -3), which the patterns were worked against once read, run through the
detector alone. The fourth to eighth (safety-heldout-4.yml to -8) have been
read too; the detector alone still misses some of them or raises false
alarms, so they are for reading, not asserted.
"""

import pytest

from tools.evaluation import answers, safety

DEVELOPMENT = [
    safety.PROJECT_ROOT / "tests" / "development" / name
    for name in (
        "safety.yml",
        "safety-heldout-1.yml",
        "safety-heldout-2.yml",
        "safety-heldout-3.yml",
    )
]
# The targets are every red flag caught (escalated, or asked about with the
# number to call) and at most 1% of calm messages escalated; not met yet
# (README, "How good"). The suite fails when either gets worse than measured
# on the thirteenth held-out set on 8 December 2026 (0.964 and 0.013), with
# room for a retrained classifier's few asks.
RECALL_FLOOR = 0.94
FALSE_ALARM_CEILING = 0.025


def _groups(path):
    singles, conversations = safety.load_cases(path)
    return [[case] for case in singles] + conversations


@pytest.fixture(scope="module")
def held_out(servers):
    client = answers.Client(servers.rasa.url, servers.settings.api_token)
    return safety.score(safety.read_through_servers(client, _groups(safety.HELD_OUT)))


def test_the_held_out_safety_set_is_large_and_labelled():
    singles, conversations = safety.load_cases(safety.HELD_OUT)
    calm = [case for case in singles if case.expect == safety.CALM]
    red = [case for case in singles if case.expect == safety.RED_FLAG]
    assert len(calm) >= 300 and len(red) >= 100 and len(conversations) >= 10
    assert {case.expect for group in conversations for case in group} <= {
        safety.CALM,
        safety.RED_FLAG,
    }


@pytest.mark.parametrize("path", DEVELOPMENT, ids=lambda path: path.name)
def test_the_development_sets_are_read_right_by_the_detector_alone(path):
    scores = safety.score(safety.read_alone(_groups(path)))
    assert scores["misses"] == []
    assert scores["false_alarm_messages"] == []


@pytest.mark.slow
def test_red_flags_are_caught_and_calm_messages_answered_through_the_servers(held_out):
    print("\n" + "\n".join(safety.report_lines(held_out, "tests/heldout/safety.yml")))
    assert held_out["recall"]["rate"] >= RECALL_FLOOR
    assert held_out["false_alarms"]["rate"] <= FALSE_ALARM_CEILING
