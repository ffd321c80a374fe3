"""Import sensor readings: upsert by ``(sensor_id, ts)``, creating sensors first seen with a position.

The same pipeline as events (:mod:`data.ingest.pipeline`): the next chunk is read in the
background and each validated chunk is written by the writer thread while the next one is
validated. One chunk's writes (its new sensors, its readings, its rejects and the batch's
counts) are one transaction, so after a kill the batch says what is stored.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from data.contracts import FINE_H3_RES
from data.ingest.areas_index import AreaIndex
from data.ingest.bookkeeping import begin_batch, chunk_writes, end_batch, remember
from data.ingest.mappings import Mapping
from data.ingest.opening import detect_times, open_import
from data.ingest.pipeline import Writer, prefetch
from data.ingest.readers import CHUNK_ROWS, Source
from data.ingest.rejects import Rejects, reject, to_pandas
from data.ingest.report import ImportReport, Progress
from data.ingest.validate import DuplicateTracker, check_readings, fields_frame
from data.store import Store
from geo.h3index import points_to_cells

_NO_ROWS = {"inserted": 0, "updated": 0, "unchanged": 0}


def import_readings(
    store: Store,
    source: Path | str | Source,
    mapping: Mapping | str | Path | None = None,
    crs: str | None = None,
    batch_id: str | None = None,
    progress: Progress | None = None,
    *,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportReport:
    """Import sensor readings; upsert by ``(sensor_id, ts)``.

    Readings of a sensor unknown to the store are rejected unless the row gives the
    sensor's position (lon/lat), in which case the sensor is created (kind, unit and
    threshold from columns or the mapping's defaults) with its H3 cell and grid.
    Parameters and errors as :func:`data.ingest.events.import_events`.
    """
    t0 = time.perf_counter()
    src, mapping, resolved, crs, chunks, report = open_import(
        source, mapping, crs, chunk_rows, batch_id, "readings", geometry_ok=False
    )
    known = set(store.fetch("sensor_points")["sensor_id"].astype(str))
    areas = AreaIndex.from_store(store)
    times = detect_times(src, chunks, mapping, resolved, report)
    dups = DuplicateTracker()
    log = begin_batch(store, report, src.path, explicit_id=batch_id is not None)
    writer = Writer()
    rejects = Rejects(store, report.batch_id, report)
    committed = {"chunks": 0, "stored": 0}  # updated in the writer thread only

    def counted(counts: dict[str, int]) -> None:
        report.new_sensors += counts["new_sensors"]
        report.inserted += counts["inserted"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]

    def write(
        sensors: pd.DataFrame | None,
        frame: pd.DataFrame | None,
        rejected: pd.DataFrame | None,
        rows_read: int,
        rows_rejected: int,
    ) -> dict[str, int]:
        """One chunk's writes, in the writer thread, as one transaction: new sensors,
        readings, rejects and the batch's counts."""
        counts, new_sensors = dict(_NO_ROWS), 0
        with store.transaction():
            if sensors is not None:
                new_sensors = store.upsert_frame("sensors", sensors, ["sensor_id"], update=False)["inserted"]
            if frame is not None:
                counts = store.upsert_frame("readings", frame, ["sensor_id", "ts"])
            if rejected is not None:
                store.insert_frame("import_rejects", rejected)
            stored = committed["stored"] + sum(counts.values())
            log.committed(committed["chunks"] + 1, rows_read, stored, rows_rejected)
        committed["chunks"] += 1
        committed["stored"] = stored
        return {**counts, "new_sensors": new_sensors}

    with chunk_writes(writer, log, report):
        for chunk in prefetch(chunks):
            report.rows_read += chunk.table.num_rows + len(chunk.bad_rows)
            checked = check_readings(fields_frame(chunk, mapping, resolved), mapping, crs, times)
            report.warnings.update(checked.warnings)
            frame, sensors = _new_sensors(checked.frame, known, areas, mapping)
            ok = frame.get_column("reason").is_null().to_numpy()
            first = dups.mark(frame.select("sensor_id", "ts"), frame.get_column("_row").to_numpy(), ok)
            if (first > 0).any():
                frame = reject(
                    frame,
                    first > 0,
                    np.char.add("duplicate id in the file: sensor and time first at row ", first.astype(str)),
                )
            good = frame.filter(pl.col("reason").is_null()).select("sensor_id", "ts", "value")
            rejected = rejects.frame(chunk, frame)
            writer.submit(
                write,
                sensors,
                to_pandas(good) if good.height else None,
                rejected,
                report.rows_read,
                report.rejected,
                done=counted,
            )
            del checked, frame, good, rejected
            if progress:
                progress(report.rows_read, src.info.rows)
    report.time_formats = times.summary()  # with columns first seen after the sample
    report.seconds = time.perf_counter() - t0
    end_batch(log, report, committed["chunks"])
    remember(store, report)
    return report


def _new_sensors(
    frame: pl.DataFrame, known: set[str], areas: AreaIndex, mapping: Mapping
) -> tuple[pl.DataFrame, pd.DataFrame | None]:
    """The sensors first seen with a position (rows for ``sensors``, added to ``known``), and
    ``frame`` with the readings of sensors still unknown rejected."""
    ok = frame.get_column("reason").is_null()
    sensor = frame.get_column("sensor_id")
    unknown = ok & ~sensor.is_in(list(known))
    has_pos = ("lon" in frame.columns) and frame.get_column("lon").is_not_null() & frame.get_column("lat").is_not_null()
    creatable = unknown & has_pos if "lon" in frame.columns else unknown & False
    rows = None
    if creatable.any():
        new = frame.filter(creatable).unique("sensor_id", keep="first", maintain_order=True)
        lon, lat = new.get_column("lon").to_numpy(), new.get_column("lat").to_numpy()
        assigned, _ = areas.assign(lon, lat)

        def col(name: str, default: str) -> pl.Series:
            if name in new.columns:
                return new.get_column(name).cast(pl.String).fill_null(mapping.defaults.get(name, default))
            return pl.Series(name, [mapping.defaults.get(name, default)] * new.height)

        threshold = col("threshold", "0").cast(pl.Float64, strict=False).fill_null(0.0)
        sensors = pl.DataFrame(
            {
                "sensor_id": new.get_column("sensor_id"),
                "kind": col("kind", "pm25"),
                "unit": col("unit", ""),
                "lon": lon,
                "lat": lat,
                "h3": points_to_cells(lat, lon, FINE_H3_RES),
                "grid_id": assigned["grid"],
                "threshold": threshold,
            }
        )
        rows = to_pandas(sensors)
        known.update(sensors.get_column("sensor_id").to_list())
    still = (frame.get_column("reason").is_null() & ~frame.get_column("sensor_id").is_in(list(known))).to_numpy()
    return reject(frame, still, "unknown sensor: not in the store and the row has no lon/lat"), rows


__all__ = ["import_readings"]
