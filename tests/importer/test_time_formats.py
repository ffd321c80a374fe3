"""Issue 9: each time column's format is detected from a sample, then applied to the whole column.

Expected values are computed here with Python's own date arithmetic (``datetime``,
``timedelta``, ``zoneinfo``), never by the code under test. The end-to-end tests build an
LA MyLA311-style CSV (``1/1/20 0:05``: month first, two-digit year, no zero padding), which
was stored as the years 0001 and 0020 before, and run it on both backends.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import polars as pl
import pytest

from data.ingest import ImportFileError, import_events, import_readings
from data.ingest.mappings import MappingError, load_mapping, parse_mapping
from data.ingest.reasons import REASONS, reason_zh
from data.ingest.timeformats import (
    WINDOW_LIMITS,
    AmbiguousDateOrderError,
    TimeFormat,
    TimeParser,
    TimeWindow,
    detect_format,
)
from queries.filters import SUPPORTED_FIRST_DAY, SUPPORTED_LAST_DAY
from tests.importer.conftest import inside_points, rejects_of, stored_events

NOW = datetime(2026, 12, 1, 9, 0)
WINDOW = TimeWindow.from_spec(None, now=NOW)


def _excel(moment: datetime) -> str:
    """Excel's serial day number of ``moment`` (days since 1899-12-30, fraction = time)."""
    delta = moment - datetime(1899, 12, 30)
    return repr(delta.days + delta.seconds / 86400)


def _epoch(moment: datetime, zone: str) -> float:
    return moment.replace(tzinfo=ZoneInfo(zone)).timestamp()


def _local(utc: datetime, zone: str) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


T1, T2 = datetime(2024, 3, 5, 14, 5), datetime(2024, 3, 16, 9, 30)

