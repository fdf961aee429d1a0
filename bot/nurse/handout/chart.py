"""The handout's chart of Table 2: any grade next to grade 3-4 per side effect.

The project's primary colour and the Okabe-Ito orange, told apart with
colour blindness, and by the hatching when printed in black and white.
"""

import io

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.nurse.handout.composition import Chart

ANY_GRADE_COLOUR = "#0b5563"
SEVERE_COLOUR = "#e69f00"
CHART_DPI = 200


def draw(chart: Chart) -> Figure:
    """The chart as a matplotlib figure, the most common side effect at the top.

    A side effect the trial did not report gets no bars and the words "not
    reported", never a bar of 0; a printed 0 gets a label "0%".
    """
    labels = chart.labels
    rows = chart.rows
    figure = Figure(figsize=(7.2, 0.26 * len(rows) + 0.9))
    axes = figure.subplots()
    bar_height = 0.38
    for position, (_, any_grade, grade_3_4) in enumerate(rows):
        if any_grade is None or grade_3_4 is None:  # Table 2 reports both or neither
            axes.text(
                1,
                position,
                chart.not_reported,
                va="center",
                style="italic",
                fontsize=7,
                color="#333333",
            )
            continue
        for offset, value, colour, hatch in (
            (-bar_height / 2, any_grade, ANY_GRADE_COLOUR, None),
            (bar_height / 2, grade_3_4, SEVERE_COLOUR, "//"),
        ):
            axes.barh(
                position + offset,
                value,
                height=bar_height,
                color=colour,
                hatch=hatch,
                edgecolor="#333333",
                linewidth=0.4,
            )
            axes.text(value + 1, position + offset, f"{value}%", va="center", fontsize=7)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([name for name, _, _ in rows], fontsize=8)
    axes.set_ylim(len(rows) - 0.4, -0.6)  # the most common at the top, as in the table
    axes.set_xlim(0, 100)
    axes.set_xlabel(labels["axis"], fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.set_title(labels["title"].format(trial_name=chart.trial), fontsize=10)
    axes.legend(
        handles=[
            Patch(facecolor=ANY_GRADE_COLOUR, label=labels["any"]),
            Patch(facecolor=SEVERE_COLOUR, hatch="//", edgecolor="#333333", label=labels["severe"]),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure


def png(chart: Chart) -> bytes:
    buffer = io.BytesIO()
    draw(chart).savefig(buffer, format="png", dpi=CHART_DPI, facecolor="white")
    return buffer.getvalue()
