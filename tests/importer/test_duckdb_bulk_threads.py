"""DuckDB imports write on one thread (issue 11) and give the store its threads back afterwards.

The importer validates the next chunk in Python while DuckDB writes the last one; DuckDB's
own second thread only added CPU (``DuckDBStore.bulk_load``). The setting is restored when
the import ends, also when it fails.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data.ingest import import_areas, import_events
from queries.duckdb_store import BULK_THREADS
from tests.importer.conftest import inside_points, stored_events, write_areas

N = 3_000
CHUNK = 1_000


def _threads(store) -> int:
    return int(store.sql("SELECT current_setting('threads') AS t")["t"].iloc[0])


def _csv(path, n=N):
    lng, lat = inside_points(n, seed=5)
    pd.DataFrame(
        {
            "事件编号": [f"E{k:05d}" for k in range(n)],
            "上报时间": "2026-05-01 08:00:00",
            "事件类型": "占道经营",
            "经度": lng.round(7),
            "纬度": lat.round(7),
        }
    ).to_csv(path, index=False)
    return path


def test_the_import_writes_on_one_thread_and_restores_the_setting(duck, tmp_path):
    import_areas(duck, write_areas(tmp_path / "areas.geojson"))
    duck.sql("SET threads = 2")
    seen: list[int] = []
    report = import_events(
        duck, _csv(tmp_path / "e.csv"), mapping="zh", chunk_rows=CHUNK, progress=lambda *_: seen.append(_threads(duck))
    )
    assert report.stored == N and report.rejected == 0
    assert seen == [BULK_THREADS] * (N // CHUNK) and BULK_THREADS == 1
    assert _threads(duck) == 2
    assert list(stored_events(duck).index) == [f"E{k:05d}" for k in range(N)]


def test_a_failed_import_restores_the_setting_too(duck, tmp_path):
    import_areas(duck, write_areas(tmp_path / "areas.geojson"))
    duck.sql("SET threads = 2")

    def stop(done, total):
        assert _threads(duck) == 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_events(duck, _csv(tmp_path / "e.csv"), mapping="zh", chunk_rows=CHUNK, progress=stop)
    assert _threads(duck) == 2
