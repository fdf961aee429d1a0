"""The counselling handout: a printable sheet about crizotinib for a patient.

A nurse prints it for a patient to take home: what crizotinib is and how it
is taken, the common side effects with how often they happened in the
first-line trial (a table and a chart of Table 2), what to avoid, the signs
that need help straight away and who to call, questions to ask the care team,
and where it all comes from, with the sheet's reading grade.

content/handout.yml composes the sheet (sections, headings, which cards);
every sentence comes from content/ or the clinic settings in
domain/safety.yml, as the chat would say it. Plain Python, no Rasa:

    .venv/bin/python -m bot.nurse.handout [--topics side_effects interactions]
        [--out handouts] [--png docs/handout-page-1.png]

writes handout.html and handout.pdf (and a picture of page 1) and prints
their paths.
"""

import argparse
import base64
import html
import io
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union
from xml.sax.saxutils import escape as escape_markup

import pypdfium2
import yaml
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import ListFlowable, ListItem, SimpleDocTemplate, Spacer, Table
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import TableStyle

from bot.knowledge.content import CONTENT_DIR, ContentError, Knowledge, load_knowledge
from bot.knowledge.frequency import natural_frequency
from bot.knowledge.readability import MAX_GRADE, grade

COMPOSITION_PATH = CONTENT_DIR / "handout.yml"
# The red flags' labels (read here, not through bot.safety, which loads spaCy).
RED_FLAGS_PATH = CONTENT_DIR / "safety.yml"
# The clinic's own numbers: the slots' initial values, as the chat uses them.
CLINIC_SETTINGS_PATH = CONTENT_DIR.parent / "domain" / "safety.yml"
# How the review's date is written among the source card's figures.
DATE_FORMAT = "%d %B %Y"
# The project's primary colour, and the Okabe-Ito orange: told apart with
# colour blindness, and by the hatching when printed in black and white.
ANY_GRADE_COLOUR = "#0b5563"
SEVERE_COLOUR = "#e69f00"
PAGE_MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
# Wide enough that no side effect's name wraps, so a row reads as one line.
TABLE_COLUMN_WIDTHS = (0.40 * CONTENT_WIDTH, 0.28 * CONTENT_WIDTH, 0.32 * CONTENT_WIDTH)
CHART_DPI = 200


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
    png: bytes
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


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_composition(path: Path = COMPOSITION_PATH) -> Mapping[str, Any]:
    return _read(path)


def clinic_settings(path: Path = CLINIC_SETTINGS_PATH) -> Dict[str, str]:
    """Who to call, as set for the clinic in domain/safety.yml."""
    return {name: slot["initial_value"] for name, slot in _read(path)["slots"].items()}


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
    """"61% (about 6 in 10)", as the chat says it; "0%"; or "not reported"."""
    if percent is None:
        return not_reported
    frequency = natural_frequency(percent)
    return f"{percent}% ({frequency})" if frequency else f"{percent}%"


def _most_common_first(knowledge: Knowledge, trial: str) -> List[Tuple[str, Optional[int], Optional[int]]]:
    """(patient name, any grade, grade 3-4) per Table 2 row; unreported last."""
    rows = [
        (event.patient, *event.trials[trial]) for event in knowledge.tables.adverse_events.values()
    ]
    return sorted(rows, key=lambda row: -1 if row[1] is None else row[1], reverse=True)


def side_effect_chart(knowledge: Knowledge, trial: str, labels: Mapping[str, str]) -> Figure:
    """Table 2 for one trial: any grade next to grade 3-4 per side effect.

    A side effect the trial did not report gets no bars and the words "not
    reported", never a bar of 0; a printed 0 gets a label "0%".
    """
    not_reported = knowledge.wording["side_effect"]["not_reported"]
    rows = _most_common_first(knowledge, trial)
    figure = Figure(figsize=(7.2, 0.26 * len(rows) + 0.9))
    axes = figure.subplots()
    bar_height = 0.38
    for position, (_, any_grade, grade_3_4) in enumerate(rows):
        if any_grade is None:
            axes.text(1, position, not_reported, va="center", style="italic", fontsize=7,
                      color="#333333")
            continue
        for offset, value, colour, hatch in (
            (-bar_height / 2, any_grade, ANY_GRADE_COLOUR, None),
            (bar_height / 2, grade_3_4, SEVERE_COLOUR, "//"),
        ):
            axes.barh(position + offset, value, height=bar_height, color=colour, hatch=hatch,
                      edgecolor="#333333", linewidth=0.4)
            axes.text(value + 1, position + offset, f"{value}%", va="center", fontsize=7)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([name for name, _, _ in rows], fontsize=8)
    axes.set_ylim(len(rows) - 0.4, -0.6)  # the most common at the top, as in the table
    axes.set_xlim(0, 100)
    axes.set_xlabel(labels["axis"], fontsize=8)
    axes.tick_params(axis="x", labelsize=8)
    axes.set_title(labels["title"].format(trial_name=trial), fontsize=10)
    axes.legend(
        handles=[
            Patch(facecolor=ANY_GRADE_COLOUR, label=labels["any"]),
            Patch(facecolor=SEVERE_COLOUR, hatch="//", edgecolor="#333333", label=labels["severe"]),
        ],
        loc="lower right", fontsize=8, frameon=False,
    )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure


