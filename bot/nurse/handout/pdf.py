"""The handout as an A4 PDF, with the footer (date, reading grade) on every page."""

import io
from pathlib import Path
from typing import Any, BinaryIO, Dict, List, Mapping, Union
from xml.sax.saxutils import escape as escape_markup

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import ListFlowable, ListItem, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph

from bot.nurse.handout import chart
from bot.nurse.handout.composition import (
    Block,
    Bullets,
    Citation,
    Handout,
    Paragraph,
    SideEffectTable,
)

PAGE_MARGIN = 18 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
# Wide enough that no side effect's name wraps, so a row reads as one line.
TABLE_COLUMN_WIDTHS = (0.40 * CONTENT_WIDTH, 0.28 * CONTENT_WIDTH, 0.32 * CONTENT_WIDTH)


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
        items = [
            ListItem(PdfParagraph(escape_markup(item), styles["body"])) for item in block.items
        ]
        return [ListFlowable(items, bulletType="bullet", leftIndent=12)]
    if isinstance(block, SideEffectTable):
        table = Table([block.columns, *block.rows], colWidths=TABLE_COLUMN_WIDTHS, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef0")),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ]
            )
        )
        return [Spacer(1, 4), table, Spacer(1, 4)]
    picture = chart.png(block)
    width, height = ImageReader(io.BytesIO(picture)).getSize()
    shown_width = CONTENT_WIDTH * 0.7
    return [PdfImage(io.BytesIO(picture), width=shown_width, height=shown_width * height / width)]


def to_pdf(handout: Handout, target: Union[Path, BinaryIO]) -> Union[Path, BinaryIO]:
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
        str(target) if isinstance(target, Path) else target,
        pagesize=A4,
        title=handout.title,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=PAGE_MARGIN,
        bottomMargin=PAGE_MARGIN,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return target


def pdf_bytes(handout: Handout) -> bytes:
    buffer = io.BytesIO()
    to_pdf(handout, buffer)
    return buffer.getvalue()