# values, time zone, expected pattern, expected times, date only
CASES = {
    "LA two-digit year": (
        ["1/1/20 0:05", "4/13/20 13:50"],
        "Asia/Shanghai",
        "%m/%d/%y %H:%M",
        [datetime(2020, 1, 1, 0, 5), datetime(2020, 4, 13, 13, 50)],
        False,
    ),
    "SF four-digit 12-hour": (
        ["12/04/2012 03:21:00 PM", "12/30/2012 08:39:28 AM"],
        "Asia/Shanghai",
        "%m/%d/%Y %I:%M:%S %p",
        [datetime(2012, 12, 4, 15, 21), datetime(2012, 12, 30, 8, 39, 28)],
        False,
    ),
    "day first": (
        ["13/01/2024 10:00", "02/01/2024 11:00"],
        "Asia/Shanghai",
        "%d/%m/%Y %H:%M",
        [datetime(2024, 1, 13, 10), datetime(2024, 1, 2, 11)],
        False,
    ),
    "day first, dots": (
        ["05.03.2024", "25.12.2023"],
        "Asia/Shanghai",
        "%d.%m.%Y",
        [datetime(2024, 3, 5), datetime(2023, 12, 25)],
        True,
    ),
    "ISO": (
        ["2024-03-05 14:05:00", "2024-03-16 09:30:00.250"],
        "Asia/Shanghai",
        "%Y-%m-%d %H:%M:%S%.f",
        [T1, T2 + timedelta(milliseconds=250)],
        False,
    ),
    "ISO with offset -> Los Angeles": (
        ["2024-03-05T14:05:00Z", "2024-03-16T09:30:00+08:00"],
        "America/Los_Angeles",
        "%Y-%m-%dT%H:%M:%S%#z",
        [_local(T1, "America/Los_Angeles"), _local(T2 - timedelta(hours=8), "America/Los_Angeles")],
        False,
    ),
    "date only": (
        ["2024-03-05", "2024-03-16"],
        "Asia/Shanghai",
        "%Y-%m-%d",
        [datetime(2024, 3, 5), datetime(2024, 3, 16)],
        True,
    ),
    "Chinese with 时分": (
        ["2024年3月5日 14时05分", "2024年3月16日 9时30分"],
        "Asia/Shanghai",
        "%Y年%m月%d日 %H时%M分",
        [T1, T2],
        False,
    ),
    "Chinese date": (
        ["2024年3月5日", "2024年3月16日"],
        "Asia/Shanghai",
        "%Y年%m月%d日",
        [datetime(2024, 3, 5), datetime(2024, 3, 16)],
        True,
    ),
    "year first with slashes": (
        ["2024/3/5 14:05", "2024/3/16 9:30"],
        "Asia/Shanghai",
        "%Y/%m/%d %H:%M",
        [T1, T2],
        False,
    ),
    "Excel serial": ([_excel(T1), _excel(T2)], "Asia/Shanghai", "excel", [T1, T2], False),
    "Excel serial, whole days": (
        [_excel(datetime(2024, 3, 5)), "45367"],
        "Asia/Shanghai",
        "excel",
        [datetime(2024, 3, 5), datetime(1899, 12, 30) + timedelta(days=45367)],
        True,
    ),
    "epoch seconds": (
        [str(int(_epoch(T1, "UTC"))), str(int(_epoch(T2, "UTC")))],
        "Asia/Shanghai",
        "epoch_s",
        [_local(T1, "Asia/Shanghai"), _local(T2, "Asia/Shanghai")],
        False,
    ),
    "epoch milliseconds": (
        [str(int(_epoch(T1, "UTC") * 1000) + 123), str(int(_epoch(T2, "UTC") * 1000))],
        "Asia/Shanghai",
        "epoch_ms",
        [_local(T1, "Asia/Shanghai") + timedelta(milliseconds=123), _local(T2, "Asia/Shanghai")],
        False,
    ),
    "compact digits": (["20240305140500", "20240316093000"], "Asia/Shanghai", "%Y%m%d%H%M%S", [T1, T2], False),
    "month names": (
        ["05-Mar-2024", "16-Mar-2024"],
        "Asia/Shanghai",
        "%d-%b-%Y",
        [datetime(2024, 3, 5), datetime(2024, 3, 16)],
        True,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_is_detected_and_read(case):
    values, zone, pattern, expected, date_only = CASES[case]
    fmt = detect_format(pl.Series("t", values), timezone=zone, window=WINDOW)
    assert fmt is not None and fmt.pattern == pattern
    assert fmt.date_only is date_only
    assert fmt.parse(pl.Series(values), zone).to_list() == expected


def test_two_digit_years_pivot_at_70():
    fmt = TimeFormat("%m/%d/%y")
    got = fmt.parse(pl.Series(["1/1/70", "12/31/99", "1/1/00", "6/30/69"]), "UTC").to_list()
    assert got == [datetime(1970, 1, 1), datetime(1999, 12, 31), datetime(2000, 1, 1), datetime(2069, 6, 30)]


def test_four_digit_pattern_does_not_read_two_digit_years():
    # chrono alone reads "1/1/20" with %Y as the year 20: the old bug
    assert TimeFormat("%m/%d/%Y %H:%M").parse(pl.Series(["1/1/20 0:05", "1/1/2020 0:05"]), "UTC").to_list() == [
        None,
        datetime(2020, 1, 1, 0, 5),
    ]


def test_a_column_is_read_with_one_format_only():
    values = ["1/13/20 10:00", "2/14/20 11:00", "2020-02-15 12:00:00", "15/2/20 9:00"]
    times = TimeParser(window=WINDOW)
    got = times.parse("reported_at", pl.Series(values)).to_list()
    assert times.detected["reported_at"].pattern == "%m/%d/%y %H:%M"
    # the ISO row and the day-first row are not re-guessed: they do not match the column
    assert got == [datetime(2020, 1, 13, 10), datetime(2020, 2, 14, 11), None, None]
    assert times.problem("reported_at") == ("unparseable time", " (the column's format is %m/%d/%y %H:%M)")


@pytest.mark.parametrize(
    "values",
    [
        ["01/02/2024", "03/04/2024", "12/11/2024"],
        ["1/1/20 0:05", "2/3/20 1:00"],
        # 199 values fit both orders; one (a typo?) fits day-first only: still the user's call
        [f"{m}/{d}/2024 10:00" for m in range(1, 13) for d in range(1, 13)][:199] + ["13/01/2024 10:00"],
    ],
)
def test_ambiguous_columns_are_reported_not_guessed(values):
    with pytest.raises(AmbiguousDateOrderError) as err:
        detect_format(pl.Series("reported_at", values), window=WINDOW, field_name="reported_at", column="Created")
    assert err.value.orders == ("dmy", "mdy")
    assert err.value.column == "Created" and err.value.examples
    assert 'date_order = "mdy"' in str(err.value) and "[time_format]" in str(err.value)


@pytest.mark.parametrize("order,expected", [("mdy", datetime(2024, 1, 2)), ("dmy", datetime(2024, 2, 1))])
def test_date_order_settles_an_ambiguous_column(order, expected):
    fmt = detect_format(pl.Series(["01/02/2024", "03/04/2024"]), window=WINDOW, date_order=order)
    assert fmt.order == order
    assert fmt.parse(pl.Series(["01/02/2024"]), "UTC").to_list() == [expected]
    # year-first ISO is not ambiguous and stays readable under any date_order
    assert detect_format(pl.Series(["2024-01-02"]), window=WINDOW, date_order=order).pattern == "%Y-%m-%d"


def test_ymd_order_allows_two_digit_years_first():
    fmt = detect_format(pl.Series(["24/03/05", "24/03/16"]), window=WINDOW, date_order="ymd")
    assert fmt.pattern == "%y/%m/%d"
    assert fmt.parse(pl.Series(["24/03/05"]), "UTC").to_list() == [datetime(2024, 3, 5)]


def test_the_window_tells_numbers_apart():
    # 8 digits: a compact date, not epoch seconds in 1970
    assert detect_format(pl.Series(["20240305", "20240316"]), window=WINDOW).pattern == "%Y%m%d"
    # nothing plausible at all: no format
    assert detect_format(pl.Series(["7", "12"]), window=WINDOW) is None
    assert detect_format(pl.Series(["soon", "later"]), window=WINDOW) is None


def test_midnight_only_timestamps_count_as_date_only():
    fmt = detect_format(pl.Series(["2011-01-13 00:00:00", "2011-01-14 00:00:00"]), window=WINDOW)
    assert fmt.pattern == "%Y-%m-%d %H:%M:%S" and fmt.date_only


def test_fractions_of_a_second_in_some_rows_pick_the_pattern_that_reads_all():
    values = ["2024-03-05 14:05:00", "2024-03-05 14:06:00.5", "2024-03-05 14:07:00"]
    fmt = detect_format(pl.Series(values), window=WINDOW)
    assert fmt.pattern == "%Y-%m-%d %H:%M:%S%.f"
    assert fmt.parse(pl.Series(values), "UTC").to_list() == [
        datetime(2024, 3, 5, 14, 5),
        datetime(2024, 3, 5, 14, 6, 0, 500000),
        datetime(2024, 3, 5, 14, 7),
    ]


def test_a_whole_column_parse_checks_what_changes_a_value():
    # not exact: a one-digit minute reads the same; a three-digit year does not match %Y
    fmt = TimeFormat("%Y-%m-%d %H:%M")
    assert fmt.parse(pl.Series(["2024-03-05 14:5", "024-03-05 14:05"]), "UTC").to_list() == [
        datetime(2024, 3, 5, 14, 5),
        None,
    ]
    # glued fields keep the exact check: 7 digits are not %Y%m%d
    assert TimeFormat("%Y%m%d").parse(pl.Series(["2024035", "20240305"]), "UTC").to_list() == [
        None,
        datetime(2024, 3, 5),
    ]


def test_time_window_spec():
    w = TimeWindow.from_spec(["1990-01-01", "+1d"], now=NOW)
    assert (w.start, w.end) == (datetime(1990, 1, 1), NOW + timedelta(days=1))
    w = TimeWindow.from_spec(["-30d", "now"], now=NOW)
    assert (w.start, w.end) == (NOW - timedelta(days=30), NOW)
    w = TimeWindow.from_spec([date(2000, 1, 1), "2030-06-30 12:00"], now=NOW)
    assert (w.start, w.end) == (datetime(2000, 1, 1), datetime(2030, 6, 30, 12))


def test_mapping_time_settings_round_trip_and_are_checked():
    text = (
        'table = "events"\ndate_order = "dmy"\ntime_window = [2000-01-01, "+2d"]\n'
        '[time_format]\nclosed_at = "%d/%m/%Y"\nreported_at = "excel"\n[columns]\nevent_id = ["id"]\n'
    )
    m = parse_mapping(text)
    assert (m.date_order, m.time_window, dict(m.time_format)) == (
        "dmy",
        ("2000-01-01", "+2d"),
        {"closed_at": "%d/%m/%Y", "reported_at": "excel"},
    )
    assert parse_mapping(m.to_toml()) == m
    for bad, words in [
        ('date_order = "md"', "date_order"),
        ('time_window = ["soon", "+1d"]', "time_window"),
        ('time_window = ["2030-01-01", "2020-01-01"]', "starts after"),
        ('time_window = ["1850-01-01", "+1d"]', "must lie within 1900-01-01 … 2199-12-31"),
        ('time_window = ["1990-01-01", "2300-01-01"]', "must lie within"),
        ('[time_format]\nwhen = "%Y-%m-%d"', "not a time field"),
        ('[time_format]\nclosed_at = "%H:%M"', "no year and month"),
        ('time_formats = ["%H"]', "no year and month"),
    ]:
        with pytest.raises(MappingError, match=words):
            parse_mapping(bad)


def test_window_limits_are_the_days_the_dashboard_shows():
    lo, hi = WINDOW_LIMITS
    assert lo.date() == SUPPORTED_FIRST_DAY and hi.date() == SUPPORTED_LAST_DAY + timedelta(days=1)
    assert lo.time() == hi.time() == datetime.min.time()


def test_reasons_have_chinese_text():
    assert REASONS["time outside the plausible range"] == "时间超出合理范围"
    assert reason_zh("ambiguous date order: ts = '1/2/20'").startswith("日期顺序不明")


# --- imports -----------------------------------------------------------------------------

LA_HEADER = [
    "SRNumber",
    "CreatedDate",
    "UpdatedDate",
    "ActionTaken",
    "Owner",
    "RequestType",
    "Status",
    "RequestSource",
    "ClosedDate",
    "Address",
    "Latitude",
    "Longitude",
]


def _la(moment: datetime | None) -> str:
    """MyLA311 as re-saved by Excel: ``4/13/20 13:50`` (no zero padding, two-digit year)."""
    return "" if moment is None else f"{moment.month}/{moment.day}/{moment:%y} {moment.hour}:{moment:%M}"


def la_csv(path, n: int = 30, extra: list[tuple[str, str]] = (), seed: int = 5):
    """An LA-style CSV with ``n`` good rows (2020) plus ``extra`` (id, created text) rows."""
    rng = np.random.default_rng(seed)
    lng, lat = inside_points(n + len(extra), seed)
    rows, truth = [], {}
    for k in range(n):
        created = datetime(2020, 1, 1, 0, 5) + timedelta(minutes=int(rng.integers(0, 60 * 24 * 200)))
        closed = created + timedelta(minutes=int(rng.integers(1, 60 * 24 * 10))) if k % 3 else None
        sr = f"1-{1700000000 + k}"
        truth[sr] = (created, closed)
        rows.append(
            [
                sr,
                _la(created),
                _la(closed or created),
                "SR Created",
                "BOS",
                "Bulky Items",
                "Closed" if closed else "Open",
                "Call",
                _la(closed),
                f"{k} MAIN ST",
                f"{lat[k]:.6f}",
                f"{lng[k]:.6f}",
            ]
        )
    for j, (sr, created) in enumerate(extra):
        k = n + j
        rows.append(
            [
                sr,
                created,
                created,
                "SR Created",
                "BOS",
                "Bulky Items",
                "Open",
                "Call",
                "",
                "X",
                f"{lat[k]:.6f}",
                f"{lng[k]:.6f}",
            ]
        )
    pd.DataFrame(rows, columns=LA_HEADER).to_csv(path, index=False)
    return path, truth


def test_la_style_csv_end_to_end(district, tmp_path):
    store = district
    extra = [("OLD-1989", "12/31/89 23:59"), ("FUTURE-2030", "1/1/30 0:05"), ("ISO-ROW", "2020-05-01 10:00:00")]
    path, truth = la_csv(tmp_path / "MyLA311_2020.csv", extra=extra)
    report = import_events(store, path, mapping="311")
    assert report.reconciled, report.lines()
    assert report.inserted == len(truth) and report.rejected == 3
    rows = {r: i for i, r in enumerate(pd.read_csv(path, dtype=str)["SRNumber"], start=1)}
    assert rejects_of(store, report.batch_id) == {
        rows["OLD-1989"]: "time outside the plausible range",
        rows["FUTURE-2030"]: "time outside the plausible range",
        rows["ISO-ROW"]: "unparseable time",
    }
    events = stored_events(store)
    for sr, (created, closed) in truth.items():
        assert pd.Timestamp(events.loc[sr, "reported_at"]) == pd.Timestamp(created)
        if closed is None:
            assert pd.isna(events.loc[sr, "closed_at"])
        else:
            assert pd.Timestamp(events.loc[sr, "closed_at"]) == pd.Timestamp(closed)
    assert events["reported_at"].min().year == 2020 and events["reported_at"].max().year == 2020
    # the report names each column's detected format, in lines() and to_dict()
    assert report.time_formats["reported_at"]["pattern"] == "%m/%d/%y %H:%M"
    assert report.time_formats["reported_at"]["column"] == "CreatedDate"
    assert report.time_formats["closed_at"]["two_digit_year"] is True
    text = "\n".join(report.lines())
    assert "reported_at <- 'CreatedDate': %m/%d/%y %H:%M (month first, two-digit year" in text
    assert json.loads(json.dumps(report.to_dict()))["time_formats"]["closed_at"]["order"] == "mdy"
    reasons = store.fetch("import_rejects_page", batch_id=report.batch_id, limit=10)["reason"].tolist()
    assert any("1989-12-31 23:59 (allowed 1990-01-01 00:00 …" in r for r in reasons)


def _ambiguous_la(tmp_path):
    """Every date has month and day <= 12: which is which cannot be told from the file."""
    lng, lat = inside_points(12, 9)
    rows = [
        [
            f"A{k}",
            f"{k + 1}/{12 - k}/20 10:00",
            "",
            "",
            "BOS",
            "Bulky Items",
            "Open",
            "Call",
            "",
            "X",
            f"{lat[k]:.6f}",
            f"{lng[k]:.6f}",
        ]
        for k in range(12)
    ]
    path = tmp_path / "short.csv"
    pd.DataFrame(rows, columns=LA_HEADER).to_csv(path, index=False)
    return path


def detecting(name: str = "311"):
    """A preset without its date order: every order comes from the file."""
    return dataclasses.replace(load_mapping(name), date_order=None)


def test_an_ambiguous_file_is_refused_and_nothing_is_written(district, tmp_path):
    store = district
    before = store.table_counts()
    with pytest.raises(ImportFileError, match='date_order = "mdy"') as err:
        import_events(store, _ambiguous_la(tmp_path), mapping=detecting())
    assert isinstance(err.value.__cause__, AmbiguousDateOrderError)
    assert "CreatedDate" in str(err.value)
    assert store.table_counts() == before


def test_the_311_preset_says_us_exports_are_month_first(district, tmp_path):
    # a file of one day (NYC's pyboot_311_2022-05-01.csv: all 05/01/2022) cannot show the order itself
    assert load_mapping("311").date_order == "mdy"
    report = import_events(district, _ambiguous_la(tmp_path), mapping="311")
    assert report.inserted == 12
    assert pd.Timestamp(stored_events(district).loc["A0", "reported_at"]) == pd.Timestamp(datetime(2020, 1, 12, 10))


@pytest.mark.parametrize("order,first", [("mdy", datetime(2020, 1, 12, 10)), ("dmy", datetime(2020, 12, 1, 10))])
def test_the_mapping_settles_the_order(district, tmp_path, order, first):
    mapping = dataclasses.replace(load_mapping("311"), date_order=order)
    report = import_events(district, _ambiguous_la(tmp_path), mapping=mapping)
    assert report.inserted == 12 and report.rejected == 0
    assert pd.Timestamp(stored_events(district).loc["A0", "reported_at"]) == pd.Timestamp(first)
    assert report.time_formats["reported_at"]["order"] == order
    assert report.time_formats["reported_at"]["order_source"] == "mapping"
    assert "detected, date_order from the mapping)" in report.time_formats["reported_at"]["text"]


def test_a_per_column_format_in_the_mapping_file(district, tmp_path):
    path = tmp_path / "la.toml"
    path.write_text(
        load_mapping("311").to_toml() + '\n[time_format]\nreported_at = "%d/%m/%y %H:%M"\n', encoding="utf-8"
    )
    report = import_events(district, _ambiguous_la(tmp_path), mapping=path)
    assert report.time_formats["reported_at"]["source"] == "mapping"
    assert pd.Timestamp(stored_events(district).loc["A0", "reported_at"]) == pd.Timestamp(datetime(2020, 12, 1, 10))


def _chicago(path, pairs):
    lng, lat = inside_points(len(pairs), 4)
    rows = [
        [f"SR{k}", "Pot Hole in Street", "CDOT", "Completed", rep, clo, f"{lat[k]:.6f}", f"{lng[k]:.6f}"]
        for k, (rep, clo) in enumerate(pairs)
    ]
    pd.DataFrame(
        rows,
        columns=[
            "SERVICE REQUEST NUMBER",
            "TYPE OF SERVICE REQUEST",
            "OWNER_DEPARTMENT",
            "STATUS",
            "CREATION DATE",
            "COMPLETION DATE",
            "LATITUDE",
            "LONGITUDE",
        ],
    ).to_csv(path, index=False)
    return path


def test_date_only_columns_order_by_day(district, tmp_path):
    # Chicago: both sides date-only. A close on the report's day is fine; a day before is not.
    pairs = [("01/13/2011", "01/13/2011"), ("01/13/2011", "01/12/2011"), ("01/14/2011", "01/20/2011")]
    report = import_events(district, _chicago(tmp_path / "chicago.csv", pairs), mapping="311")
    assert report.inserted == 2 and rejects_of(district, report.batch_id) == {2: "closed before reported"}
    assert report.time_formats["reported_at"]["date_only"] and report.time_formats["closed_at"]["date_only"]
    assert "date only: reported_at, closed_at" in "\n".join(report.lines())


def test_a_date_only_close_after_a_timed_report_on_the_same_day(district, tmp_path):
    pairs = [
        ("01/13/2011 03:00 PM", "01/13/2011"),
        ("01/13/2011 03:00 PM", "01/12/2011"),
        ("01/20/2011 09:15 AM", "01/21/2011"),
    ]
    report = import_events(district, _chicago(tmp_path / "mixed.csv", pairs), mapping="311")
    assert rejects_of(district, report.batch_id) == {2: "closed before reported"}
    assert not report.time_formats["reported_at"]["date_only"] and report.time_formats["closed_at"]["date_only"]


def test_a_timed_close_before_a_timed_report_is_still_rejected(district, tmp_path):
    pairs = [("01/13/2011 03:00 PM", "01/13/2011 02:59 PM"), ("01/13/2011 03:00 PM", "01/13/2011 03:01 PM")]
    report = import_events(district, _chicago(tmp_path / "timed.csv", pairs), mapping="311")
    assert rejects_of(district, report.batch_id) == {1: "closed before reported"}


def test_the_window_is_configurable(district, tmp_path):
    path, truth = la_csv(tmp_path / "la.csv", n=10, extra=[("OLD-1989", "12/31/89 23:59")])
    mapping = dataclasses.replace(load_mapping("311"), time_window=("1980-01-01", "+1d"))
    report = import_events(district, path, mapping=mapping)
    assert report.rejected == 0 and report.inserted == 11
    assert report.time_window.startswith("1980-01-01 00:00 … ")
    narrow = dataclasses.replace(load_mapping("311"), time_window=("2020-03-01", "2020-12-31"))
    report = import_events(district, path, mapping=narrow)
    early = sum(1 for created, _ in truth.values() if created < datetime(2020, 3, 1))
    assert set(report.reasons) <= {"time outside the plausible range"} and report.rejected == early + 1


def test_a_column_empty_in_the_sample_is_detected_when_its_values_come(district, tmp_path, monkeypatch):
    import data.ingest.opening as importer

    monkeypatch.setattr(importer, "SAMPLE_ROWS", 4)
    lng, lat = inside_points(8, 2)
    closes = [None] * 4 + [
        "1/5/20 10:00",
        "1/6/20 10:00",
        "1/7/20 10:00",
        "1/8/20 10:00",
    ]  # ambiguous, after the sample
    rows = [
        [
            f"C{k}",
            f"1/{13 + k}/20 9:00",
            None,
            None,
            "BOS",
            "Bulky Items",
            "Open",
            "Call",
            closes[k],
            "X",
            f"{lat[k]:.6f}",
            f"{lng[k]:.6f}",
        ]
        for k in range(8)
    ]
    path = tmp_path / "late.parquet"  # Parquet: chunks of exactly chunk_rows rows
    pd.DataFrame(rows, columns=LA_HEADER).astype("string").to_parquet(path, index=False)
    report = import_events(district, path, mapping=detecting(), chunk_rows=4)
    assert report.reconciled and report.inserted == 4
    assert rejects_of(district, report.batch_id) == {
        5: "ambiguous date order",
        6: "ambiguous date order",
        7: "ambiguous date order",
        8: "ambiguous date order",
    }
    assert report.time_formats["closed_at"]["ambiguous"] is True


def test_readings_times_are_detected_and_windowed(store, tmp_path):
    ts = [datetime(2020, 1, 1) + timedelta(hours=h) for h in range(30)]
    frame = pd.DataFrame(
        {
            "sensor_id": "S1",
            "ts": [_la(t) for t in ts] + ["1/1/80 0:00", "12/31/40 0:00"],
            "value": [str(v) for v in range(32)],
            "lon": "116.305",
            "lat": "39.905",
        }
    )
    path = tmp_path / "air.csv"
    frame.to_csv(path, index=False)
    report = import_readings(store, path, mapping="readings")
    assert report.time_formats["ts"]["pattern"] == "%m/%d/%y %H:%M"
    assert report.inserted == 30 and rejects_of(store, report.batch_id) == {
        31: "time outside the plausible range",
        32: "time outside the plausible range",
    }
    got = store.sql("SELECT ts FROM readings ORDER BY ts")["ts"].tolist()
    assert [pd.Timestamp(t) for t in got] == [pd.Timestamp(t) for t in ts]


def test_excel_serial_numbers_in_xlsx(district, tmp_path):
    lng, lat = inside_points(6, 8)
    moments = [datetime(2024, 3, 5, 14, 5) + timedelta(hours=7 * k, seconds=k) for k in range(6)]
    frame = pd.DataFrame(
        {
            "事件编号": [f"X{k}" for k in range(6)],
            "上报时间": [(m - datetime(1899, 12, 30)) / timedelta(days=1) for m in moments],
            "事件类型": "占道经营",
            "经度": lng,
            "纬度": lat,
        }
    )
    path = tmp_path / "serials.xlsx"
    frame.to_excel(path, index=False)
    report = import_events(district, path, mapping="zh")
    assert report.time_formats["reported_at"]["pattern"] == "excel"
    assert report.inserted == 6
    got = stored_events(district)["reported_at"]
    assert [pd.Timestamp(got[f"X{k}"]) for k in range(6)] == [pd.Timestamp(m) for m in moments]
