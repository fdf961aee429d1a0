"""The counselling handout's content: which sections, and every sentence in them.

A nurse prints the sheet for a patient to take home: what crizotinib is and
how it is taken, the common side effects with how often they happened in
the first-line trial (a table and a chart of Table 2), what to avoid, the
signs that need help straight away and who to call, questions to ask the
care team, and where it all comes from, with the sheet's reading grade.

content/handout.yml composes the sheet (sections, headings, which cards);
every sentence comes from content/ or the clinic's details
(content/clinic.yml), as the chat would say it. A sheet that reads above
grade 8 is refused here, so every way of getting it (`make handout`, the
page server's /handout.pdf) obeys the same gate. Plain data, no drawing:
chart.py, html_page.py and pdf.py turn a Handout into pictures and files.
"""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from bot.knowledge.clinic import load_clinic
from bot.knowledge.content import CONTENT_DIR, ContentError, Knowledge
from bot.knowledge.frequency import natural_frequency
from bot.knowledge.readability import MAX_GRADE, grade
from bot.safety.rules import red_flag_labels
from bot.settings import get_settings

COMPOSITION_PATH = CONTENT_DIR / "handout.yml"
# How the review's date is written among the source card's figures.
DATE_FORMAT = "%d %B %Y"

# A side effect's name as patients read it, any grade %, grade 3-4 % (None: not reported).
SideEffectRow = Tuple[str, Optional[int], Optional[int]]


class TooHardToRead(ValueError):
    """The sheet reads above the grade patients' texts are held to."""


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: Tuple[str, ...]


@dataclass(frozen=True)
class SideEffectTable:
    columns: Tuple[str, ...]
    rows: Tuple[Tuple[str, str, str], ...]  # side effect, any grade, grade 3-4


@dataclass(frozen=True)
class Chart:
    """Table 2 for one trial, to be drawn (chart.py)."""

    trial: str
    rows: Tuple[SideEffectRow, ...]  # most common first
    labels: Mapping[str, str]  # title, axis, any, severe
    not_reported: str
    alt: str


@dataclass(frozen=True)
class Citation:
    text: str


Block = Union[Paragraph, Bullets, SideEffectTable, Chart, Citation]


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    blocks: Tuple[Block, ...]


@dataclass(frozen=True)
class Handout:
    title: str
    intro: str
    sections: Tuple[Section, ...]
    review_date: str
    grade: float
    footer: str

    def section(self, section_id: str) -> Optional[Section]:
        return next((section for section in self.sections if section.id == section_id), None)


