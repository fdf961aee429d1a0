"""The counselling handout: the PDF read back and rendered, the HTML, the
topics, and the chart, checked against the loaded content."""

import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
import yaml
from PIL import Image

from bot.knowledge.clinic import load_clinic
from bot.knowledge.content import CONTENT_DIR, ContentError, load_knowledge
from bot.knowledge.frequency import natural_frequency
from bot.knowledge.readability import MAX_GRADE, grade
from bot.nurse.handout import chart
from bot.nurse.handout.__main__ import render_page
from bot.nurse.handout.composition import (
    Bullets,
    Paragraph,
    TooHardToRead,
    build_handout,
    load_composition,
    patient_text,
    side_effect_chart,
    topics_in,
)
from bot.nurse.handout.html_page import to_html
from bot.nurse.handout.pdf import to_pdf
from bot.settings import Settings

PROJECT_ROOT = CONTENT_DIR.parent
KNOWLEDGE = load_knowledge()
COMPOSITION = load_composition()
CLINIC = load_clinic(Settings()).as_dict()
RED_FLAGS = yaml.safe_load((CONTENT_DIR / "safety.yml").read_text())["categories"]
NOT_REPORTED = KNOWLEDGE.wording["side_effect"]["not_reported"]


def section_spec(section_id):
    return next(spec for spec in COMPOSITION["sections"] if spec["id"] == section_id)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def handout():
    return build_handout(KNOWLEDGE)


@pytest.fixture(scope="module")
def pdf(handout, tmp_path_factory):
    return to_pdf(handout, tmp_path_factory.mktemp("handout") / "handout.pdf")


@pytest.fixture(scope="module")
def text(pdf):
    return pdf_text(pdf)


def test_the_pdf_has_the_title_and_every_section_heading(text):
    assert COMPOSITION["title"] in text
    for spec in COMPOSITION["sections"]:
        assert spec["heading"] in text, spec["id"]


def test_each_side_effect_in_the_pdf_has_its_table_2_figures_for_the_first_line_trial(text):
    trial = KNOWLEDGE.tables.main_trial
    lines = [line.strip() for line in text.splitlines()]
    events = KNOWLEDGE.tables.adverse_events.values()
    for event in events:
        row = lines.index(event.patient)
        for printed, shown in zip(event.trials[trial], lines[row + 1 : row + 3]):
            if printed is None:
                assert shown == NOT_REPORTED, event.name
                continue
            percent, frequency = re.fullmatch(r"(\d+)%(?: \((.+)\))?", shown).groups()
            assert int(percent) == printed, event.name
            assert frequency == natural_frequency(printed), event.name


def test_the_pdf_prints_the_review_date_the_reading_grade_and_who_to_call(handout, text):
    source_card = KNOWLEDGE.cards[COMPOSITION["source_card"]]
    assert handout.review_date in [figure.value for figure in source_card.figures]
    assert handout.review_date in source_card.patient
    flat_text = flat(text)
    assert handout.review_date in flat_text
    assert f"grade {handout.grade}" in flat_text
    assert CLINIC["emergency_number"] in flat_text and CLINIC["urgent_contact"] in flat_text
    assert CLINIC["crisis_line"] in flat_text
    assert flat(COMPOSITION["citation"]) in flat_text


def test_the_printed_reading_grade_is_the_sheets_own_and_at_most_8(handout):
    recomputed = grade(" ".join([handout.intro, patient_text(handout.sections)]))
    assert handout.grade == round(recomputed, 1)
    assert handout.grade <= MAX_GRADE
    print(f"reading grade of the whole sheet: {handout.grade}")


@pytest.mark.parametrize("topics", [["side_effects"], ["interactions"], ["crizotinib"]])
def test_a_sheet_on_fewer_topics_still_reads_at_grade_8_or_below(topics):
    assert build_handout(KNOWLEDGE, topics).grade <= MAX_GRADE


def test_every_red_flag_is_listed_and_the_crisis_line_given(handout):
    emergency = handout.section("emergency")
    bullets = next(block for block in emergency.blocks if isinstance(block, Bullets))
    assert set(bullets.items) == {
        spec["label"] for spec in RED_FLAGS.values() if not spec.get("crisis")
    }
    crisis_labels = [spec["label"] for spec in RED_FLAGS.values() if spec.get("crisis")]
    paragraphs = " ".join(block.text for block in emergency.blocks if isinstance(block, Paragraph))
    assert crisis_labels and all(label in paragraphs for label in crisis_labels)


def test_what_to_avoid_names_every_substance_in_the_interactions_table(handout):
    avoid = " ".join(
        block.text for block in handout.section("avoid").blocks if isinstance(block, Paragraph)
    ).lower()
    for name, interaction in KNOWLEDGE.tables.interactions.items():
        assert (interaction.name or name).lower() in avoid, name


def test_page_one_renders_to_a_real_image(pdf, tmp_path):
    png = render_page(pdf, tmp_path / "page-1.png")
    with Image.open(png) as image:
        width, height = image.size
        assert width >= 1000 and abs(height / width - 297 / 210) < 0.01  # A4, portrait
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
    assert dark > 0.01 * width * height  # text and chart, not a blank page


