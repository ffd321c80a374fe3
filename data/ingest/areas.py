"""Import area polygons: replace the store's areas with a file's, then re-assign events and sensors.

Features sharing an ``area_id`` are merged, every geometry is checked
(:mod:`data.ingest.area_geometry`) and every parent decided (:mod:`data.ingest.area_parents`)
before anything is written; the writes are one transaction.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import shapely

from data.contracts import AREA_LEVELS, column_names
from data.ingest.area_geometry import REPAIRED_WARNING, check_area_geometries
from data.ingest.area_parents import resolve_parents
from data.ingest.areas_index import AreaIndex
from data.ingest.bookkeeping import begin_batch, end_batch, fail_batch, remember
from data.ingest.mappings import Mapping
from data.ingest.opening import ImportFileError, new_batch_id, resolve_mapping
from data.ingest.readers import Chunk, ReadError, read_areas
from data.ingest.reassign import reassign_areas
from data.ingest.rejects import Rejects
from data.ingest.report import ImportReport, Progress
from data.ingest.validate import fields_frame, reject_unstorable
from data.store import Store
from geo.crs import normalize_crs


def import_areas(
    store: Store,
    source: Path | str,
    mapping: Mapping | str | Path | None = None,
    crs: str | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    level: str | None = None,
) -> ImportReport:
    """Replace the store's areas with the polygons of a file; re-assign events and sensors.

    Features sharing an ``area_id`` are merged into one (multi)polygon. Without a level
    column every area gets ``level`` (default ``grid``): a district may have only
    grids, or only communities. Events keep their rows; their grid/community/street ids
    are recomputed against the new areas (events outside all of them get none, and the
    report counts them).

    Every feature's geometry is checked before anything is written (empty, coordinates
    out of range after the CRS conversion, invalid: :mod:`data.ingest.area_geometry`); a bad
    feature is a rejected row naming its feature number. The import is one transaction
    (``store.transaction()``): areas, re-assigned events and sensors, rejects and the
    report commit together, or nothing changes. A check-only import
    (:class:`DryRunStore`) runs the same checks and counts the same re-assignment.

    Raises
    ------
    ImportFileError
        Not a polygon file, unreadable, no id column, or no valid polygon; nothing written.
    """
    t0 = time.perf_counter()
    if level is not None and level not in AREA_LEVELS:
        raise ImportFileError(f"level must be one of {', '.join(AREA_LEVELS)}, got {level!r}")
    try:
        attrs, geoms, file_crs = read_areas(source)
        src_cols = list(attrs.columns)
    except ReadError as exc:
        raise ImportFileError(str(exc)) from exc
    mapping = resolve_mapping(mapping, src_cols, "areas")
    resolved = mapping.resolve(src_cols)
    if "area_id" not in resolved:
        raise ImportFileError(
            f"{Path(source).name!r} has no area id column under mapping {mapping.name!r} "
            f'(file columns: {", ".join(src_cols[:20])}); write a mapping with area_id = ["<column>"]'
        )
    try:
        crs_name = (
            normalize_crs(crs) if crs else (normalize_crs(file_crs) if file_crs and _is_epsg(file_crs) else "wgs84")
        )
    except ValueError as exc:
        raise ImportFileError(str(exc)) from exc
    report = ImportReport(
        "areas",
        Path(source).name,
        batch_id or new_batch_id("areas", source),
        "vector",
        None,
        crs_name,
        mapping.name,
        resolved,
    )
    report.rows_read = len(attrs)
    import pyarrow as pa

    chunk = Chunk(
        pa.Table.from_pandas(attrs.astype(object).where(attrs.notna(), None), preserve_index=False).cast(
            pa.schema([pa.field(c, pa.string()) for c in attrs.columns])
        ),
        np.arange(1, len(attrs) + 1, dtype=np.int64),
    )
    frame = reject_unstorable(
        fields_frame(chunk, mapping, resolved).with_columns(pl.lit(None, dtype=pl.String).alias("reason"))
    )
    if "level" not in frame.columns:
        lv = level or mapping.defaults.get("level", "grid")
        frame = frame.with_columns(pl.lit(lv).alias("level"))
        report.warnings[f"no level column: every area stored as '{lv}'"] += frame.height
    elif level:
        frame = frame.with_columns(pl.col("level").fill_null(level))
    geoms = np.asarray(geoms, dtype=object)
    kinds = shapely.get_type_id(geoms)
    frame = frame.with_columns(
        pl.when(pl.col("reason").is_not_null())
        .then(pl.col("reason"))
        .when(pl.col("area_id").is_null())
        .then(pl.lit("missing id"))
        .when(~pl.Series(np.isin(kinds, [3, 6])))
        .then(pl.lit("not a polygon"))
        .when(~pl.col("level").is_in(list(AREA_LEVELS)))
        .then(pl.lit("unknown level: '") + pl.col("level").fill_null("") + pl.lit(f"' (use {', '.join(AREA_LEVELS)})"))
        .otherwise(None)
        .alias("reason")
    )
    ok = frame.get_column("reason").is_null().to_numpy()
    wgs, why, repaired = check_area_geometries(geoms[ok], crs_name, chunk.rows[ok])
    reasons = frame.get_column("reason").to_numpy().astype(object)
    reasons[ok] = why
    frame = frame.with_columns(pl.Series("reason", reasons.tolist(), dtype=pl.String))
    if repaired:
        report.warnings[REPAIRED_WARNING] += repaired
    keep = np.equal(why, None)
    good = frame.filter(pl.col("reason").is_null()).to_pandas()
    good["geom"] = wgs[keep]
    merged = _merge_areas(good, report) if len(good) else good
    if len(merged):
        frame, good, merged = _check_parents(frame, good, merged, report)
    if not len(merged):
        Rejects(store, report.batch_id, report).frame(chunk, frame)  # counts the reasons
        raise ImportFileError(f"{Path(source).name!r} has no usable polygon (reasons: {dict(report.reasons)})")
    report.merged = len(good) - len(merged)
    # built before anything is written, so the check fails where the import would
    index = AreaIndex.from_frame(
        pd.DataFrame(
            {
                "area_id": merged["area_id"],
                "level": merged["level"],
                "parent_id": merged["parent_id"],
                "geom": shapely.from_wkb(merged["geom"].to_numpy()),
            }
        )
    )
    log = begin_batch(store, report, Path(source), explicit_id=batch_id is not None)  # committed first: a trace
    rejected = Rejects(store, report.batch_id, report).frame(chunk, frame)
    try:
        with store.transaction():
            stats = store.upsert_frame("areas", merged, ["area_id"])
            store.execute("delete_areas_except", keep=merged["area_id"].tolist())
            report.inserted, report.updated, report.unchanged = stats["inserted"], stats["updated"], stats["unchanged"]
            if rejected is not None:
                store.insert_frame("import_rejects", rejected)
            reassign_areas(store, report, areas=index)
            if progress:
                progress(report.rows_read, report.rows_read)
            report.seconds = time.perf_counter() - t0
            end_batch(log, report, chunks=1)
            remember(store, report)
    except BaseException as exc:  # nothing of it was stored; the batch says so
        fail_batch(log, exc)
        raise
    return report


def _is_epsg(text: str) -> bool:
    try:
        normalize_crs(text)
    except ValueError:
        return False
    return True


def _merge_areas(good: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """One row per area_id: geometries of repeated ids unioned, first attributes kept."""
    cols = [c for c in column_names("areas") if c in good.columns and c != "geom"]
    first = good.drop_duplicates("area_id", keep="first").set_index("area_id")
    counts = good["area_id"].value_counts()
    geom = first["geom"].copy()
    for area_id in counts.index[counts > 1]:
        geom[area_id] = shapely.union_all(good.loc[good["area_id"] == area_id, "geom"].to_numpy())
    if (counts > 1).any():
        report.warnings[f"{int((counts > 1).sum())} area ids had several features: merged"] += int(
            counts[counts > 1].sum()
        )
    out = first.reset_index()[cols].copy()
    if "name_zh" not in out.columns or out["name_zh"].isna().any():
        fallback = out["name_en"] if "name_en" in out.columns else out["area_id"]
        out["name_zh"] = (
            (out["name_zh"] if "name_zh" in out.columns else fallback).fillna(fallback).fillna(out["area_id"])
        )
    for c in ("households", "population"):
        if c in out.columns:
            out[c] = _count_column(out[c], c, report)
    out["geom"] = shapely.to_wkb(geom.loc[out["area_id"]].to_numpy())
    return out


def _check_parents(
    frame: pl.DataFrame, good: pd.DataFrame, merged: pd.DataFrame, report: ImportReport
) -> tuple[pl.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Decide each area's parent (:func:`data.ingest.area_parents.resolve_parents`): rejected areas
    leave ``good``/``merged`` and get their reason on every feature of theirs in ``frame``."""
    first_row = good.drop_duplicates("area_id").set_index("area_id")["_row"]
    parents = resolve_parents(
        merged["area_id"].to_numpy(dtype=object),
        merged["level"].to_numpy(dtype=object),
        merged["parent_id"].to_numpy(dtype=object) if "parent_id" in merged.columns else None,
        shapely.from_wkb(merged["geom"].to_numpy()),
        first_row.loc[merged["area_id"]].to_numpy(),
    )
    report.parents_from_file += parents.from_file
    report.parents_by_location += parents.by_location
    report.parents_top += parents.top
    report.warnings.update(parents.warnings)
    merged = merged.assign(parent_id=parents.parent_id)
    bad = np.not_equal(parents.reasons, None)
    if bad.any():
        why = dict(zip(merged["area_id"].to_numpy()[bad], parents.reasons[bad], strict=True))
        reason = pl.col("area_id").replace_strict(why, default=None, return_dtype=pl.String)
        frame = frame.with_columns(pl.coalesce(pl.col("reason"), reason).alias("reason"))
        good = good[~good["area_id"].isin(list(why))]
        merged = merged[~bad].reset_index(drop=True)
    return frame, good, merged


_MAX_COUNT = 2_147_483_647
"""Largest households/population value (the columns are 32-bit integers on both stores)."""


def _count_column(text: pd.Series, name: str, report: ImportReport) -> pd.Series:
    """A whole number 0..:data:`_MAX_COUNT` per area, else empty with a warning (a value like
    ``1e400`` or ``3000000000`` used to stop the import; ``12.6`` was rounded, ``abc`` dropped)."""
    num = pd.to_numeric(text, errors="coerce").astype(float)
    ok = np.isfinite(num) & (num == np.round(num)) & (num >= 0) & (num <= _MAX_COUNT)
    bad = text.notna() & ~ok
    for value, n in text[bad].astype(str).value_counts().head(5).items():
        report.warnings[f"{name} '{value[:40]}' is not a whole number 0-{_MAX_COUNT}: left empty"] += int(n)
    rest = int(bad.sum()) - int(text[bad].astype(str).value_counts().head(5).sum())
    if rest > 0:
        report.warnings[f"{name}: {rest} more values not whole numbers 0-{_MAX_COUNT}: left empty"] += rest
    return pd.Series(np.where(ok, num, np.nan), index=text.index).astype("Int32")


__all__ = ["import_areas"]
