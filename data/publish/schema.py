"""The published tables (docs/PUBLISHING.md, notes CONTRACTS "Issue 12"): names, columns, DDL.

The same DDL creates them in the separate DuckDB file (``writer.py``) and in PostGIS schema
``published`` (migration ``013_published.sql`` holds the same columns; a test compares them).
"""

from __future__ import annotations

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "pub_meta": (("key", "VARCHAR PRIMARY KEY"), ("value", "VARCHAR")),
    "pub_units": (
        ("level", "VARCHAR NOT NULL"),
        ("unit_id", "VARCHAR NOT NULL"),
        ("parent_id", "VARCHAR"),
        ("name_zh", "VARCHAR"),
        ("name_en", "VARCHAR"),
        ("res", "INTEGER"),
        ("geojson", "VARCHAR"),
    ),
    "pub_groups": (
        ("kind", "VARCHAR NOT NULL"),
        ("code", "VARCHAR NOT NULL"),
        ("name_zh", "VARCHAR"),
        ("name_en", "VARCHAR"),
        ("sensitive", "BOOLEAN NOT NULL"),
    ),
    "pub_stats": (
        ("period", "VARCHAR NOT NULL"),
        ("period_start", "DATE NOT NULL"),
        ("period_end", "DATE NOT NULL"),
        ("period_label", "VARCHAR NOT NULL"),
        ("level", "VARCHAR NOT NULL"),
        ("unit_id", "VARCHAR NOT NULL"),
        ("category_group", "VARCHAR NOT NULL"),
        ("source", "VARCHAR NOT NULL"),
        ("received", "BIGINT"),
        ("closed", "BIGINT"),
        ("closure_rate", "DOUBLE PRECISION"),
        ("on_time_rate", "DOUBLE PRECISION"),
        ("median_days_to_close", "DOUBLE PRECISION"),
        ("satisfaction_rate", "DOUBLE PRECISION"),
        ("withheld", "VARCHAR"),
    ),
    "pub_tracking": (
        ("digest", "VARCHAR NOT NULL"),
        ("stage", "VARCHAR NOT NULL"),
        ("reached_on", "DATE"),
        ("ord", "INTEGER NOT NULL"),
    ),
    "pub_tracking_case": (
        ("digest", "VARCHAR PRIMARY KEY"),
        ("status", "VARCHAR NOT NULL"),
        ("closed_on_time", "BOOLEAN"),
        ("rated", "BOOLEAN NOT NULL"),
        ("can_rate", "BOOLEAN NOT NULL"),
    ),
}
"""Every published table: its columns and their SQL types (portable DuckDB/PostgreSQL)."""

ORDER_BY: dict[str, str] = {
    "pub_meta": "key",
    "pub_units": "level, unit_id",
    "pub_groups": "kind, code",
    "pub_stats": "period, period_start, level, unit_id, category_group, source",
    "pub_tracking": "digest, ord",
    "pub_tracking_case": "digest",
}
"""The key of each table, the order to read it in."""


def columns(table: str) -> list[str]:
    """Column names of ``table``."""
    return [name for name, _ in TABLES[table]]


def create_sql(table: str, schema: str = "") -> str:
    """``CREATE TABLE`` of ``table`` (in ``schema`` when given)."""
    cols = ", ".join(f"{name} {kind}" for name, kind in TABLES[table])
    prefix = f"{schema}." if schema else ""
    return f"CREATE TABLE {prefix}{table} ({cols})"
