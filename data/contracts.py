"""Column contracts: the logical data model shared by importers, the demo city and both stores.

Each table is a tuple of :class:`Column`. The DuckDB schema (``queries/schema``) and the
PostGIS migrations implement exactly these columns; ``tests/test_contracts.py`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of a logical table.

    Parameters
    ----------
    name : column name
    kind : one of ``text, int, bigint, float, bool, timestamp, date, geometry``
    required : a row without a value is rejected on import
    doc : what the column means
    internal : the store's bookkeeping, not data: written by the importer, left out of
        :func:`column_names` (the demo city, exports and frames of the logical table)
    """

    name: str
    kind: str
    required: bool = False
    doc: str = ""
    internal: bool = False


STAGES: tuple[str, ...] = (
    "reported",
    "registered",
    "dispatched",
    "responded",
    "resolved",
    "verified",
    "closed",
    "rated",
)
"""The governance chain (治理链条) in order; every stage but ``rated`` has ``<stage>_at``."""

CANCELLED = "cancelled"
"""Status of an event closed without a resolution: cancelled, withdrawn, duplicate, invalid or
referred out (撤销、退回、重复、转出). Not a stage: such events count among the events but are
left out of the closure rate, the on-time rates and the overdue counts (README "Definitions")."""

STATUSES: tuple[str, ...] = (*STAGES, CANCELLED)
"""Every value ``events.status`` may hold."""

STAGE_COLUMNS: tuple[str, ...] = tuple(f"{s}_at" for s in STAGES[:-1])
"""Timestamp columns of ``events``, in chain order."""

DEADLINE_COLUMNS: tuple[str, ...] = ("respond_due_at", "close_due_at")
"""Derived from the category SLA by the store (``refresh_event_deadlines``), not imported:
stored so that SLA checks are plain comparisons (3-6x faster than joining categories)."""

DEFAULT_SLA_HOURS: tuple[float, float] = (2.0, 24.0)
"""(response, close) hours an events import gives a category it creates; such a category is
marked ``categories.sla_assumed`` until a categories file or an SLA edit sets its hours."""

SOURCES: tuple[str, ...] = ("patrol", "hotline", "app", "sensor", "video")
"""Event sources: grid-worker patrol, 12345 hotline, citizen app, sensor alarm, video AI."""

AREA_LEVELS: tuple[str, ...] = ("district", "street", "community", "grid")
"""Area hierarchy, coarse to fine: 区 → 街道 → 社区 → 网格."""

FINE_H3_RES: int = 12
"""Resolution at which ``events.h3`` and ``sensors.h3`` are stored; coarser ones are derived."""

AREAS = (
    Column("area_id", "text", True, "area code, unique across levels"),
    Column("level", "text", True, "district | street | community | grid"),
    Column("parent_id", "text", False, "area_id of the enclosing area"),
    Column("name_zh", "text", True, "Chinese name"),
    Column("name_en", "text", False, "English name"),
    Column("households", "int", False, "households (户)"),
    Column("population", "int", False, "residents"),
    Column("geom", "geometry", True, "polygon or multipolygon, WGS-84"),
)

EVENTS = (
    Column("event_id", "text", True, "unique event id from the source system"),
    Column("source", "text", True, "patrol | hotline | app | sensor | video"),
    Column("category", "text", True, "categories.code"),
    Column("description", "text", False, "free text; never shown on public pages"),
    Column("lon", "float", True, "WGS-84 longitude"),
    Column("lat", "float", True, "WGS-84 latitude"),
    Column("h3", "bigint", True, f"H3 cell at resolution {FINE_H3_RES}"),
    Column("grid_id", "text", False, "grid (网格) containing the point"),
    Column("community_id", "text", False, "community (社区) of the grid"),
    Column("street_id", "text", False, "street (街道) of the grid"),
    Column("department", "text", False, "departments.code handling the event"),
    Column("priority", "int", False, "1 urgent .. 3 normal"),
    Column("status", "text", True, "latest stage reached, or 'cancelled' (closed without a resolution)"),
    *(Column(c, "timestamp", c == "reported_at", f"time the event was {c[:-3]}") for c in STAGE_COLUMNS),
    Column("satisfaction", "int", False, "citizen rating 1-5 (4-5 = satisfied)"),
    Column("reopened", "bool", False, "sent back after verification (返工)"),
    Column("sensor_id", "text", False, "sensor whose alarm created the event"),
    Column("respond_due_at", "timestamp", False, "response deadline: reported_at + category SLA (derived)"),
    Column("close_due_at", "timestamp", False, "close deadline: reported_at + category SLA (derived)"),
    Column(
        "source_hash",
        "bigint",
        False,
        "hash of the imported row the event was stored from, with what read it "
        "(data/ingest/unchanged.py); a re-import skips rows whose hash is stored",
        internal=True,
    ),
)

