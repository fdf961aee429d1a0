"""Natural frequencies agree with the printed percentage they come from."""

import pytest

from bot.knowledge.frequency import natural_frequency


@pytest.mark.parametrize("percent", [p / 10 for p in range(100, 950)])
def test_about_n_in_10_is_within_5_points_of_the_percentage(percent):
    text = natural_frequency(percent)
    count = int(text.split()[1])
    assert text == f"about {count} in 10" and abs(count * 10 - percent) <= 5


@pytest.mark.parametrize("percent", range(1, 10))
def test_under_10_percent_is_an_exact_count_in_100(percent):
    assert natural_frequency(percent) == f"{percent} in 100"


def test_none_and_almost_all_are_not_rounded_to_a_count():
    assert natural_frequency(0) is None
    assert natural_frequency(96) == "almost all"
