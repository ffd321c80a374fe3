"""The brief's later sections as HTML: hot spots with the district map, supervision (督办),
the department ranking, sensors, and the notes (freshness, how the week was cut, definitions).
Every value from the data is escaped (:func:`.markup.e`)."""

from __future__ import annotations

import pandas as pd

from queries.answers.brief import Brief
from queries.answers.brief_sections import HOTSPOT_RES, MIN_HOTSPOT_WEEKS, SensorTotals

from . import charts
from .markup import delta, e, table
from .strings import Words

__all__ = ["hotspots_section", "notes_section", "ranking_section", "sensors_section", "supervision_section"]

HOTSPOTS_LISTED = 10
"""Hot spots listed in the table (and numbered on the map)."""
HOTSPOT_MAPS = 6
"""Hot spots with a small map of their own."""


def _empty(text: str) -> str:
    return f'<p class="empty">{e(text)}</p>'


def _place(row: pd.Series, w: Words) -> str:
    parts = [w.name(row, prefix=lv) for lv in ("street", "community", "grid")]
    return " / ".join(p for p in parts if p) or w.na


def _map_block(brief: Brief, w: Words, listed: pd.DataFrame) -> str:
    d = brief.district
    if not brief.has_events:
        return _empty(w.t("brief_map_empty"))
    png = charts.district_map(d.shapes, d.counts, d.outlines, listed, h3_counts=d.level == "h3")
    caption = w.t("brief_map_title", level=w.t(f"brief_level_{d.level}"))
    return (
        f'<div class="keep"><h3>{e(caption)}</h3>'
        f'<img class="map" alt="{e(caption)}" src="{charts.png_data_uri(png)}"></div>'
    )


def hotspots_section(brief: Brief, w: Words, with_charts: bool = True) -> str:
    """Section 3: the emerging analysis' new, intensifying and persistent hot spots, the
    district map of the week's counts and a small map per hot spot."""
    hs = brief.hotspots
    out = [f"<section><h2>{e(w.t('brief_sec_hotspots'))}</h2>"]
    listed = hs.listed(limit=HOTSPOTS_LISTED)
    if hs.reason == "too_few_weeks":
        out.append(_empty(w.t("brief_hotspots_too_few", weeks=hs.weeks, need=MIN_HOTSPOT_WEEKS)))
    elif hs.reason == "no_events":
        out.append(_empty(w.t("brief_hotspots_no_events", weeks=hs.weeks)))
    else:
        intro = w.t(
            "brief_hotspots_intro",
            weeks=hs.weeks,
            start=w.day(hs.start),
            res=HOTSPOT_RES,
            end=w.day(hs.end - pd.Timedelta(days=1)),
            new=hs.counts.get("new_hot", 0),
            intensifying=hs.counts.get("intensifying_hot", 0),
            persistent=hs.counts.get("persistent_hot", 0),
        )
        out.append(f"<p>{e(intro)}</p>")
        if not len(hs.table):
            out.append(_empty(w.t("brief_hotspots_none", weeks=hs.weeks)))
    if with_charts:
        out.append(_map_block(brief, w, listed))
    if len(listed):
        headers = [
            ("#", True),
            (e(w.t("brief_col_kind")), False),
            (e(w.t("brief_col_place")), False),
            (e(w.t("brief_col_week_events")), True),
            (e(w.t("brief_col_window_events", weeks=hs.weeks)), True),
            (e(w.t("brief_col_trend")), True),
        ]
        rows = [
            [
                (str(i), True),
                (e(w.label("hotspots_label_", str(r["label"]))), False),
                (e(_place(r, w)), False),
                (e(w.int(r["week_events"])), True),
                (e(w.int(r["events"])), True),
                (e(w.num(r["z"], 2)), True),
            ]
            for i, (_, r) in enumerate(listed.iterrows(), start=1)
        ]
        out.append(table(headers, rows))
        if len(hs.table) > len(listed):
            more = w.t("brief_hotspots_more", n=len(hs.table) - len(listed), shown=len(listed))
            out.append(f'<p class="note">{e(more)}</p>')
        if with_charts:
            thumbs = listed.head(HOTSPOT_MAPS)
            titles = [
                f"{i} {w.label('hotspots_label_', str(r['label']))} · {w.name(r, prefix='community')}"
                for i, (_, r) in enumerate(thumbs.iterrows(), start=1)
            ]
            pngs = charts.hotspot_maps(
                thumbs, brief.district.shapes if brief.district.level == "grid" else brief.district.outlines, titles
            )
            imgs = "".join(
                f'<img alt="{e(t)}" src="{charts.png_data_uri(p)}">' for t, p in zip(titles, pngs, strict=True)
            )
            out.append(
                f'<div class="keep"><p class="note">{e(w.t("brief_map_hotspots"))}</p>'
                f'<div class="thumbs">{imgs}</div></div>'
            )
    out.append("</section>")
    return "".join(out)