EVENT_LOG = (
    Column("event_id", "text", True),
    Column("stage", "text", True),
    Column("at", "timestamp", True),
    Column("actor", "text", False),
    Column("note", "text", False),
)

SENSORS = (
    Column("sensor_id", "text", True),
    Column("kind", "text", True, "pm25 | noise | water_level | manhole"),
    Column("unit", "text", True),
    Column("lon", "float", True),
    Column("lat", "float", True),
    Column("h3", "bigint", True),
    Column("grid_id", "text", False),
    Column("threshold", "float", True, "alarm threshold in unit"),
)

READINGS = (
    Column("sensor_id", "text", True),
    Column("ts", "timestamp", True),
    Column("value", "float", True),
)

CATEGORIES = (
    Column("code", "text", True),
    Column("name_zh", "text", True),
    Column("name_en", "text", True),
    Column("department", "text", True, "default department code"),
    Column("sla_response_h", "float", True, "respond within (hours), default 2"),
    Column("sla_close_h", "float", True, "close within (hours), default 24"),
    Column(
        "sla_assumed",
        "bool",
        False,
        "the SLA hours are the defaults an events import assumed for a "
        "category it created (never given by a categories file or an SLA edit)",
    ),
)

DEPARTMENTS = (
    Column("code", "text", True),
    Column("name_zh", "text", True),
    Column("name_en", "text", True),
)

IMPORT_REJECTS = (
    Column("batch_id", "text", True),
    Column("row_number", "bigint", True),
    Column("reason", "text", True),
    Column("raw", "text", False),
)

_UNIT = (
    Column("day", "date", True, "day partition (Asia/Shanghai wall clock, as stored)"),
    Column("kind", "text", True, "sensor kind"),
    Column("level", "text", True, "sensor | grid | h3"),
    Column("res", "int", False, "H3 resolution of an h3 row (12 = the stored cell, 7-10)"),
    Column("cell", "bigint", False, "H3 cell of an h3 row"),
    Column("unit_key", "text", False, "sensor_id of a sensor row, grid_id of a grid row"),
)

READING_HOURS = (
    *_UNIT,
    Column("hour", "timestamp", True, "start of the hour"),
    Column("sensors", "bigint", True, "sensors reporting in the hour"),
    Column("readings", "bigint", True),
    Column("value_sum", "float", True),
    Column("mean_value", "float", False),
    Column("max_value", "float", False),
    Column("exceedances", "bigint", True, "readings above their sensor's threshold"),
    Column(
        "p95_value",
        "float",
        False,
        "95th percentile of the hour (linear interpolation): exact by DuckDB, from merged 1 % sketches by Spark",
    ),
    Column("threshold", "float", False, "lowest threshold of the unit's sensors"),
    Column("first_over_ts", "timestamp", False, "first reading above the threshold in the hour"),
)
"""Readings rolled up per day × kind × unit × hour (``gridscope rollup readings``, data/lake/)."""

READING_SKETCHES = (
    *_UNIT,
    Column("bucket", "bigint", True, "key of geo.quantile_sketch (1 % relative error)"),
    Column("n", "bigint", True, "readings in the bucket"),
)
"""Mergeable quantile sketches of the readings per day × kind × unit (window P95 from rollups)."""

EVENT_DAYS = (
    Column("day", "date", True, "report day"),
    Column("level", "text", True, "grid | h3"),
    Column("res", "int", False, "H3 resolution of an h3 row (7-10)"),
    Column("cell", "bigint", False),
    Column("unit_key", "text", False, "grid_id of a grid row"),
    Column("category", "text", True),
    Column("source", "text", True),
    *(
        Column(c, "bigint", True)
        for c in (
            "events",
            "cancelled",
            "closed",
            "closed_untimed",
            "closed_on_time",
            "open",
            "responded",
            "responded_on_time",
            "rated",
            "satisfied",
            "reopened",
        )
    ),
)
"""Events rolled up per report day × unit × category × source, chain counts as of the data's end."""

TABLES: dict[str, tuple[Column, ...]] = {
    "areas": AREAS,
    "events": EVENTS,
    "event_log": EVENT_LOG,
    "sensors": SENSORS,
    "readings": READINGS,
    "categories": CATEGORIES,
    "departments": DEPARTMENTS,
    "import_rejects": IMPORT_REJECTS,
    "reading_hours": READING_HOURS,
    "reading_sketches": READING_SKETCHES,
    "event_days": EVENT_DAYS,
}
"""Every logical table by name."""


def column_names(table: str) -> list[str]:
    """Return the column names of a logical table, in contract order (internal ones left out)."""
    return [c.name for c in TABLES[table] if not c.internal]
