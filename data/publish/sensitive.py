"""Sensitive categories (``GRIDSCOPE_PUBLIC_SENSITIVE``): published at street level or not at all.

The setting is a comma-separated list of category codes, optionally followed by the mode:
``neighbour_dispute,group_rental`` (street mode: the district and each street, never a
community or an H3 cell) or ``neighbour_dispute,group_rental,hide`` (withheld everywhere).
``hide`` alone, with no code, is an error (it would protect nothing).

Each sensitive category is its own category group (its own code, ``pub_groups.sensitive``
true) and is left out of every ``'all'`` row and every source row, at every level: a
community's "all categories" figure minus its published groups can then never give the
sensitive count there. The published "all categories" figures are therefore "all
non-sensitive categories" whenever the setting is not empty (docs/PUBLISHING.md).
"""

from __future__ import annotations

from dataclasses import dataclass

MODES: tuple[str, ...] = ("street", "hide")
"""``street``: district and street rows only; ``hide``: no published value at all."""

FINE_LEVELS: tuple[str, ...] = ("community", "cell")
"""Levels finer than a street, where street mode withholds sensitive groups."""


@dataclass(frozen=True)
class Sensitive:
    """The parsed setting: the category codes and the mode."""

    codes: tuple[str, ...] = ()
    mode: str = "street"

    def withheld_at(self, level: str) -> bool:
        """Whether a sensitive group's row at ``level`` is withheld as ``'sensitive'``."""
        return self.mode == "hide" or level in FINE_LEVELS


def parse_sensitive(text: str) -> Sensitive:
    """Parse ``GRIDSCOPE_PUBLIC_SENSITIVE``.

    >>> parse_sensitive(" noise , neighbour_dispute ")
    Sensitive(codes=('neighbour_dispute', 'noise'), mode='street')
    >>> parse_sensitive("noise,hide").mode
    'hide'
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    mode = "street"
    if parts and parts[-1].lower() in MODES:
        mode = parts.pop().lower()
    if any(p.lower() in MODES for p in parts):
        raise ValueError("GRIDSCOPE_PUBLIC_SENSITIVE: the mode (street or hide) goes last, after the category codes")
    if mode == "hide" and not parts:
        raise ValueError("GRIDSCOPE_PUBLIC_SENSITIVE: 'hide' needs the category codes before it (code1,code2,hide)")
    return Sensitive(tuple(sorted(set(parts))), mode)
