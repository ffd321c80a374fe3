"""Row validation for imports: typed columns out, and for every bad row a reason users understand.

Input is a frame of *fields* as text (:func:`~data.ingest.fields.fields_frame` applies a
mapping to a chunk); output is the same rows parsed to the contract's types plus a
``reason`` column (null = the row is good). The first problem found is the reason; the
order of checks is the order of :data:`~data.ingest.reasons.REASONS`. Everything is
vectorised (polars): a million rows validate in well under a second.

``reason`` texts are stored in ``import_rejects.reason`` as ``"<reason>: <detail>"``,
where ``<reason>`` is one of :data:`~data.ingest.reasons.REASONS` (English, with a
Chinese translation for pages) and the detail quotes the column and value. Time columns
are read by :class:`~data.ingest.timeformats.TimeParser`, the stored status decided by
:mod:`data.ingest.statuses`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from data.contracts import SOURCES, STAGE_COLUMNS
from data.ingest.fields import fields_frame
from data.ingest.mappings import Mapping
from data.ingest.readers import INVALID_TEXT
from data.ingest.statuses import (
    NOT_STORED,
    STATUS_FINDINGS,
    count_statuses,
    stored_status,
)
from data.ingest.timeformats import TimeParser
from geo.crs import normalize_crs, to_wgs84

_TRUE = {"true", "1", "yes", "y", "t", "是", "有", "返工"}
_FALSE = {"false", "0", "no", "n", "f", "否", "无", "未返工"}


UNSTORABLE_TEXT: tuple[tuple[str, str], ...] = (
    ("\x00", "contains a NUL character (U+0000), which PostgreSQL cannot store"),
    (INVALID_TEXT, "has bytes that are not valid in the file's encoding (shown as \ufffd in the raw row)"),
)
"""Characters no store keeps: a row with one in any field is rejected on both backends."""


def reject_unstorable(frame: pl.DataFrame) -> pl.DataFrame:
    """Set ``reason`` (where still null) for rows with a text field no store can hold.

    A NUL character: DuckDB keeps it, PostgreSQL refuses the whole COPY (issue 9: 0 of
    8,001 rows written); bytes invalid in the file's encoding (:data:`data.ingest.readers.INVALID_TEXT`).
    Checked before everything else, so no other reason quotes such a value.
    """
    fields = [
        c
        for c, t in frame.schema.items()
        if t == pl.String and not c.startswith("_") and c not in ("reason", *NOT_STORED)
    ]
    # one pass per field for both characters; the per-field messages only where one is found
    # (a clean file, the usual case, then costs a twelfth of the message chain)
    either = "[" + "".join(ch for ch, _ in UNSTORABLE_TEXT) + "]"
    found = frame.select(pl.any_horizontal(pl.col(f).str.contains(either).fill_null(False) for f in fields))
    if not fields or not found.to_series().any():
        return frame
    return _first_reason(
        frame,
        [
            (pl.col(f).str.contains(ch, literal=True), pl.lit(f"text cannot be stored: field '{f}' {what}"))
            for f in fields
            for ch, what in UNSTORABLE_TEXT
        ],
    )


def storable(text: str) -> str:
    """``text`` with the characters of :data:`UNSTORABLE_TEXT` made visible (for ``raw``)."""
    return text.replace("\x00", "\u2400").replace(INVALID_TEXT, "\ufffd")


@dataclass
class Checked:
    """Result of validating one chunk."""

    frame: pl.DataFrame
    """Typed rows, with a ``reason`` column (null = good) and ``_pos``/``_row``."""
    warnings: Counter = field(default_factory=Counter)
    """Non-fatal findings (a value replaced by a default …) -> number of rows."""


def _first_reason(frame: pl.DataFrame, checks: list[tuple[pl.Expr, pl.Expr]]) -> pl.DataFrame:
    """Set ``reason`` to the first failing check's message (keeping an existing reason)."""
    expr = pl.when(pl.col("reason").is_not_null()).then(pl.col("reason"))
    for cond, msg in checks:
        expr = expr.when(cond).then(msg)
    return frame.with_columns(expr.otherwise(None).alias("reason"))


def _quote(col: str) -> pl.Expr:
    return pl.lit("'") + pl.col(col).cast(pl.String).str.slice(0, 60) + pl.lit("'")


