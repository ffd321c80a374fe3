"""PostGIS result rows as DataFrames with the dtypes DuckDB's ``.df()`` gives.

So a page sees the same columns whichever store answers (``tests/queries/test_parity.py``).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
import psycopg

_PANDAS_INT: dict[str, Literal["Int16", "Int32", "Int64"]] = {"int2": "Int16", "int4": "Int32", "int8": "Int64"}
_NUMPY_INT = {"int2": np.int16, "int4": np.int32, "int8": np.int64}


def type_name(conn: psycopg.Connection, oid: int) -> str:
    """Name of a result column's type (``unknown`` for extension types like geometry)."""
    info = conn.adapters.types.get(oid)
    return info.name if info is not None else "unknown"


def _column(values: tuple[Any, ...], type_name: str) -> object:
    """One result column as the array type DuckDB's ``.df()`` would give."""
    has_null = any(v is None for v in values)
    if type_name in _NUMPY_INT:
        return (
            pd.array(values, dtype=_PANDAS_INT[type_name])
            if has_null
            else np.array(values, dtype=_NUMPY_INT[type_name])
        )
    if type_name in ("float4", "float8", "numeric"):
        return np.array(values, dtype=np.float64)
    if type_name == "bool":
        return pd.array(values, dtype="boolean") if has_null else np.array(values, dtype=bool)
    if type_name in ("timestamp", "date"):
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]").array
    if type_name in ("text", "varchar", "bpchar", "name"):
        return pd.array(list(values), dtype="str")
    return pd.array(values, dtype=object)


def frame_from_rows(rows: list[tuple[Any, ...]], columns: list[tuple[str, str]]) -> pd.DataFrame:
    """Build a DataFrame from result rows with dtypes matching DuckDB's.

    Parameters
    ----------
    rows : tuples as psycopg returns them
    columns : ``(name, type name)`` of each result column
    """
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    frame = pd.DataFrame({i: _column(v, t) for i, ((_, t), v) in enumerate(zip(columns, values, strict=True))})
    frame.columns = [name for name, _ in columns]
    return frame
