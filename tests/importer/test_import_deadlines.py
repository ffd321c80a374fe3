"""An events import stores each event's SLA deadlines (issue 9): without them every on-time
rate read 0 and nothing was overdue until the store was reopened (DuckDB) or an SLA was
edited (PostGIS)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from data.ingest import import_events
from queries import EventFilter
from queries.answers.kpis import overview_kpis
from tests.importer.test_import_statuses import T0, nyc_file


def test_imported_events_have_their_deadlines(district, tmp_path):
    import_events(district, nyc_file(tmp_path / "nyc.csv", rows=[("Closed", True)] * 4 + [("Open", False)] * 3))
    d = district.sql("SELECT reported_at, respond_due_at, close_due_at FROM events ORDER BY event_id")
    assert len(d) == 7
    assert (d["respond_due_at"] == d["reported_at"] + timedelta(hours=2)).all()  # the assumed 2 h / 24 h
    assert (d["close_due_at"] == d["reported_at"] + timedelta(hours=24)).all()
    # closed 5 h after report (on time); the 3 open ones are past 24 h three days later
    k = overview_kpis(
        district,
        EventFilter(datetime(2026, 5, 1), datetime(2026, 6, 1)),
        pd.Timestamp(T0 + timedelta(days=3)).to_pydatetime(),
    )["current"]
    assert (k.on_time_rate, k.open_overdue) == (4 / 7, 3)
