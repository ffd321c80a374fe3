"""311-style CSV (English headers, US dates with AM/PM): presets, statuses, agencies,
idempotent re-import and corrected files."""

from __future__ import annotations

import pandas as pd

from data.ingest import import_events
from tests.importer.conftest import (
    check_planted_import,
    planted_events,
    stored_events,
    text_frame,
)

NYC = {
    "event_id": "Unique Key",
    "reported_at": "Created Date",
    "closed_at": "Closed Date",
    "department": "Agency",
    "category": "Complaint Type",
    "description": "Descriptor",
    "lat": "Latitude",
    "lon": "Longitude",
}
US_TIME = "%m/%d/%Y %I:%M:%S %p"


def nyc_frame(planted) -> pd.DataFrame:
    frame = text_frame(planted, NYC, US_TIME)
    frame["Agency Name"] = frame["Agency"].map(lambda a: None if a is None else f"Department of {a}")
    frame["Status"] = ["Closed" if c else "In Progress" for c in frame["Closed Date"]]
    frame["Borough"] = "BROOKLYN"
    frame["Open Data Channel Type"] = ["PHONE", "ONLINE", "MOBILE", "UNKNOWN"] * (len(frame) // 4) + ["PHONE"] * (
        len(frame) % 4
    )
    return frame


def test_311_csv(district, tmp_path):
    planted = planted_events()
    frame = nyc_frame(planted)
    path = tmp_path / "311.csv"
    frame.to_csv(path, index=False)
    report = import_events(district, path)
    assert report.mapping == "311"
    check_planted_import(district, report, planted)
    events = stored_events(district)
    by_id = frame.drop_duplicates("Unique Key").set_index("Unique Key")
    good = by_id.loc[events.index]
    expected_status = ["closed" if s == "Closed" else "responded" for s in good["Status"]]
    assert events["status"].tolist() == expected_status
    channel = {"PHONE": "hotline", "ONLINE": "app", "MOBILE": "app", "UNKNOWN": "hotline"}
    assert events["source"].tolist() == [channel[c] for c in good["Open Data Channel Type"]]
    deps = district.fetch("list_departments").set_index("code")
    for agency in frame["Agency"].dropna().unique():
        assert deps.loc[agency, "name_en"] == f"Department of {agency}"


def test_reimport_adds_nothing_and_a_corrected_file_updates(district, tmp_path):
    planted = planted_events()
    frame = nyc_frame(planted)
    path = tmp_path / "311.csv"
    frame.to_csv(path, index=False)
    first = import_events(district, path)
    counts = district.table_counts()
    again = import_events(district, path)
    assert again.reconciled
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.inserted)
    assert district.table_counts()["events"] == counts["events"]
    assert district.table_counts()["categories"] == counts["categories"]
    # corrected file: two rows change, one planted reject is fixed, one new row
    fixed = frame.copy()
    good_ids = ["EV0002", "EV0003"]  # categories 道路破损 and 占道经营
    fixed.loc[fixed["Unique Key"] == good_ids[0], "Descriptor"] = "corrected text"
    fixed.loc[fixed["Unique Key"] == good_ids[1], "Complaint Type"] = "垃圾堆放"  # was 占道经营
    fixed.loc[fixed["Unique Key"] == "BAD02", "Longitude"] = "116.3155"
    new = fixed.iloc[[0]].assign(**{"Unique Key": "NEW1"})
    fixed = pd.concat([fixed, new], ignore_index=True)
    fixed.to_csv(path, index=False)
    third = import_events(district, path)
    assert third.reconciled
    assert (third.inserted, third.updated) == (2, 2)
    assert third.unchanged == first.inserted - 2
    assert third.rejected == first.rejected - 1
    events = stored_events(district)
    assert events.loc[good_ids[0], "description"] == "corrected text"
    assert events.loc[good_ids[1], "category"] == "垃圾堆放"
    assert events.loc["EV0004", "category"] == "垃圾堆放"  # untouched row
    assert "BAD02" in events.index and "NEW1" in events.index
    assert len(events) == first.inserted + 2


def test_sf_style_headers_match_the_311_preset(duck, tmp_path):
    # San Francisco's export names the same fields differently (Opened, Lat, Long, ...)
    planted = planted_events(n_good=5)
    frame = text_frame(
        planted,
        {
            "event_id": "CaseID",
            "reported_at": "Opened",
            "closed_at": "Closed",
            "department": "Responsible.Agency",
            "category": "Category",
            "lat": "Lat",
            "lon": "Long",
        },
        US_TIME,
    )
    frame["Source"] = "Voice In"
    path = tmp_path / "sf.csv"
    frame.to_csv(path, index=False)
    report = import_events(duck, path)
    assert report.mapping == "311" and report.reconciled
    assert report.columns["reported_at"] == "Opened"
    assert set(stored_events(duck)["source"]) == {"hotline"}


def test_a_check_only_import_writes_nothing(district, tmp_path):
    from data.ingest import DryRunStore

    planted = planted_events()
    path = tmp_path / "311.csv"
    nyc_frame(planted).to_csv(path, index=False)
    before = district.table_counts()
    dry = DryRunStore(district)
    report = import_events(dry, path)
    assert report.dry_run and report.reconciled
    assert district.table_counts() == before
    assert report.inserted == len(planted.good) and report.rejected == len(planted.expected)
    kept = dry.rejected_rows()
    assert dict(zip(kept["row_number"], kept["reason"].str.partition(": ")[0], strict=True)) == planted.expected
    assert "check only, nothing written" in "\n".join(report.lines())
    real = import_events(district, path)
    assert (real.inserted, real.rejected) == (report.inserted, report.rejected)