def _coordinates(frame: pl.DataFrame, crs: str, geographic_in: bool) -> pl.DataFrame:
    """Parse lon/lat (or the geometry's x/y), check ranges, convert to WGS-84."""
    has_xy = "_x" in frame.columns
    lon_txt = frame.get_column("lon") if "lon" in frame.columns else pl.Series("lon", [None] * frame.height, pl.String)
    lat_txt = frame.get_column("lat") if "lat" in frame.columns else pl.Series("lat", [None] * frame.height, pl.String)
    x = lon_txt.cast(pl.Float64, strict=False)
    y = lat_txt.cast(pl.Float64, strict=False)
    if has_xy:
        gx, gy = frame.get_column("_x"), frame.get_column("_y")
        use_geom = gx.is_not_nan() & gy.is_not_nan()
        x = pl.select(pl.when(use_geom).then(gx).otherwise(x)).to_series()
        y = pl.select(pl.when(use_geom).then(gy).otherwise(y)).to_series()
        lon_txt = pl.select(pl.when(use_geom).then(gx.cast(pl.String)).otherwise(lon_txt)).to_series()
        lat_txt = pl.select(pl.when(use_geom).then(gy.cast(pl.String)).otherwise(lat_txt)).to_series()
    x = x.fill_nan(None)
    y = y.fill_nan(None)
    frame = frame.with_columns(
        lon_txt.alias("_lon_txt"), lat_txt.alias("_lat_txt"), x.alias("_lon_in"), y.alias("_lat_in")
    )
    checks = [
        (pl.col("_lon_txt").is_null() | pl.col("_lat_txt").is_null(), pl.lit("missing coordinates")),
        (
            pl.col("_lon_in").is_null()
            | pl.col("_lat_in").is_null()
            | ~pl.col("_lon_in").is_finite()
            | ~pl.col("_lat_in").is_finite(),
            pl.lit("coordinates not numbers: ") + _quote("_lon_txt") + pl.lit(", ") + _quote("_lat_txt"),
        ),
    ]
    if geographic_in:
        checks += [
            (pl.col("_lat_in").abs() > 90, pl.lit("latitude out of range: ") + pl.col("_lat_in").cast(pl.String)),
            (pl.col("_lon_in").abs() > 180, pl.lit("longitude out of range: ") + pl.col("_lon_in").cast(pl.String)),
        ]
    frame = _first_reason(frame, checks)
    ok = frame.get_column("reason").is_null().to_numpy()
    lon = np.full(frame.height, np.nan)
    lat = np.full(frame.height, np.nan)
    if ok.any():
        lon[ok], lat[ok] = to_wgs84(
            frame.get_column("_lon_in").to_numpy()[ok], frame.get_column("_lat_in").to_numpy()[ok], crs
        )
    frame = frame.with_columns(pl.Series("lon", lon).fill_nan(None), pl.Series("lat", lat).fill_nan(None))
    return _first_reason(
        frame,
        [
            (
                pl.col("lon").is_null() | pl.col("lat").is_null(),
                pl.lit(f"coordinates not convertible: from {crs}, ")
                + _quote("_lon_txt")
                + pl.lit(", ")
                + _quote("_lat_txt"),
            ),
            (pl.col("lat").abs() > 90, pl.lit("latitude out of range: ") + pl.col("lat").cast(pl.String)),
            (pl.col("lon").abs() > 180, pl.lit("longitude out of range: ") + pl.col("lon").cast(pl.String)),
        ],
    ).drop("_lon_txt", "_lat_txt", "_lon_in", "_lat_in")


def is_geographic(crs: str) -> bool:
    """True when ``crs`` takes degrees (wgs84, gcj02, bd09 or a geographic EPSG code)."""
    code = normalize_crs(crs)
    if code in ("wgs84", "gcj02", "bd09"):
        return True
    from pyproj import CRS

    return CRS.from_user_input(code).is_geographic


def _int_field(frame: pl.DataFrame, name: str, lo: int, hi: int, warnings: Counter, label: str) -> pl.DataFrame:
    if name not in frame.columns:
        return frame
    text = frame.get_column(name)
    num = text.cast(pl.Float64, strict=False)
    ok = num.is_not_null() & (num == num.round(0)) & (num >= lo) & (num <= hi)
    bad = text.is_not_null() & ~ok
    if bad.any():
        for value, count in text.filter(bad).value_counts(sort=True).head(5).iter_rows():
            warnings[f"{label} '{value}' is not {lo}-{hi}: left empty"] += count
        rest = int(bad.sum()) - sum(c for _, c in text.filter(bad).value_counts(sort=True).head(5).iter_rows())
        if rest > 0:
            warnings[f"{label}: {rest} more values not {lo}-{hi}: left empty"] += rest
    return frame.with_columns(pl.when(ok).then(num).otherwise(None).cast(pl.Int32).alias(name))


