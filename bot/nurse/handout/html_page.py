"""The handout as one self-contained, printable HTML page: styles and chart inside it."""

import base64
import html

from bot.nurse.handout import chart
from bot.nurse.handout.composition import (
    Block,
    Bullets,
    Citation,
    Handout,
    Paragraph,
    SideEffectTable,
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
            + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells)
            + "</tr>"
            for name, *cells in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    encoded = base64.b64encode(chart.png(block)).decode("ascii")
    return f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(block.alt)}">'


def to_html(handout: Handout) -> str:
    """One self-contained, printable page: styles and chart inside it."""
    sections = "".join(
        f'<section id="{html.escape(section.id)}"><h2>{html.escape(section.heading)}</h2>'
        + "".join(_html_block(block) for block in section.blocks)
        + "</section>"
        for section in handout.sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(handout.title)}</title><style>{HTML_STYLE}</style></head>"
        f"<body><h1>{html.escape(handout.title)}</h1><p>{html.escape(handout.intro)}</p>"
        f"{sections}<footer>{html.escape(handout.footer)}</footer></body></html>\n"
    )
