"""Percentages as natural frequencies ("about 6 in 10 people").

People judge risk better from counts of people than from percentages. The
count is always derived from the printed figure, never written by hand, so
the two cannot disagree.
"""

import math
from typing import Optional


def natural_frequency(percent: float) -> Optional[str]:
    """ "about 6 in 10" for 61; "2 in 100" for 2; None for 0 (say 0% instead)."""
    if percent <= 0:
        return None
    if percent < 10:
        return f"{percent:g} in 100"
    tenths = math.floor(percent / 10 + 0.5)
    if tenths >= 10:
        return "almost all"
    return f"about {tenths} in 10"