def supervision_section(brief: Brief, w: Words) -> str:
    """Section 4: the most overdue open cases and the overdue count per department."""
    s = brief.supervision
    out = [f"<section><h2>{e(w.t('brief_sec_supervision'))}</h2>"]
    if not s.total:
        out.append(_empty(w.t("brief_supervision_none", as_of=w.moment(brief.as_of), since=w.day(s.since))))
        return "".join(out) + "</section>"
    intro = w.t(
        "brief_supervision_intro",
        as_of=w.moment(brief.as_of),
        since=w.day(s.since),
        total=w.int(s.total),
        prev=w.int(s.previous_total),
        n=len(s.cases),
    )
    out.append(f"<p>{e(intro)}</p>")
    headers = [
        (e(w.t(k)), k == "brief_col_days_overdue")
        for k in (
            "brief_col_event",
            "brief_col_category",
            "brief_col_street",
            "brief_col_department",
            "brief_col_stage",
            "brief_col_days_overdue",
        )
    ]
    rows = [
        [
            (e(r["event_id"]), False),
            (e(w.name(r, prefix="category", fallback=str(r["category"]))), False),
            (e(w.name(r, prefix="street", fallback=str(r["street_id"] or w.na))), False),
            (e(w.name(r, prefix="department", fallback=str(r["department"] or w.na))), False),
            (e(w.label("stage_", str(r["stage"]))), False),
            (e(w.num(r["hours_overdue"] / 24, 1)), True),
        ]
        for _, r in s.cases.iterrows()
    ]
    out.append(table(headers, rows))
    dept = [
        [
            (e(w.name(r, fallback=str(r["department"]))), False),
            (e(w.int(r["open_overdue"])), True),
            (e(w.num(r["median_hours_overdue"] / 24, 1)), True),
        ]
        for _, r in s.by_department.iterrows()
    ]
    out.append(
        f'<div class="keep"><h3>{e(w.t("brief_overdue_by_department"))}</h3>'
        + table(
            [
                (e(w.t("brief_col_department")), False),
                (e(w.t("brief_col_overdue")), True),
                (e(w.t("brief_col_median_days")), True),
            ],
            dept,
        )
        + "</div>"
    )
    return "".join(out) + "</section>"


def ranking_section(brief: Brief, w: Words) -> str:
    """Section 5: departments by on-time closure, with the minimum-count rule."""
    r = brief.departments
    out = [f"<section><h2>{e(w.t('brief_sec_departments'))}</h2>"]
    if not len(r.table):
        return "".join(out) + _empty(w.t("brief_departments_none")) + "</section>"
    out.append(f'<p class="note">{e(w.t("brief_departments_intro", min=r.min_events))}</p>')
    keys = [
        "brief_col_rank",
        "brief_col_department",
        "brief_col_dept_events",
        "brief_col_on_time",
        "brief_vs_prev",
        "brief_col_median_close",
        "brief_col_satisfaction",
        "brief_col_reopen",
        "brief_col_prev_rank",
    ]
    headers = [(e(w.t(k)), k not in ("brief_col_department",)) for k in keys]
    rows = [
        [
            (e(w.int(x["rank"])), True),
            (e(w.name(x, fallback=str(x["department"]))), False),
            (e(w.int(x["events"])), True),
            (e(w.pct(x["on_time_rate"])), True),
            (delta(w.pp(x["on_time_rate"], x["prev_on_time_rate"])), True),
            (e(w.num(x["median_close_h"])), True),
            (e(w.pct(x["satisfaction_rate"])), True),
            (e(w.pct(x["reopen_rate"])), True),
            (e(w.int(x["prev_rank"])), True),
        ]
        for _, x in r.table.iterrows()
    ]
    return "".join(out) + table(headers, rows) + "</section>"


def _totals_line(key: str, t: SensorTotals, w: Words) -> str:
    return w.t(key, alarms=w.int(t.alarms), to_events=w.int(t.to_events), on_time=w.int(t.closed_on_time))


def sensors_section(brief: Brief, w: Words) -> str:
    """Section 6: alarms this week, how many became events, how many of those closed on time."""
    s = brief.sensors
    out = [f'<section class="keep"><h2>{e(w.t("brief_sec_sensors"))}</h2>']
    if s.current is None:
        return "".join(out) + _empty(w.t("brief_sensors_none")) + "</section>"
    out.append(f"<p>{e(_totals_line('brief_sensors_line', s.current, w))}</p>")
    prev = _totals_line("brief_sensors_prev", s.previous, w) if s.previous else w.t("brief_sensors_no_prev")
    out.append(f'<p class="note">{e(prev)}</p>')
    if s.last_year is not None:
        out.append(f'<p class="note">{e(_totals_line("brief_sensors_ly", s.last_year, w))}</p>')
    if len(s.by_kind):
        headers = [(e(w.t("brief_col_sensor_kind")), False)] + [
            (e(w.t(k)), True)
            for k in ("brief_col_alarms", "brief_col_to_events", "brief_col_closed_on_time", "brief_col_on_time_rate")
        ]
        rows = [
            [
                (e(w.label("sensors_kind_", str(r["kind"]))), False),
                (e(w.int(r["alarms"])), True),
                (e(w.int(r["to_events"])), True),
                (e(w.int(r["closed_on_time"])), True),
                (e(w.pct(r["on_time_rate"])), True),
            ]
            for _, r in s.by_kind.iterrows()
        ]
        out.append(table(headers, rows))
    return "".join(out) + "</section>"


def notes_section(brief: Brief, w: Words) -> str:
    """Section 7: the data's freshness, how the week was cut, the definitions of every rate."""
    wk = brief.week
    items = [
        w.t("brief_freshness", newest=w.moment(brief.newest_event), generated=w.moment(brief.generated_at)),
        w.t("brief_week_cut", week=wk.label, monday=w.day(wk.monday), next_monday=w.day(wk.end), tz=brief.timezone),
        w.t("brief_def_closure"),
        w.t("brief_def_on_time"),
        w.t("brief_def_satisfaction"),
        w.t("brief_def_overdue"),
        w.t("brief_def_ranking", min=brief.departments.min_events),
        w.t("brief_def_hotspot"),
        w.t("brief_def_alarm"),
    ]
    lis = "".join(f"<li>{e(x)}</li>" for x in items)
    return f'<footer class="notes"><h3>{e(w.t("brief_sec_notes"))}</h3><ul>{lis}</ul></footer>'