def check_events(frame: pl.DataFrame, mapping: Mapping, crs: str, times: TimeParser) -> Checked:
    """Validate event fields; see :data:`~data.ingest.reasons.REASONS` for what rejects a row.

    Parameters
    ----------
    frame : output of :func:`fields_frame` for an ``events`` mapping
    mapping : the mapping used (for the default source)
    crs : coordinate system of lon/lat (or of the file's geometry)
    times : shared parser (keeps the formats that worked)

    Returns
    -------
    Checked
        ``frame`` with contract types (``lon``/``lat`` in WGS-84) and ``reason``.
    """
    warnings: Counter = Counter()
    n = frame.height
    frame = reject_unstorable(frame.with_columns(pl.lit(None, dtype=pl.String).alias("reason")))
    for fld in ("event_id", "category"):
        if fld not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(fld))
    parsed = {}
    for col in STAGE_COLUMNS:
        if col in frame.columns:
            parsed[col] = times.parse(col, frame.get_column(col))
    checks: list[tuple[pl.Expr, pl.Expr]] = [
        (pl.col("event_id").is_null(), pl.lit("missing id")),
        (
            pl.col("reported_at").is_null() if "reported_at" in frame.columns else pl.lit(True),
            pl.lit("missing time: reported_at"),
        ),
    ]
    frame = frame.with_columns([s.alias(f"_{c}") for c, s in parsed.items()])
    for col in parsed:
        reason, note = times.problem(col)
        checks.append(
            (
                pl.col(col).is_not_null() & pl.col(f"_{col}").is_null(),
                pl.lit(f"{reason}: {col} = ") + _quote(col) + pl.lit(note),
            )
        )
    frame = _first_reason(frame, checks)
    frame = frame.drop([c for c in parsed]).rename({f"_{c}": c for c in parsed})
    frame = _first_reason(frame, [times.out_of_window(col) for col in parsed])
    frame = _coordinates(frame, crs, is_geographic(crs))
    frame = _first_reason(frame, [(pl.col("category").is_null(), pl.lit("missing category"))])
    if "closed_at" in frame.columns:
        # a date-only side says nothing about the hour: only an earlier day is "before"
        day_only = times.date_only("closed_at") or times.date_only("reported_at")
        closed, reported = pl.col("closed_at"), pl.col("reported_at")
        frame = _first_reason(
            frame,
            [
                (
                    closed.dt.date() < reported.dt.date() if day_only else closed < reported,
                    pl.lit("closed before reported: ")
                    + closed.dt.strftime("%Y-%m-%d %H:%M")
                    + pl.lit(" < ")
                    + reported.dt.strftime("%Y-%m-%d %H:%M"),
                )
            ],
        )
    # non-fatal fields: replaced by defaults with a warning
    fallback = mapping.defaults.get("source", "hotline")
    fallback = fallback if fallback in SOURCES else "hotline"
    source = frame.get_column("source") if "source" in frame.columns else pl.Series("source", [fallback] * n)
    known = source.is_in(list(SOURCES))
    unknown = source.filter(~known & source.is_not_null())
    for value, count in unknown.value_counts(sort=True).head(10).iter_rows():
        warnings[f"source '{value}' not recognised: stored as '{fallback}'"] += count
    frame = frame.with_columns(pl.when(known).then(source).otherwise(pl.lit(fallback)).alias("source"))
    frame = _int_field(frame, "priority", 1, 3, warnings, "priority")
    frame = _int_field(frame, "satisfaction", 1, 5, warnings, "satisfaction")
    if "reopened" in frame.columns:
        low = frame.get_column("reopened").str.to_lowercase()
        frame = frame.with_columns(
            pl.when(low.is_in(list(_TRUE)))
            .then(True)
            .when(low.is_in(list(_FALSE)))
            .then(False)
            .otherwise(None)
            .alias("reopened")
        )
    return Checked(stored_status(frame, mapping.status_note_rules), warnings)