def load_composition(path: Path = COMPOSITION_PATH) -> Mapping[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def optional_topics(composition: Mapping[str, Any]) -> Tuple[str, ...]:
    """The topics a sheet can be limited to."""
    return tuple(section["topic"] for section in composition["sections"] if "topic" in section)


def topics_in(request: str, composition: Mapping[str, Any]) -> Optional[Tuple[str, ...]]:
    """The topics a request names ("a handout about side effects and
    interactions"), in sheet order; None, meaning all, if it names none."""
    text = request.lower()
    named = tuple(
        section["topic"]
        for section in composition["sections"]
        if "topic" in section and any(words in text for words in section["asks"])
    )
    return named or None


def with_frequency(percent: Optional[int], not_reported: str) -> str:
    """ "61% (about 6 in 10)", as the chat says it; "0%"; or "not reported"."""
    if percent is None:
        return not_reported
    frequency = natural_frequency(percent)
    return f"{percent}% ({frequency})" if frequency else f"{percent}%"


def most_common_first(knowledge: Knowledge, trial: str) -> List[SideEffectRow]:
    """(patient name, any grade, grade 3-4) per Table 2 row; unreported last."""
    rows = [
        (event.patient, *event.trials[trial]) for event in knowledge.tables.adverse_events.values()
    ]
    return sorted(rows, key=lambda row: -1 if row[1] is None else row[1], reverse=True)


def side_effect_chart(knowledge: Knowledge, trial: str, labels: Mapping[str, Any]) -> Chart:
    """The chart of Table 2 for one trial, labelled as content/handout.yml says."""
    return Chart(
        trial=trial,
        rows=tuple(most_common_first(knowledge, trial)),
        labels={name: labels[name] for name in ("title", "axis", "any", "severe")},
        not_reported=knowledge.wording["side_effect"]["not_reported"],
        alt=labels["alt"].strip(),
    )


def _cards(ids: Iterable[str], knowledge: Knowledge) -> List[Paragraph]:
    return [Paragraph(knowledge.cards[card_id].patient) for card_id in ids]


def _side_effects(spec: Mapping[str, Any], knowledge: Knowledge) -> List[Block]:
    tables = knowledge.tables
    trial = tables.main_trial
    not_reported = knowledge.wording["side_effect"]["not_reported"]
    rows = tuple(
        (name, with_frequency(any_grade, not_reported), with_frequency(grade_3_4, not_reported))
        for name, any_grade, grade_3_4 in most_common_first(knowledge, trial)
    )
    return [
        Paragraph(spec["intro"].format(trial=tables.trials[trial].patient)),
        SideEffectTable(tuple(spec["table"]["columns"]), rows),
        side_effect_chart(knowledge, trial, spec["chart"]),
        *_cards(spec.get("cards", ()), knowledge),
    ]


def _emergency(spec: Mapping[str, Any], clinic: Mapping[str, str]) -> List[Block]:
    return [
        Paragraph(spec["intro"].format(**clinic)),
        Bullets(red_flag_labels()),
        *(
            Paragraph(spec["crisis"].format(label=label, **clinic))
            for label in red_flag_labels(crisis=True)
        ),
    ]


def _questions(spec: Mapping[str, Any], topics: Sequence[str]) -> List[Block]:
    asked = tuple(
        question["text"]
        for question in spec["questions"]
        if question.get("topic") in (None, *topics)
    )
    return [Paragraph(spec["intro"]), Bullets(asked)]


def _source(composition: Mapping[str, Any], knowledge: Knowledge) -> Tuple[List[Block], str]:
    """The review in plain words and as cited; and its date."""
    card = knowledge.cards[composition["source_card"]]
    citation = " ".join(composition["citation"].split())
    if citation not in " ".join(card.nurse.split()):
        raise ContentError(f"content/handout.yml: the citation is not the one in card {card.id!r}")
    dates = [figure.value for figure in card.figures if _is_date(figure.value)]
    if len(dates) != 1:
        raise ContentError(f"card {card.id!r}: needs exactly one date among its figures")
    return [Paragraph(card.patient), Citation(citation)], dates[0]


def _is_date(value: str) -> bool:
    try:
        datetime.strptime(value, DATE_FORMAT)
    except ValueError:
        return False
    return True


def patient_text(sections: Iterable[Section]) -> str:
    """What the patient reads as prose: paragraphs and list items, each
    item a sentence. Not the table, chart or citation."""
    sentences: List[str] = []
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                sentences.append(block.text)
            elif isinstance(block, Bullets):
                sentences.extend(item if item[-1] in ".?!" else f"{item}." for item in block.items)
    return " ".join(" ".join(sentence.split()) for sentence in sentences)


def build_handout(
    knowledge: Knowledge,
    topics: Optional[Sequence[str]] = None,
    composition: Optional[Mapping[str, Any]] = None,
    clinic: Optional[Mapping[str, str]] = None,
) -> Handout:
    """The sheet, with the sections of the chosen topics (default: all) and
    the ones always printed: emergency signs, questions and the source;
    `clinic`: who to call (default: the clinic's details). Raises
    TooHardToRead if the sheet reads above grade MAX_GRADE."""
    composition = composition or load_composition()
    clinic = clinic or load_clinic(get_settings()).as_dict()
    available = optional_topics(composition)
    chosen = tuple(topics) if topics else available
    unknown = set(chosen) - set(available)
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)}; choose from {list(available)}")
    source_blocks, review_date = _source(composition, knowledge)
    sections = []
    for spec in composition["sections"]:
        if "topic" in spec and spec["topic"] not in chosen:
            continue
        if spec["id"] == "side_effects":
            blocks = _side_effects(spec, knowledge)
        elif spec["id"] == "emergency":
            blocks = _emergency(spec, clinic)
        elif spec["id"] == "questions":
            blocks = _questions(spec, chosen)
        elif spec["id"] == "source":
            blocks = source_blocks
        else:
            blocks = list(_cards(spec["cards"], knowledge))
        sections.append(Section(spec["id"], spec["heading"], tuple(blocks)))
    intro = " ".join(composition["intro"].format(date=review_date).split())
    sheet_grade = round(grade(" ".join([intro, patient_text(sections)])), 1)
    if sheet_grade > MAX_GRADE:
        raise TooHardToRead(f"The sheet reads at grade {sheet_grade}, above {MAX_GRADE}.")
    return Handout(
        title=composition["title"],
        intro=intro,
        sections=tuple(sections),
        review_date=review_date,
        grade=sheet_grade,
        footer=composition["footer"].format(date=review_date, grade=sheet_grade),
    )