def chart_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=CHART_DPI, facecolor="white")
    return buffer.getvalue()


def _cards(ids: Iterable[str], knowledge: Knowledge) -> List[Paragraph]:
    return [Paragraph(knowledge.cards[card_id].patient) for card_id in ids]


def _side_effects(spec: Mapping[str, Any], knowledge: Knowledge) -> List[Block]:
    tables = knowledge.tables
    trial = tables.main_trial
    not_reported = knowledge.wording["side_effect"]["not_reported"]
    rows = tuple(
        (name, with_frequency(any_grade, not_reported), with_frequency(grade_3_4, not_reported))
        for name, any_grade, grade_3_4 in _most_common_first(knowledge, trial)
    )
    chart = spec["chart"]
    return [
        Paragraph(spec["intro"].format(trial=tables.trials[trial].patient)),
        SideEffectTable(tuple(spec["table"]["columns"]), rows),
        Chart(chart_png(side_effect_chart(knowledge, trial, chart)), chart["alt"].strip()),
        *_cards(spec.get("cards", ()), knowledge),
    ]


def _emergency(spec: Mapping[str, Any], settings: Mapping[str, str]) -> List[Block]:
    categories = _read(RED_FLAGS_PATH)["categories"].values()
    crises = [category["label"] for category in categories if category.get("crisis")]
    return [
        Paragraph(spec["intro"].format(**settings)),
        Bullets(tuple(category["label"] for category in categories if not category.get("crisis"))),
        *(Paragraph(spec["crisis"].format(label=label, **settings)) for label in crises),
    ]


def _questions(spec: Mapping[str, Any], topics: Sequence[str]) -> List[Block]:
    asked = tuple(
        question["text"] for question in spec["questions"]
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
    settings: Optional[Mapping[str, str]] = None,
) -> Handout:
    """The sheet, with the sections of the chosen topics (default: all) and
    the ones always printed: emergency signs, questions and the source."""
    composition = composition or load_composition()
    settings = settings or clinic_settings()
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
            blocks = _emergency(spec, settings)
        elif spec["id"] == "questions":
            blocks = _questions(spec, chosen)
        elif spec["id"] == "source":
            blocks = source_blocks
        else:
            blocks = _cards(spec["cards"], knowledge)
        sections.append(Section(spec["id"], spec["heading"], tuple(blocks)))
    intro = " ".join(composition["intro"].format(date=review_date).split())
    sheet_grade = round(grade(" ".join([intro, patient_text(sections)])), 1)
    return Handout(
        title=composition["title"],
        intro=intro,
        sections=tuple(sections),
        review_date=review_date,
        grade=sheet_grade,
        footer=composition["footer"].format(date=review_date, grade=sheet_grade),
    )


HTML_STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 11pt; line-height: 1.45;
       color: #111; max-width: 174mm; margin: 0 auto; }
