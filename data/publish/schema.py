"""The published tables (docs/PUBLISHING.md, notes CONTRACTS "Issue 12"): names, columns, DDL.

The same DDL creates them in the separate DuckDB file (``writer.py``) and in PostGIS schema
``published`` (migration ``013_published.sql`` holds the same columns; a test compares them).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

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


TOKEN_KEY = "publication"
"""The ``pub_meta`` key of :func:`content_hash`: the publication's identity for caches."""


def _column_bytes(column: pd.Series, kind: str) -> bytes:
    """The values of ``column`` as bytes that depend only on the values, not on the dtype
    pandas happens to give them (int64 or Int64, date or datetime64, ...)."""
    missing = column.isna().to_numpy()
    base = kind.split()[0]
    if base in ("BIGINT", "INTEGER"):
        data = pd.to_numeric(column.where(~missing, 0)).astype("int64").to_numpy().astype("<i8").tobytes()
    elif base == "DOUBLE":
        data = pd.to_numeric(column.where(~missing, 0.0)).astype("float64").to_numpy().astype("<f8").tobytes()
    elif base == "BOOLEAN":
        data = column.where(~missing, False).astype(bool).to_numpy().astype(np.uint8).tobytes()
    elif base == "DATE":
        days = pd.to_datetime(column.where(~missing, None)).to_numpy().astype("datetime64[D]").astype("int64")
        data = np.where(missing, 0, days).astype("<i8").tobytes()
    else:  # each distinct text once, then the rows as numbers (labels and ids repeat a lot)
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        data = codes.astype("<i8").tobytes() + "\x1f".join(str(v) for v in uniques).encode()
    return missing.astype(np.uint8).tobytes() + data


UNCACHED: tuple[str, ...] = ("pub_tracking", "pub_tracking_case")
"""Tables the public app never caches (each look-up reads them): only their row counts go
into :func:`content_hash` (their tens of millions of unique digests would cost seconds)."""


def content_hash(tables: dict[str, pd.DataFrame]) -> str:
    """A deterministic hash of the published tables (``pub_meta`` without its own
    :data:`TOKEN_KEY` row; of :data:`UNCACHED` only the row counts), in the tables' stored
    order: the same data published twice gives the same hash, a change in any figure, unit,
    group or setting gives another. Written to ``pub_meta`` so the public app can key its
    cached answers on the publication itself, also when it is replaced on the same day."""
    digest = hashlib.sha256()
    for table, cols in TABLES.items():
        frame = tables[table]
        if table == "pub_meta":
            frame = frame[frame["key"] != TOKEN_KEY]
        digest.update(f"{table}\x1e{len(frame)}\x1e".encode())
        if table in UNCACHED:
            continue
        for name, kind in cols:
            digest.update(_column_bytes(frame[name].reset_index(drop=True), kind))
    return digest.hexdigest()[:32]