def check_readings(frame: pl.DataFrame, mapping: Mapping, crs: str, times: TimeParser) -> Checked:
    """Validate readings: sensor id, time and a numeric value; optional sensor position."""
    frame = reject_unstorable(frame.with_columns(pl.lit(None, dtype=pl.String).alias("reason")))
    for fld in ("sensor_id", "ts", "value"):
        if fld not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(fld))
    frame = frame.with_columns(
        times.parse("ts", frame.get_column("ts")).alias("_ts"),
        frame.get_column("value").cast(pl.Float64, strict=False).alias("_value"),
    )
    ts_reason, ts_note = times.problem("ts")
    frame = _first_reason(
        frame,
        [
            (pl.col("sensor_id").is_null(), pl.lit("missing id")),
            (pl.col("ts").is_null(), pl.lit("missing time: ts")),
            (pl.col("_ts").is_null(), pl.lit(f"{ts_reason}: ts = ") + _quote("ts") + pl.lit(ts_note)),
            times.out_of_window("_ts", "ts"),
            (pl.col("value").is_null(), pl.lit("missing value")),
            # inf (``1e400``, ``inf``): both stores keep it, and every mean and alarm would be wrong
            (
                pl.col("_value").is_null() | ~pl.col("_value").is_finite(),
                pl.lit("value not a number: ") + _quote("value"),
            ),
        ],
    )
    frame = frame.drop("ts", "value").rename({"_ts": "ts", "_value": "value"})
    if "lon" in frame.columns and "lat" in frame.columns:
        has = pl.col("lon").is_not_null() | pl.col("lat").is_not_null()
        good = frame.filter(pl.col("reason").is_null() & frame.select(has).to_series())
        if good.height:
            good = _coordinates(good, crs, is_geographic(crs))
            frame = (
                frame.drop("lon", "lat")
                .join(good.select("_pos", "lon", "lat", pl.col("reason").alias("_r")), on="_pos", how="left")
                .with_columns(pl.coalesce("reason", "_r").alias("reason"))
                .drop("_r")
            )
        else:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias("lon"), pl.lit(None, pl.Float64).alias("lat"))
    warnings: Counter = Counter()
    if "threshold" in frame.columns:  # only read for new sensors: a bad one gets the default, said so
        text = frame.get_column("threshold")
        num = text.cast(pl.Float64, strict=False)
        bad = text.is_not_null() & (num.is_null() | ~num.is_finite())
        for value, count in text.filter(bad).value_counts(sort=True).head(5).iter_rows():
            warnings[f"threshold '{str(value)[:40]}' is not a number: a new sensor gets the default"] += count
        frame = frame.with_columns(pl.when(bad).then(None).otherwise(num).alias("threshold"))
    return Checked(frame, warnings)


class DuplicateTracker:
    """Remembers the ids stored so far in one import, across chunks (64-bit hashes).

    Memory: 16 bytes per row (5M rows: 80 MB). Ids of different text can share a hash
    with probability ~n²/2⁶⁵ (about 1e-6 for 5M rows); such a row would be rejected as
    a duplicate, never lost silently.
    """

    def __init__(self) -> None:
        self._hashes: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []

    def mark(self, keys: pl.DataFrame, rows: np.ndarray, candidate: np.ndarray) -> np.ndarray:
        """Return, for each row, the row number of an earlier row with the same key (0 = none).

        Only rows where ``candidate`` is True are considered and remembered.
        """
        hashes = keys.hash_rows(seed=7).to_numpy().astype(np.uint64)
        first_at = np.zeros(len(rows), dtype=np.int64)
        idx = np.flatnonzero(candidate)
        if not len(idx):
            return first_at
        order = np.lexsort((rows[idx], hashes[idx]))
        hs, rs = hashes[idx][order], rows[idx][order]
        starts = np.r_[True, hs[1:] != hs[:-1]]
        # row of the first occurrence in this chunk, for every member of a hash group
        group_row = rs[np.maximum.accumulate(np.where(starts, np.arange(len(hs)), 0))]
        prior = np.zeros(len(hs), dtype=np.int64)  # row in an earlier chunk, 0 = none
        for ph, pr in zip(self._hashes, self._rows, strict=True):
            pos = np.minimum(np.searchsorted(ph, hs), len(ph) - 1)
            hit = (ph[pos] == hs) & (prior == 0)
            prior[hit] = pr[pos[hit]]
        first_at[idx[order]] = np.where(prior > 0, prior, np.where(starts, 0, group_row))
        keep = starts & (prior == 0)
        if keep.any():  # a chunk of only repeats adds nothing (an empty array cannot be searched)
            self._hashes.append(hs[keep])
            self._rows.append(rs[keep])
            self._merge()
        return first_at

    def _merge(self) -> None:
        """Merge the newest sorted runs while the last is at least as long as the one before:
        at most log2(chunks) runs to search, so each chunk's search stays short."""
        while len(self._hashes) > 1 and len(self._hashes[-1]) >= len(self._hashes[-2]):
            hs = np.concatenate([self._hashes.pop(-2), self._hashes.pop()])
            rs = np.concatenate([self._rows.pop(-2), self._rows.pop()])
            order = np.argsort(hs, kind="stable")  # two sorted runs: a merge
            self._hashes.append(hs[order])
            self._rows.append(rs[order])


def stored_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of a checked frame that passed (reason is null)."""
    return frame.filter(pl.col("reason").is_null())


__all__ = [
    "STATUS_FINDINGS",
    "UNSTORABLE_TEXT",
    "Checked",
    "DuplicateTracker",
    "TimeParser",
    "check_events",
    "check_readings",
    "count_statuses",
    "fields_frame",
    "is_geographic",
    "reject_unstorable",
    "storable",
    "stored_rows",
]