h1 { font-size: 18pt; color: #0b5563; margin-bottom: 4pt; }
h2 { font-size: 13pt; color: #0b5563; margin: 14pt 0 4pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; break-inside: avoid; }
th, td { border: 1px solid #999; padding: 3pt 6pt; text-align: left; }
th { background: #e6eef0; }
img { width: 100%; height: auto; break-inside: avoid; }
.citation, footer { font-size: 9pt; color: #333; }
footer { border-top: 1px solid #999; margin-top: 14pt; padding-top: 4pt; }
@media print { body { max-width: none; } }
""".strip()


def _html_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Citation):
        return f'<p class="citation">{html.escape(block.text)}</p>'
    if isinstance(block, Bullets):
        items = "".join(f"<li>{html.escape(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    if isinstance(block, SideEffectTable):
        head = "".join(f'<th scope="col">{html.escape(column)}</th>' for column in block.columns)
        body = "".join(
            f'<tr><th scope="row">{html.escape(name)}</th>'
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
            for name, *cells in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    encoded = base64.b64encode(block.png).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(block.alt)}">'


def to_html(handout: Handout) -> str:
    """One self-contained, printable page: styles and chart inside it."""
    sections = "".join(
        f'<section id="{html.escape(section.id)}"><h2>{html.escape(section.heading)}</h2>'
        + "".join(_html_block(block) for block in section.blocks) + "</section>"
        for section in handout.sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(handout.title)}</title><style>{HTML_STYLE}</style></head>"
        f"<body><h1>{html.escape(handout.title)}</h1><p>{html.escape(handout.intro)}</p>"
        f"{sections}<footer>{html.escape(handout.footer)}</footer></body></html>\n"
    )


def _pdf_styles() -> Dict[str, Any]:
    sheet = getSampleStyleSheet()
    return {
        "title": sheet["Title"],
        "heading": sheet["Heading2"],
        "body": sheet["BodyText"],
        "small": sheet["Italic"],
    }


def _pdf_block(block: Block, styles: Mapping[str, Any]) -> List[Any]:
    if isinstance(block, Paragraph):
        return [PdfParagraph(escape_markup(block.text), styles["body"])]
    if isinstance(block, Citation):
        return [PdfParagraph(escape_markup(block.text), styles["small"])]
    if isinstance(block, Bullets):
        items = [ListItem(PdfParagraph(escape_markup(item), styles["body"])) for item in block.items]
        return [ListFlowable(items, bulletType="bullet", leftIndent=12)]
    if isinstance(block, SideEffectTable):
        table = Table([block.columns, *block.rows], colWidths=TABLE_COLUMN_WIDTHS, repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef0")),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]))
        return [Spacer(1, 4), table, Spacer(1, 4)]
    width, height = ImageReader(io.BytesIO(block.png)).getSize()
    shown_width = CONTENT_WIDTH * 0.7
    return [PdfImage(io.BytesIO(block.png), width=shown_width, height=shown_width * height / width)]


def to_pdf(handout: Handout, path: Path) -> Path:
    """The sheet as an A4 PDF, with the footer (date, reading grade) on every page."""
    styles = _pdf_styles()
    story: List[Any] = [
        PdfParagraph(escape_markup(handout.title), styles["title"]),
        PdfParagraph(escape_markup(handout.intro), styles["body"]),
    ]
    for section in handout.sections:
        story.append(PdfParagraph(escape_markup(section.heading), styles["heading"]))
        for block in section.blocks:
            story.extend(_pdf_block(block, styles))

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(PAGE_MARGIN, PAGE_MARGIN / 2, handout.footer)
        canvas.drawRightString(A4[0] - PAGE_MARGIN, PAGE_MARGIN / 2, str(document.page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        str(path), pagesize=A4, title=handout.title, leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN, topMargin=PAGE_MARGIN, bottomMargin=PAGE_MARGIN,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def render_page(pdf_path: Path, png_path: Path, page: int = 0, scale: float = 2.0) -> Path:
    """A picture of one page of the PDF, as a printer would show it."""
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        document[page].render(scale=scale).to_pil().save(png_path)
    finally:
        document.close()
    return png_path


def write_handout(handout: Handout, out_dir: Path) -> Tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "handout.html"
    html_path.write_text(to_html(handout), encoding="utf-8")
    return html_path, to_pdf(handout, out_dir / "handout.pdf")


def main(argv: Optional[Sequence[str]] = None) -> int:
    composition = load_composition()
    parser = argparse.ArgumentParser(description="Write the counselling handout as HTML and PDF.")
    parser.add_argument("--topics", nargs="+", choices=optional_topics(composition),
                        help="only these topics' sections (default: all)")
    parser.add_argument("--out", type=Path, default=Path("handouts"), help="where to write them")
    parser.add_argument("--png", type=Path, help="also render page 1 to this PNG file")
    args = parser.parse_args(argv)
    handout = build_handout(load_knowledge(), args.topics, composition)
    if handout.grade > MAX_GRADE:
        print(f"The sheet reads at grade {handout.grade}, above {MAX_GRADE}: not written.",
              file=sys.stderr)
        return 1
    for path in write_handout(handout, args.out):
        print(path)
    if args.png:
        args.png.parent.mkdir(parents=True, exist_ok=True)
        print(render_page(args.out / "handout.pdf", args.png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
