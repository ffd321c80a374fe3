"""Load named SQL queries from ``queries/sql`` and bind ``:name`` parameters per dialect.

One query per file, named by its file (aiosql's idea, one query a file so tests can
enumerate them). A dialect override with the same file name under ``sql/<dialect>/``
wins over the portable file. ``{{fragment}}`` pulls in ``sql/_fragments/<fragment>.sql``
(shared filter clauses; ``sql/<dialect>/_fragments/`` overrides one per dialect);
fragments are SQL text of the project, never user values.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from data.store import ParamStyle

SQL_DIR = Path(__file__).parent / "sql"
"""Folder holding the portable queries, ``duckdb/`` and ``postgis/`` overrides, ``_fragments/``."""

_PARAM = re.compile(r"(?<![:\w]):(?!:)([A-Za-z_]\w*)")
_FRAGMENT = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def query_names() -> list[str]:
    """Return the names of every named query (portable and dialect-only), sorted."""
    names = {p.stem for p in SQL_DIR.glob("*.sql")}
    for dialect in ("duckdb", "postgis"):
        names |= {p.stem for p in (SQL_DIR / dialect).glob("*.sql")}
    return sorted(names)


@cache
def raw_sql(name: str, dialect: str) -> str:
    """Return the SQL text of query ``name`` for ``dialect`` with fragments expanded.

    ``name`` is a file name without folders (``../x`` would reach other SQL files)."""
    if not _NAME.fullmatch(name):
        raise KeyError(f"no SQL file for query {name!r} ({dialect}): query names are lower_case words")
    for path in (SQL_DIR / dialect / f"{name}.sql", SQL_DIR / f"{name}.sql"):
        if path.exists():
            text = path.read_text(encoding="utf-8")
            return _FRAGMENT.sub(lambda m: _fragment(m.group(1), dialect), text)
    raise KeyError(f"no SQL file for query {name!r} ({dialect})")


def _fragment(name: str, dialect: str) -> str:
    """Fragment text, the dialect's override (``sql/<dialect>/_fragments``) first."""
    for path in (SQL_DIR / dialect / "_fragments" / f"{name}.sql", SQL_DIR / "_fragments" / f"{name}.sql"):
        if path.exists():
            text = path.read_text(encoding="utf-8").strip()
            return _FRAGMENT.sub(lambda m: _fragment(m.group(1), dialect), text)
    raise KeyError(f"no SQL fragment {name!r} ({dialect})")


def param_names(name: str, dialect: str) -> list[str]:
    """Return the ``:parameters`` query ``name`` expects, in first-use order."""
    seen: dict[str, None] = {}
    for m in _PARAM.finditer(_strip_comments(raw_sql(name, dialect))):
        seen.setdefault(m.group(1), None)
    return list(seen)


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


@cache
def bound_sql(name: str, dialect: str, paramstyle: ParamStyle = "pyformat") -> str:
    """Return query ``name`` of ``dialect`` with ``:param`` rewritten to ``paramstyle``,
    the placeholder style the store declares (``Store.paramstyle``; psycopg's by default)."""
    return bind_params(_strip_comments(raw_sql(name, dialect)), paramstyle)


def bind_params(sql: str, paramstyle: ParamStyle) -> str:
    """Rewrite the ``:param`` placeholders of project SQL to a driver's style.

    ``dollar`` (DuckDB) gives ``$param``; ``pyformat`` (psycopg) gives ``%(param)s``, so a
    literal ``%`` doubles.

    >>> bind_params("x = :a AND y LIKE 'b%'", "pyformat")
    "x = %(a)s AND y LIKE 'b%%'"
    """
    if paramstyle == "dollar":
        return _PARAM.sub(r"$\1", sql)
    if paramstyle == "pyformat":
        return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
    raise ValueError(f"unknown paramstyle {paramstyle!r}; expected 'dollar' or 'pyformat'")
