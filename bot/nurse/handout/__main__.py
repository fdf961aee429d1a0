"""`make handout`: the counselling handout as HTML and PDF.

    .venv/bin/python -m bot.nurse.handout [--topics side_effects interactions]
        [--out handouts] [--png docs/handout-page-1.png]

writes handout.html and handout.pdf (and, with --png, a picture of page 1,
which needs the development dependencies) and prints their paths.
"""

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence, Tuple

from bot.knowledge import load_knowledge
from bot.nurse.handout.composition import (
    Handout,
    TooHardToRead,
    build_handout,
    load_composition,
    optional_topics,
)
from bot.nurse.handout.html_page import to_html
from bot.nurse.handout.pdf import to_pdf


def write_handout(handout: Handout, out_dir: Path) -> Tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / "handout.html"
    html_path.write_text(to_html(handout), encoding="utf-8")
    pdf_path = out_dir / "handout.pdf"
    to_pdf(handout, pdf_path)
    return html_path, pdf_path


def render_page(pdf_path: Path, png_path: Path, page: int = 0, scale: float = 2.0) -> Path:
    """A picture of one page of the PDF, as a printer would show it."""
    import pypdfium2  # a development dependency (requirements-dev.in)

    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        document[page].render(scale=scale).to_pil().save(png_path)
    finally:
        document.close()
    return png_path


def main(argv: Optional[Sequence[str]] = None) -> int:
    composition = load_composition()
    parser = argparse.ArgumentParser(description="Write the counselling handout as HTML and PDF.")
    parser.add_argument(
        "--topics",
        nargs="+",
        choices=optional_topics(composition),
        help="only these topics' sections (default: all)",
    )
    parser.add_argument("--out", type=Path, default=Path("handouts"), help="where to write them")
    parser.add_argument("--png", type=Path, help="also render page 1 to this PNG file")
    args = parser.parse_args(argv)
    try:
        handout = build_handout(load_knowledge(), args.topics, composition)
    except TooHardToRead as error:
        print(f"{error} Not written.", file=sys.stderr)
        return 1
    for path in write_handout(handout, args.out):
        print(path)
    if args.png:
        args.png.parent.mkdir(parents=True, exist_ok=True)
        print(render_page(args.out / "handout.pdf", args.png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