def test_the_html_has_the_same_sections_and_the_chart_inside_it(handout):
    page = to_html(handout)
    for section in handout.sections:
        assert f'<section id="{section.id}"><h2>' in page
    for spec in COMPOSITION["sections"]:
        assert spec["heading"] in page
    assert page.count("data:image/png;base64,") == 1
    assert "http" not in page  # nothing loaded from elsewhere
    assert "@page { size: A4" in page
    assert handout.footer in page


def test_the_html_and_pdf_escape_the_content(tmp_path):
    hostile = "<script>alert(1)</script> & <b>"
    composition = {**COMPOSITION, "title": hostile}
    clinic = {**CLINIC, "emergency_number": hostile}
    handout = build_handout(KNOWLEDGE, composition=composition, clinic=clinic)
    page = to_html(handout)
    assert "<script>" not in page and "<b>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;") >= 3
    printed = pdf_text(to_pdf(handout, tmp_path / "hostile.pdf"))
    assert printed.count(hostile) >= 2  # shown as written, not read as markup


def test_a_request_for_side_effects_and_interactions_keeps_those_and_the_safety_parts():
    topics = topics_in("make me a handout about side effects and interactions", COMPOSITION)
    assert topics == ("side_effects", "interactions")
    handout = build_handout(KNOWLEDGE, topics)
    expected = [
        spec["id"] for spec in COMPOSITION["sections"] if spec.get("topic", topics[0]) in topics
    ]
    assert [section.id for section in handout.sections] == expected
    assert {"emergency", "questions", "source"} <= set(expected)
    asked = next(
        block for block in handout.section("questions").blocks if isinstance(block, Bullets)
    ).items
    assert set(asked) == {
        question["text"]
        for question in section_spec("questions")["questions"]
        if question.get("topic") in (None, *topics)
    }


def test_a_request_naming_no_topic_gets_the_whole_sheet_and_unknown_topics_are_refused():
    assert topics_in("can I have a handout please", COMPOSITION) is None
    with pytest.raises(ValueError, match="unknown topics"):
        build_handout(KNOWLEDGE, ["pizza"])


def test_a_sheet_above_grade_8_is_refused_however_it_is_asked_for(monkeypatch):
    from bot.nurse.handout import composition

    monkeypatch.setattr(composition, "MAX_GRADE", 1)
    with pytest.raises(TooHardToRead, match="above 1"):
        build_handout(KNOWLEDGE)


def test_a_citation_that_is_not_the_reviews_is_refused():
    with pytest.raises(ContentError, match="citation"):
        build_handout(KNOWLEDGE, composition={**COMPOSITION, "citation": "Someone. 2020."})


def _bars_and_labels(trial):
    labels = section_spec("side_effects")["chart"]
    axes = chart.draw(side_effect_chart(KNOWLEDGE, trial, labels)).axes[0]
    rows = {
        label.get_text(): position
        for label, position in zip(axes.get_yticklabels(), axes.get_yticks())
    }
    return axes, rows


def test_the_chart_says_not_reported_where_table_2_has_na_never_0():
    trial = next(
        trial
        for trial in (KNOWLEDGE.tables.main_trial, *KNOWLEDGE.tables.trials)
        if any(event.trials[trial][0] is None for event in KNOWLEDGE.tables.adverse_events.values())
    )
    axes, rows = _bars_and_labels(trial)
    for event in KNOWLEDGE.tables.adverse_events.values():
        position = rows[event.patient]
        bars = [
            bar for bar in axes.patches if abs(bar.get_y() + bar.get_height() / 2 - position) < 0.5
        ]
        notes = [
            label.get_text()
            for label in axes.texts
            if abs(label.get_position()[1] - position) < 0.5
        ]
        if event.trials[trial][0] is None:
            assert bars == [] and notes == [NOT_REPORTED], event.name
        else:
            assert [round(bar.get_width()) for bar in bars] == list(event.trials[trial])
            assert notes == [f"{value}%" for value in event.trials[trial]], event.name


def test_the_first_line_chart_has_a_pair_of_bars_for_every_reported_side_effect():
    trial = KNOWLEDGE.tables.main_trial
    axes, rows = _bars_and_labels(trial)
    reported = [
        event
        for event in KNOWLEDGE.tables.adverse_events.values()
        if event.trials[trial][0] is not None
    ]
    assert set(rows) == {event.patient for event in KNOWLEDGE.tables.adverse_events.values()}
    assert len(axes.patches) == 2 * len(reported)


def test_the_command_writes_html_pdf_and_a_page_picture(tmp_path):
    out, png = tmp_path / "out", tmp_path / "page-1.png"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.nurse.handout",
            "--topics",
            "side_effects",
            "interactions",
            "--out",
            str(out),
            "--png",
            str(png),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.split()
    assert printed == [str(out / "handout.html"), str(out / "handout.pdf"), str(png)]
    assert all(Path(path).stat().st_size > 0 for path in printed)
    written = pdf_text(out / "handout.pdf")
    assert section_spec("side_effects")["heading"] in written
    assert section_spec("about")["heading"] not in written


def test_the_page_servers_handout_obeys_the_same_reading_gate(monkeypatch):
    from bot.nurse.handout import composition
    from bot.runtime import page_server

    page_server.handout_files.cache_clear()
    monkeypatch.setattr(composition, "MAX_GRADE", 1)
    with pytest.raises(TooHardToRead):
        page_server.handout_files(())
    page_server.handout_files.cache_clear()
