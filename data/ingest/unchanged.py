"""Rows of an events import that are stored as they are: counted unchanged, not checked again.

Every event an import stores carries ``source_hash`` (PostGIS migration 018): a 64-bit hash
of its row as the mapping reads it (one trimmed text per field, the geometry's point), of
everything else its stored values depend on, the *salt* (the mapping, the coordinate system,
the time formats in use, the district's areas, the importer's own code), and of the category
and department codes it was stored under. A later import hashes each row the same way before
validating it, with the codes the store's catalog gives its values now; a row whose hash is
stored for its id would store exactly what is stored, so it is counted unchanged and goes no
further. Deadlines need no check: an SLA
edit rewrites the stored ones (``refresh_event_deadlines``).

A row is *not* skipped when its id occurs twice in the chunk or was seen earlier in the file
(validation rejects the later one as a duplicate, as before), when a time column holds values
whose format is not fixed yet (its first chunk), or when its category or department is not
known yet or maps to another code than the stored one. Two different rows share a hash with
probability 2⁻⁶⁴ per stored id. A changed salt (another mapping, new areas, a new GridScope)
matches nothing: every row is checked as on a first import.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import numpy as np
import polars as pl

from data.ingest.areas_index import AreaIndex
from data.ingest.catalog import Catalog
from data.ingest.mappings import TIME_FIELDS, Mapping
from data.ingest.validate import DuplicateTracker, TimeParser
from data.store import Store

_SEED = 0x6772_6964
ID_SEPARATOR = "\x1f"
"""Between the ids handed to ``event_source_hashes`` (one string binds faster than a list)."""
_ROOT = Path(__file__).resolve().parents[2]
_RULES = ("data/ingest", "data/contracts.py", "geo/crs.py", "geo/h3index.py", "geo/polygon_index.py")
"""The code a stored value depends on: a new version of any of it matches no stored row."""


@functools.cache
def code_digest() -> str:
    """SHA-256 of the importer's source files (and polars' version, whose row hash is used)."""
    digest = hashlib.sha256(pl.__version__.encode())
    for rel in _RULES:
        path = _ROOT / rel
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(_ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def salt(mapping: Mapping, resolved: dict[str, str], crs: str, times: TimeParser, areas: AreaIndex) -> str:
    """What a stored event depends on besides its row, as one string."""
    formats = {name: (fmt.to_dict() if fmt is not None else None) for name, fmt in sorted(times.detected.items())}
    state = {
        "code": code_digest(),
        "mapping": repr(mapping),
        "resolved": sorted(resolved.items()),
        "crs": crs,
        "times": [times.formats, times.timezone, sorted(times.column_formats.items()), times.date_order],
        # a window's end only moves later ("now + 1 day"), which keeps every stored time inside;
        # a start relative to now moves too, so it matches nothing a minute later
        "window_start": times.window.start if times.window is not None else None,
        "formats": formats,
        "ambiguous": sorted(times.ambiguous),
        "areas": areas.fingerprint,
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def row_hashes(fields: pl.DataFrame, salt_text: str) -> np.ndarray:
    """``source_hash`` of each row of a chunk's fields frame (int64, as stored)."""
    cols = sorted(c for c in fields.columns if c not in ("_pos", "_row"))
    keyed = fields.select(*cols, pl.lit(salt_text).alias("_salt"))
    return keyed.hash_rows(seed=_SEED).to_numpy().view(np.int64)


def times_settled(fields: pl.DataFrame, times: TimeParser) -> bool:
    """True when every time column with a value here has its format fixed (the salt says it)."""
    for name in TIME_FIELDS["events"]:
        fixed = name in times.detected or name in times.ambiguous
        if not fixed and name in fields.columns and fields.get_column(name).null_count() < fields.height:
            return False
    return True


def source_hashes(row_hash: np.ndarray, category: pl.Series, department: pl.Series) -> np.ndarray:
    """``events.source_hash``: a row's hash (:func:`row_hashes`) with the category and
    department codes it is stored under, so a match also says the catalog still maps the row
    to those codes (int64, as stored)."""
    keyed = pl.DataFrame({"h": row_hash, "c": category, "d": department})
    return keyed.hash_rows(seed=_SEED).to_numpy().view(np.int64)


def stored_rows(store: Store, fields: pl.DataFrame) -> pl.DataFrame:
    """``event_id, source_hash`` stored for the ids of ``fields`` that occur once in it (a
    repeated id is never skipped: validation rejects its later rows)."""
    empty = pl.DataFrame(schema={"event_id": pl.String, "source_hash": pl.Int64})
    if not fields.height or "event_id" not in fields.columns:
        return empty
    ids = fields.get_column("event_id")
    once = ids.filter(~ids.is_duplicated() & ids.is_not_null())
    if not len(once):
        return empty
    frame = store.fetch("event_source_hashes", ids=once.str.join(ID_SEPARATOR).item())
    if not len(frame):
        return empty
    return pl.from_pandas(frame).with_columns(pl.col("source_hash").cast(pl.Int64))


def find_unchanged(
    fields: pl.DataFrame,
    stored: pl.DataFrame,
    hashes: np.ndarray,
    catalog: Catalog,
    dups: DuplicateTracker,
) -> np.ndarray:
    """Mask of the rows of ``fields`` (hashed as ``hashes``) stored as they are (``stored``:
    :func:`stored_rows`).

    A row's :func:`source_hashes` holds its id, so finding it among the hashes stored for the
    chunk's ids finds its own event. The skipped rows' ids are remembered in ``dups``, so a
    later row with one of them is rejected as a duplicate exactly as if the row had been
    stored again.
    """
    mask = np.zeros(fields.height, dtype=bool)
    known = stored.get_column("source_hash").drop_nulls().to_numpy()
    if not len(known):
        return mask
    category, department = catalog.known_codes(fields)
    mask = np.isin(source_hashes(hashes, category, department), known) & category.is_not_null().to_numpy()
    if mask.any():
        # an id seen earlier in the file: validation rejects this row as its duplicate
        mask &= dups.mark(fields.select("event_id"), fields.get_column("_row").to_numpy(), mask) == 0
    return mask


__all__ = [
    "ID_SEPARATOR",
    "code_digest",
    "find_unchanged",
    "row_hashes",
    "salt",
    "source_hashes",
    "stored_rows",
    "times_settled",
]
