"""Small HTML builders of the brief: escaping, tables, coloured changes."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["Cell", "delta", "e", "table"]

Cell = tuple[str, bool]
"""An escaped cell's HTML and whether it is a number (right-aligned)."""


def e(value: object) -> str:
    """``value`` as HTML text (``<``, ``&``, quotes escaped).

    >>> e('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return escape(str(value), quote=True)


def table(headers: Sequence[Cell], rows: Sequence[Sequence[Cell]], cls: str = "") -> str:
    """An HTML table of already escaped cells."""
    head = "".join(f'<th class="{"n" if n else ""}">{h}</th>' for h, n in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"n" if n else ""}">{c}</td>' for c, n in row) + "</tr>" for row in rows
    )
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def delta(text: str) -> str:
    """A change, escaped and coloured by its sign (red up, green down; the missing mark plain)."""
    cls = "up" if text.startswith("+") else ("down" if text.startswith("−") else "")
    return f'<span class="{cls}">{e(text)}</span>'
