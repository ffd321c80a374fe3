"""Re-assign every event and sensor to the areas containing it (after an areas import)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

from data.ingest.areas_index import EVENT_LEVELS, AreaIndex
from data.ingest.report import ImportReport
from data.store import Store


def reassign_areas(store: Store, report: ImportReport | None = None, areas: AreaIndex | None = None) -> int:
    """Recompute grid/community/street of every event and the grid of every sensor.

    Against ``areas`` (default: the store's). Only rows whose ids change are written, so
    a check-only store (:class:`DryRunStore`) counts the same. Returns events changed.
    """
    areas = AreaIndex.from_store(store) if areas is None else areas
    points = store.fetch("event_points")
    changed = 0
    if len(points):
        assigned, inside = areas.assign(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
        diff = _changed(points, {f"{lv}_id": assigned[lv] for lv in EVENT_LEVELS})
        if diff.any():
            store.upsert_frame(
                "events",
                pd.DataFrame(
                    {
                        "event_id": points["event_id"].astype(str).to_numpy()[diff],
                        **{
                            f"{lv}_id": assigned[lv].filter(pl.Series(diff)).to_pandas(use_pyarrow_extension_array=True)
                            for lv in EVENT_LEVELS
                        },
                    }
                ),
                ["event_id"],
            )
        changed = int(diff.sum())
        if report is not None:
            report.reassigned = changed
            report.outside_new_areas = int((~inside).sum())
    sensors = store.fetch("sensor_points")
    if len(sensors):
        assigned, _ = areas.assign(sensors["lon"].to_numpy(float), sensors["lat"].to_numpy(float))
        diff = _changed(sensors, {"grid_id": assigned["grid"]})
        if diff.any():
            store.upsert_frame(
                "sensors",
                pd.DataFrame(
                    {
                        "sensor_id": sensors["sensor_id"].astype(str).to_numpy()[diff],
                        "grid_id": assigned["grid"].filter(pl.Series(diff)).to_pandas(use_pyarrow_extension_array=True),
                    }
                ),
                ["sensor_id"],
            )
    return changed


def _changed(stored: pd.DataFrame, new: dict[str, pl.Series]) -> np.ndarray:
    """Rows where any of the ``new`` id columns differs from ``stored`` (null-aware)."""
    diff = np.zeros(len(stored), dtype=bool)
    for col, values in new.items():
        old = stored[col].astype(object).where(stored[col].notna(), None).to_numpy()
        diff |= old != np.asarray(values.to_list(), dtype=object)
    return diff


__all__ = ["reassign_areas"]
