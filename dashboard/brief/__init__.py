"""The weekly review brief (周例会简报) rendered from :func:`queries.answers.brief.weekly_brief`:
one self-contained HTML file (:mod:`.html`, :mod:`.sections`, :mod:`.style`), charts and maps
drawn by matplotlib (:mod:`.charts`), an A4 PDF by WeasyPrint (:mod:`.pdf`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from queries.answers.brief import Brief

from .html import render_html
from .pdf import html_to_pdf

__all__ = ["WrittenBrief", "html_to_pdf", "render_html", "write_brief"]


@dataclass(frozen=True)
class WrittenBrief:
    """Where :func:`write_brief` put the files."""

    html: Path
    pdf: Path | None


def write_brief(brief: Brief, out_dir: Path, lang: str = "zh", *, pdf: bool = True) -> WrittenBrief:
    """Write ``brief.html`` (and ``brief.pdf``) into ``out_dir`` (made when missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_html(brief, lang)
    html_path = out_dir / "brief.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = None
    if pdf:
        pdf_path = out_dir / "brief.pdf"
        pdf_path.write_bytes(html_to_pdf(html))
    return WrittenBrief(html_path, pdf_path)
