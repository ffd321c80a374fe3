"""The brief as an A4 PDF: WeasyPrint lays out the HTML (real text, subsetted embedded fonts,
Chinese selectable and searchable) with no browser and no network."""

from __future__ import annotations

import logging

__all__ = ["html_to_pdf"]


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a brief's HTML (:func:`dashboard.brief.html.render_html`).

    Only ``data:`` URLs are fetched (the brief's own pictures): the file is self-contained,
    and a URL that came in with the data is never requested.
    """
    from weasyprint import HTML  # imported here: it loads Pango
    from weasyprint.urls import URLFetcher

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
