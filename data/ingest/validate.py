"""Row validation for imports: typed columns out, and for every bad row a reason users understand.

Input is a frame of *fields* as text (``fields_frame`` applies a mapping to a chunk);
output is the same rows parsed to the contract's types plus a ``reason`` column (null =
the row is good). The first problem found is the reason; the order of checks is the
order of :data:`REASONS`. Everything is vectorised (polars): a million rows validate in
well under a second.

``reason`` texts are stored in ``import_rejects.reason`` as ``"<reason>: <detail>"``,
where ``<reason>`` is one of :data:`REASONS` (English, with a Chinese translation for
pages) and the detail quotes the column and value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from data.contracts import CANCELLED, SOURCES, STAGE_COLUMNS, STAGES, STATUSES
from data.ingest.area_geometry import REPAIRED_WARNING
from data.ingest.area_parents import (
    NOT_IN_FILE,
    NOT_IN_FILE_TOP,
    SKIPS_LEVEL,
    WARNINGS_ZH,
)
from data.ingest.mappings import FIELDS, Mapping, NoteRule
from data.ingest.readers import INVALID_TEXT, Chunk
from data.ingest.timeformats import (
    AmbiguousDateOrderError,
    TimeFormat,
    TimeWindow,
    detect_format,
)
from geo.crs import normalize_crs, to_wgs84

REASONS: dict[str, str] = {
    "unreadable line": "无法解析的行",
    "text cannot be stored": "文本无法存储",
    "missing id": "缺少编号",
    "missing time": "缺少时间",
    "unparseable time": "时间无法解析",
    "ambiguous date order": "日期顺序不明（月在前还是日在前）",
    "time outside the plausible range": "时间超出合理范围",
    "missing coordinates": "缺少坐标",
    "coordinates not numbers": "坐标不是数字",
    "latitude out of range": "纬度超出范围",
    "longitude out of range": "经度超出范围",
    "coordinates not convertible": "坐标无法转换",
    "missing category": "缺少事件类型",
    "missing value": "缺少数值",
    "value not a number": "数值不是数字",
    "closed before reported": "结案时间早于上报时间",
    "unknown sensor": "未知监测设备",
    "outside every area": "不在任何区域内",
    "duplicate id in the file": "文件内编号重复",
    "not a polygon": "不是面要素",
    "unknown level": "未知层级",
    "empty geometry": "几何为空",
    "geometry out of range": "几何坐标超出范围",
    "polygon has no area": "面要素没有面积",
    "invalid polygon": "面要素无效（自相交）",
    "parent of a wrong level": "上级区域层级错误",
    "parent contradicts location": "上级区域与位置不符",
    "missing SLA": "缺少时限",
    "SLA not a number": "时限不是数字",
    "SLA out of range": "时限超出范围",
    "close SLA shorter than response SLA": "结案时限短于响应时限",
}
"""Every reject reason (English, as stored) with its Chinese text."""

STATUS_FINDINGS: dict[str, str] = {
    "unmapped": "status values not recognised (each row's status derived from its stage times; "
                "map them in the mapping's [values.status])",
    "not resolved": "closed without a resolution (cancelled, duplicate, referred out …): stored as "
                    "'cancelled', left out of the closure and on-time rates and of overdue",
    "closed, no time": "status closed but no close time: stored closed without a time, counted as "
                       "closed, left out of the on-time rate and of overdue",
    "open, close time": "status open but a close time: the close time is not stored (the status says "
                        "the case is open)",
    "by notes": "status notes say closed without a resolution: stored as 'cancelled', left out of the closure "
                "and on-time rates and of overdue; by [status_note_rules] rule",
}
"""What the import report says about status values (``ImportReport.statuses`` keys are
``"<finding>: <value as in the file>"``; for ``by notes`` the value is the rule that matched)."""

_TRUE = {"true", "1", "yes", "y", "t", "是", "有", "返工"}
_FALSE = {"false", "0", "no", "n", "f", "否", "无", "未返工"}


UNSTORABLE_TEXT: tuple[tuple[str, str], ...] = (
    ("\x00", "contains a NUL character (U+0000), which PostgreSQL cannot store"),
    (INVALID_TEXT, "has bytes that are not valid in the file's encoding (shown as \ufffd in the raw row)"),
)
"""Characters no store keeps: a row with one in any field is rejected on both backends."""


NOT_STORED: tuple[str, ...] = ("status_note",)
"""Fields read but never stored: what they hold cannot make a row unstorable."""


def reject_unstorable(frame: pl.DataFrame) -> pl.DataFrame:
    """Set ``reason`` (where still null) for rows with a text field no store can hold.

    A NUL character: DuckDB keeps it, PostgreSQL refuses the whole COPY (issue 9: 0 of
    8,001 rows written); bytes invalid in the file's encoding (:data:`data.ingest.readers.INVALID_TEXT`).
    Checked before everything else, so no other reason quotes such a value.
    """
    fields = [c for c, t in frame.schema.items()
              if t == pl.String and not c.startswith("_") and c not in ("reason", *NOT_STORED)]
    return _first_reason(frame, [
        (pl.col(f).str.contains(ch, literal=True), pl.lit(f"text cannot be stored: field '{f}' {what}"))
        for f in fields for ch, what in UNSTORABLE_TEXT
    ])


def storable(text: str) -> str:
    """``text`` with the characters of :data:`UNSTORABLE_TEXT` made visible (for ``raw``)."""
    return text.replace("\x00", "\u2400").replace(INVALID_TEXT, "\ufffd")


DETAILS: tuple[tuple[str, str], ...] = (
    (r" \(the column's format is (.+)\)$", r"（该列的格式为 \1）"),
    (r" \(no known time format fits this column\)$", "（没有已知的时间格式适合此列）"),
    (r' \(month or day first\? set date_order = "mdy" or "dmy" in the mapping\)$',
     '（月在前还是日在前？请在对应关系中设置 date_order = "mdy" 或 "dmy"）'),
    (r" \(allowed (.+); time_window in the mapping\)$", r"（允许范围 \1；可在对应关系中用 time_window 设置）"),
    (r" \(hours must be more than 0 and at most (\d+)\)$", r"（小时数须大于 0 且不超过 \1）"),
    (r" \(use (.+)\)$", r"（可用：\1）"),
    (r" h\b", " 小时"),
    (r"^the number of fields differs from the header$", "字段数与表头不一致"),
    (r"^first at row (\d+)$", r"首次出现在第 \1 行"),
    (r"^sensor and time first at row (\d+)$", r"同一设备与时间首次出现在第 \1 行"),
    (r"^not in the store and the row has no lon/lat$", "库中没有该设备，且该行没有经纬度"),
    (r"^from (\S+), ", r"自 \1 转换："),
    (r"^field '([^']*)' contains a NUL character \(U\+0000\), which PostgreSQL cannot store$",
     r"字段 \1 含有 NUL 字符（U+0000），PostgreSQL 无法存储"),
    (r"^field '([^']*)' has bytes that are not valid in the file's encoding \(shown as \ufffd in the raw row\)$",
     "字段 \\1 含有不符合文件编码的字节（原始行中显示为 \ufffd）"),
)
"""Reason details (English, as stored after ``"<reason>: "``) -> Chinese: ``(regex, replacement)``
applied in order; quoted values and format codes from the file are kept."""

_FIELD_AT = re.compile(r"^([a-z_]+)(?= = |$)")


def reason_zh(reason: str, labels: MappingABC[str, str] | None = None) -> str:
    """Translate a stored reason (``"<reason>: <detail>"``) into Chinese, its detail by
    :data:`DETAILS`; a field name opening the detail becomes its label in ``labels``
    (field -> Chinese label, e.g. the page's)."""
    head, sep, detail = reason.partition(": ")
    if not sep:
        return REASONS.get(head, head)
    for pattern, zh in DETAILS:
        detail = re.sub(pattern, zh, detail)
    if labels:
        detail = _FIELD_AT.sub(lambda m: labels.get(m.group(1), m.group(1)), detail)
    return f"{REASONS.get(head, head)}：{detail}"


WARNINGS: tuple[tuple[str, str], ...] = (
    (re.escape(NOT_IN_FILE), WARNINGS_ZH[NOT_IN_FILE]),
    (re.escape(NOT_IN_FILE_TOP), WARNINGS_ZH[NOT_IN_FILE_TOP]),
    (re.escape(SKIPS_LEVEL), WARNINGS_ZH[SKIPS_LEVEL]),
    (re.escape(REPAIRED_WARNING), "已修复无效的面要素（make_valid，面积变化不超过 1%）"),
    (r"no department: new category stored with department '(.*)'", r"未填部门：新事件类型归入部门“\1”"),
    (r"matched a stored category by name: the stored code is kept", "按名称匹配到已存的事件类型：保留已存的编码"),
    (r"(\w+) '(.*)' is not (\d+)-(\d+): left empty", r"{\1}“\2”不在 \3–\4 之间：留空"),
    (r"(\w+): (\d+) more values not (\d+)-(\d+): left empty", r"{\1}：另有 \2 个值不在 \3–\4 之间：留空"),
    (r"(\w+) '(.*)' is not a whole number 0-(\d+): left empty", r"{\1}“\2”不是 0–\3 的整数：留空"),
    (r"(\w+): (\d+) more values not whole numbers 0-(\d+): left empty", r"{\1}：另有 \2 个值不是 0–\3 的整数：留空"),
    (r"source '(.*)' not recognised: stored as '(.*)'", r"{source}“\1”无法识别：按“\2”存储"),
    (r"threshold '(.*)' is not a number: a new sensor gets the default", r"{threshold}“\1”不是数字：新设备使用默认阈值"),
    (r"no level column: every area stored as '(.*)'", r"没有层级列：所有区域按“\1”存储"),
    (r"(\d+) area ids had several features: merged", r"\1 个区域编号有多个要素：已合并"),
)
"""Every warning the importers emit (``report.warnings`` keys, English) -> Chinese:
``(regex matching the whole key, replacement)``; ``{field}`` in a replacement is that
field's label (see :func:`warning_zh`)."""


def warning_zh(warning: str, labels: MappingABC[str, str] | None = None) -> str:
    """A report warning in Chinese (:data:`WARNINGS`); one without a translation as written."""
    for pattern, zh in WARNINGS:
        match = re.fullmatch(pattern, warning)
        if match:
            text = match.expand(zh)
            return re.sub(r"\{(\w+)\}", lambda m: (labels or {}).get(m.group(1), m.group(1)), text)
    return warning


@dataclass
class TimeParser:
    """Reads each time column with one format: the mapping's, or one detected from a sample.

    :meth:`detect` fixes a column's format (from a sample, before any row is stored);
    :meth:`parse` then reads every chunk of that column with it. A column first seen
    in :meth:`parse` (empty in the sample) is detected there, on that chunk.
    """

    formats: tuple[str, ...] = ()
    """The mapping's ``time_formats``: tried before the built-in ones, winning ties."""
    timezone: str = "Asia/Shanghai"
    column_formats: MappingABC[str, str] = field(default_factory=dict)
    """The mapping's ``[time_format]``: field -> the format of its column (no detection)."""
    date_order: str | None = None
    window: TimeWindow | None = None
    """Plausible times (default :data:`~data.ingest.timeformats.DEFAULT_WINDOW` in ``timezone``)."""
    columns: dict[str, str] = field(default_factory=dict)
    """field -> the file's column name, for messages."""
    detected: dict[str, TimeFormat | None] = field(default_factory=dict)
    ambiguous: dict[str, AmbiguousDateOrderError] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.window is None:
            self.window = TimeWindow.from_spec(None, self.timezone)

    @classmethod
    def for_mapping(cls, mapping: Mapping, resolved: MappingABC[str, str] | None = None) -> TimeParser:
        """The parser a mapping describes (time zone, formats, date order, window)."""
        return cls(tuple(mapping.time_formats), mapping.timezone, dict(mapping.time_format), mapping.date_order,
                   TimeWindow.from_spec(mapping.time_window, mapping.timezone), dict(resolved or {}))

    def detect(self, name: str, sample: pl.Series) -> TimeFormat | None:
        """Fix the format of column ``name`` from ``sample`` (None: no format reads any value).

        Raises
        ------
        AmbiguousDateOrderError
            Month first and day first fit equally and the mapping does not say which.
        """
        if name in self.column_formats:
            fmt = TimeFormat.from_spec(self.column_formats[name], "mapping")
        else:
            fmt = detect_format(sample, timezone=self.timezone, window=self.window, date_order=self.date_order,
                                preferred=self.formats, field_name=name, column=self.columns.get(name, name))
        self.detected[name] = fmt
        return fmt

    def parse(self, name: str, text: pl.Series) -> pl.Series:
        """``text`` read with the column's format as ``Datetime("us")``; null where empty or not that format."""
        if text.dtype == pl.Datetime:
            return text.cast(pl.Datetime("us"))
        text = text.cast(pl.String)
        if name not in self.detected and name not in self.ambiguous and text.null_count() < len(text):
            try:
                self.detect(name, text)
            except AmbiguousDateOrderError as exc:  # too late to stop the import: its rows are rejected
                self.ambiguous[name] = exc
        fmt = self.detected.get(name)
        if fmt is None:
            return pl.Series(name, [None] * len(text), dtype=pl.Datetime("us"))
        return fmt.parse(text, self.timezone).alias(name)

    def problem(self, name: str) -> tuple[str, str]:
        """``(reason, note)`` for a value of column ``name`` that :meth:`parse` could not read."""
        if name in self.ambiguous:
            return "ambiguous date order", ' (month or day first? set date_order = "mdy" or "dmy" in the mapping)'
        fmt = self.detected.get(name)
        if fmt is None:
            return "unparseable time", " (no known time format fits this column)"
        return "unparseable time", f" (the column's format is {fmt.pattern})"

    def date_only(self, name: str) -> bool:
        """True when column ``name`` holds dates without a time of day."""
        fmt = self.detected.get(name)
        return fmt is not None and fmt.date_only

    def summary(self) -> dict[str, dict[str, object]]:
        """field -> the column, its format (``TimeFormat.to_dict``) and a line of English."""
        out: dict[str, dict[str, object]] = {}
        for name, fmt in self.detected.items():
            entry: dict[str, object] = {"column": self.columns.get(name, name)}
            if fmt is None:
                entry.update(pattern=None, text="no known time format: every value is rejected")
            else:
                entry.update(fmt.to_dict(), text=fmt.describe())
                if self.date_order and fmt.order == self.date_order and fmt.source == "detected":
                    # the pattern came from the file, the order from the mapping
                    entry.update(order_source="mapping",
                                 text=str(entry["text"]).replace("detected)", "detected, date_order from the mapping)"))
            out[name] = entry
        for name in self.ambiguous:
            out[name] = {"column": self.columns.get(name, name), "pattern": None, "ambiguous": True,
                         "text": "month or day first is unknown: every value is rejected (set date_order)"}
        return out

    def out_of_window(self, col: str, label: str | None = None) -> tuple[pl.Expr, pl.Expr]:
        """A check for :func:`_first_reason`: the parsed ``col`` lies outside the window."""
        w = self.window
        assert w is not None
        return (
            (pl.col(col) < w.start) | (pl.col(col) > w.end),
            pl.lit(f"time outside the plausible range: {label or col} = ") + pl.col(col).dt.strftime("%Y-%m-%d %H:%M")
            + pl.lit(f" (allowed {w.label()}; time_window in the mapping)"),
        )


def _value_table(table: MappingABC[str, str]) -> dict[str, str]:
    """A value map with the usual case variants of each key (matching ignores case)."""
    out: dict[str, str] = {}
    for key, value in table.items():
        key = key.strip()
        for variant in (key, key.lower(), key.upper(), key.title(), key.capitalize()):
            out.setdefault(variant, value)
    return out


def fields_frame(chunk: Chunk, mapping: Mapping, resolved: MappingABC[str, str]) -> pl.DataFrame:
    """Apply a mapping to a chunk: one text column per field (trimmed; empty -> null).

    Fields without a column take the mapping's default; ``[values]`` tables translate
    values (ignoring case; unlisted values pass through). Geometry formats add
    ``_x``/``_y``; every frame has ``_pos`` (position in the chunk) and ``_row``.
    One lazy select: every column is processed in parallel in a single pass.
    """
    n = chunk.table.num_rows
    used = sorted(set(resolved.values()))
    # Arrow's trim is ~4x faster than polars' strip_chars; Unicode whitespace (incl. U+3000)
    src = pl.from_arrow(pa.table({c: pc.utf8_trim_whitespace(chunk.table.column(c)) for c in used}))
    assert isinstance(src, pl.DataFrame)
    exprs: list[pl.Expr] = []
    for fld in FIELDS[mapping.table]:
        expr: pl.Expr | None = None
        if fld in resolved:
            text = pl.col(resolved[fld])
            expr = pl.when(text.str.len_bytes() > 0).then(text)
        if fld in mapping.defaults:
            default = pl.lit(mapping.defaults[fld], dtype=pl.String)
            expr = default if expr is None else expr.fill_null(default)
        if expr is None:
            continue
        if fld == "status":  # the file's own text, for the report's status findings
            exprs.append(expr.alias("_status_raw"))
        if fld in mapping.values:
            expr = expr.replace(_value_table(mapping.values[fld]))
        exprs.append(expr.alias(fld))
    exprs += [pl.int_range(0, pl.len(), dtype=pl.Int64).alias("_pos")]
    frame = src.lazy().select(exprs).collect() if used else pl.select(exprs)
    if frame.height != n:  # only defaults and no column: broadcast to the chunk's length
        frame = pl.DataFrame({c: pl.repeat(frame[c][0], n, eager=True) for c in frame.columns}).with_columns(
            pl.int_range(0, n, dtype=pl.Int64, eager=True).alias("_pos"))
    frame = frame.with_columns(pl.Series("_row", chunk.rows.astype(np.int64)))
    if chunk.x is not None:
        frame = frame.with_columns(pl.Series("_x", chunk.x, dtype=pl.Float64), pl.Series("_y", chunk.y, dtype=pl.Float64))
    return frame


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
        (pl.col("_lon_in").is_null() | pl.col("_lat_in").is_null() | ~pl.col("_lon_in").is_finite() | ~pl.col("_lat_in").is_finite(),
         pl.lit("coordinates not numbers: ") + _quote("_lon_txt") + pl.lit(", ") + _quote("_lat_txt")),
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
    return _first_reason(frame, [
        (pl.col("lon").is_null() | pl.col("lat").is_null(),
         pl.lit(f"coordinates not convertible: from {crs}, ") + _quote("_lon_txt") + pl.lit(", ") + _quote("_lat_txt")),
        (pl.col("lat").abs() > 90, pl.lit("latitude out of range: ") + pl.col("lat").cast(pl.String)),
        (pl.col("lon").abs() > 180, pl.lit("longitude out of range: ") + pl.col("lon").cast(pl.String)),
    ]).drop("_lon_txt", "_lat_txt", "_lon_in", "_lat_in")


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
    """Validate event fields; see :data:`REASONS` for what rejects a row.

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
        (pl.col("reported_at").is_null() if "reported_at" in frame.columns else pl.lit(True), pl.lit("missing time: reported_at")),
    ]
    frame = frame.with_columns([s.alias(f"_{c}") for c, s in parsed.items()])
    for col in parsed:
        reason, note = times.problem(col)
        checks.append((
            pl.col(col).is_not_null() & pl.col(f"_{col}").is_null(),
            pl.lit(f"{reason}: {col} = ") + _quote(col) + pl.lit(note),
        ))
    frame = _first_reason(frame, checks)
    frame = frame.drop([c for c in parsed]).rename({f"_{c}": c for c in parsed})
    frame = _first_reason(frame, [times.out_of_window(col) for col in parsed])
    frame = _coordinates(frame, crs, is_geographic(crs))
    frame = _first_reason(frame, [(pl.col("category").is_null(), pl.lit("missing category"))])
    if "closed_at" in frame.columns:
        # a date-only side says nothing about the hour: only an earlier day is "before"
        day_only = times.date_only("closed_at") or times.date_only("reported_at")
        closed, reported = pl.col("closed_at"), pl.col("reported_at")
        frame = _first_reason(frame, [(
            closed.dt.date() < reported.dt.date() if day_only else closed < reported,
            pl.lit("closed before reported: ") + closed.dt.strftime("%Y-%m-%d %H:%M")
            + pl.lit(" < ") + reported.dt.strftime("%Y-%m-%d %H:%M"),
        )])
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
            pl.when(low.is_in(list(_TRUE))).then(True).when(low.is_in(list(_FALSE))).then(False)
            .otherwise(None).alias("reopened")
        )
    return Checked(_status(frame, mapping.status_note_rules), warnings)


def _note_rule(frame: pl.DataFrame, closed: pl.Expr, rules: tuple[NoteRule, ...]) -> pl.Series:
    """``"by notes: <rule>"`` where a closed row's ``status_note`` matches a rule re-classifying
    it as cancelled (first matching rule wins, ignoring case), else null.

    Vectorised: the notes are lower-cased once, one Aho-Corasick pass (``contains_any``) over
    every rule's text finds the rows any rule can match (a prefix is contained too), and the
    ordered when-chain runs on those rows only (the chain over all rows re-evaluated each
    rule on the whole column: 2.4 s of CPU per 1M SF-like rows, now ~0.2 s; bench_status_notes.py).
    """
    low = frame.select(pl.when(closed).then(pl.col("status_note").str.to_lowercase())).to_series()
    hit = low.str.contains_any([r.needle for r in rules]).fill_null(False)
    out = pl.Series("_note_rule", [None] * frame.height, dtype=pl.String)
    if not hit.any():
        return out
    rows = hit.arg_true()
    note = pl.col("n")
    expr = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
    for rule in rules:
        match = note.str.contains(rule.needle, literal=True) if rule.contains else note.str.starts_with(rule.needle)
        expr = expr.when(match).then(pl.lit(f"by notes: {rule.pattern}" if rule.status == CANCELLED else None,
                                           dtype=pl.String))
    found = pl.DataFrame({"n": low.gather(rows)}).select(expr.otherwise(None)).to_series()
    return out.scatter(rows, found)


def _status(frame: pl.DataFrame, rules: tuple[NoteRule, ...] = ()) -> pl.DataFrame:
    """Stored ``status`` (and ``closed_at``), with ``_status_note`` (and ``_note_rule``) for the report.

    A value naming a status (:data:`~data.contracts.STATUSES`) is kept; any other is
    replaced by the latest stage with a time (rated if rated), noted ``unmapped: <value>``.
    A row whose status so found is 'closed' and whose ``status_note`` matches one of
    ``rules`` re-classifying it is stored 'cancelled', noted ``by notes: <rule>`` in
    ``_note_rule`` (the SF 311 export says "Closed" for cases its notes call transferred,
    duplicate or invalid). Noted too: ``not resolved`` ('cancelled'), ``closed, no time``
    (closed or rated without ``closed_at``: stored so, the closure rate's definition says
    how it counts) and ``open, close time`` (a status before 'closed' with a ``closed_at``:
    the close time contradicts the status and is not stored). The note quotes the file's text.
    """
    derived = pl.lit("reported")
    for col, stage in zip(STAGE_COLUMNS, STAGES, strict=False):
        if col in frame.columns:
            derived = pl.when(pl.col(col).is_not_null()).then(pl.lit(stage)).otherwise(derived)
    if "satisfaction" in frame.columns:
        derived = pl.when(pl.col("satisfaction").is_not_null()).then(pl.lit("rated")).otherwise(derived)
    given = pl.col("status") if "status" in frame.columns else pl.lit(None, dtype=pl.String)
    stored = pl.when(given.is_in(list(STATUSES))).then(given).otherwise(derived)
    if rules and "status_note" in frame.columns:
        frame = frame.with_columns(_note_rule(frame, stored == "closed", rules))
        by_notes = pl.col("_note_rule").is_not_null()
        stored = pl.when(by_notes).then(pl.lit(CANCELLED)).otherwise(stored)
    else:
        by_notes = pl.lit(False)
    frame = frame.drop([c for c in NOT_STORED if c in frame.columns])
    if "status" not in frame.columns:
        return frame.with_columns(stored.alias("status"), pl.lit(None, dtype=pl.String).alias("_status_note"))
    raw = pl.col("_status_raw") if "_status_raw" in frame.columns else given
    closed = pl.col("closed_at") if "closed_at" in frame.columns else pl.lit(None, dtype=pl.Datetime("us"))
    is_open = given.is_in([s for s in STAGES if STAGES.index(s) < STAGES.index("closed")])
    note = (
        pl.when(given.is_null()).then(None)
        .when(~given.is_in(list(STATUSES))).then(pl.lit("unmapped: ") + raw)
        .when(given == CANCELLED).then(pl.lit("not resolved: ") + raw)
        .when(given.is_in(["closed", "rated"]) & closed.is_null() & ~by_notes).then(pl.lit("closed, no time: ") + raw)
        .when(is_open & closed.is_not_null()).then(pl.lit("open, close time: ") + raw)
        .otherwise(None)
    )
    frame = frame.with_columns(note.alias("_status_note"))
    if "closed_at" in frame.columns:
        frame = frame.with_columns(pl.when(is_open).then(None).otherwise(pl.col("closed_at")).alias("closed_at"))
    return frame.with_columns(stored.alias("status"))


def count_statuses(good: pl.DataFrame, statuses: Counter) -> None:
    """Add the status findings of the rows stored (``good``) to ``statuses``."""
    for col in ("_status_note", "_note_rule"):
        if col in good.columns:
            notes = good.get_column(col).drop_nulls()
            if len(notes):
                statuses.update(dict(notes.value_counts().iter_rows()))


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
    frame = _first_reason(frame, [
        (pl.col("sensor_id").is_null(), pl.lit("missing id")),
        (pl.col("ts").is_null(), pl.lit("missing time: ts")),
        (pl.col("_ts").is_null(), pl.lit(f"{ts_reason}: ts = ") + _quote("ts") + pl.lit(ts_note)),
        times.out_of_window("_ts", "ts"),
        (pl.col("value").is_null(), pl.lit("missing value")),
        # inf (``1e400``, ``inf``): both stores keep it, and every mean and alarm would be wrong
        (pl.col("_value").is_null() | ~pl.col("_value").is_finite(), pl.lit("value not a number: ") + _quote("value")),
    ])
    frame = frame.drop("ts", "value").rename({"_ts": "ts", "_value": "value"})
    if "lon" in frame.columns and "lat" in frame.columns:
        has = pl.col("lon").is_not_null() | pl.col("lat").is_not_null()
        good = frame.filter(pl.col("reason").is_null() & frame.select(has).to_series())
        if good.height:
            good = _coordinates(good, crs, is_geographic(crs))
            frame = frame.drop("lon", "lat").join(
                good.select("_pos", "lon", "lat", pl.col("reason").alias("_r")), on="_pos", how="left"
            ).with_columns(pl.coalesce("reason", "_r").alias("reason")).drop("_r")
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
        self._hashes.append(hs[keep])
        self._rows.append(rs[keep])
        return first_at


def stored_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of a checked frame that passed (reason is null)."""
    return frame.filter(pl.col("reason").is_null())


__all__ = [
    "DETAILS",
    "NOT_STORED",
    "REASONS",
    "STATUS_FINDINGS",
    "UNSTORABLE_TEXT",
    "WARNINGS",
    "Checked",
    "DuplicateTracker",
    "TimeParser",
    "check_events",
    "check_readings",
    "count_statuses",
    "fields_frame",
    "is_geographic",
    "reason_zh",
    "warning_zh",
    "reject_unstorable",
    "storable",
    "stored_rows",
]
