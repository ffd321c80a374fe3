"""Write the published tables to their own DuckDB file (``gridscope publish --out``).

The file holds only the ``pub_*`` tables, so the public server never has raw data on its
disk. It is written to a temporary file beside the target and renamed over it when complete:
a reader sees the old publication or the new one, never half of one, and a failed build
leaves the old file untouched. Rows are stored in the frames' order, which the builder makes
deterministic (the dense grid; tracking by digest), so two publications of the same data hold
identical tables, row for row.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from . import schema
from .build import Published


def write_duckdb(published: Published, out: Path) -> Path:
    """Write ``published`` to the DuckDB file ``out`` (replaced atomically); return ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            for table in schema.TABLES:
                con.execute(schema.create_sql(table))
                frame = pa.Table.from_pandas(published.tables[table][schema.columns(table)], preserve_index=False)
                con.register("_frame", frame)
                cols = ", ".join(schema.columns(table))
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
                con.unregister("_frame")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, out)
    finally:
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
    return out
