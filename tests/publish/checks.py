"""Independent checks of a publication: recomputed from the published tables, the raw city
and tests/publish/cities.py's reference counts, never with data/publish's own relations."""

from __future__ import annotations

import re
from datetime import date

import h3
import numpy as np
import pandas as pd

from data.contracts import STAGES

from .cities import REF_COUNTS

CONTRACT_COLUMNS: dict[str, list[str]] = {
    "pub_meta": ["key", "value"],
    "pub_units": ["level", "unit_id", "parent_id", "name_zh", "name_en", "res", "geojson"],
    "pub_groups": ["kind", "code", "name_zh", "name_en", "sensitive"],
    "pub_stats": [
        "period", "period_start", "period_end", "period_label", "level", "unit_id", "category_group", "source",
        "received", "closed", "closure_rate", "on_time_rate", "median_days_to_close", "satisfaction_rate", "withheld",
    ],
    "pub_tracking": ["digest", "stage", "reached_on", "ord"],
    "pub_tracking_case": ["digest", "status", "closed_on_time", "rated", "can_rate"],
}  # fmt: skip
"""The columns CONTRACTS "Issue 12" allows, in order."""

FINE = ("community", "cell")
KEY = ["period", "period_start", "level", "unit_id", "category_group", "source"]


def segments(starts: pd.Series) -> np.ndarray:
    """Time segment of each period start: cut at month starts that are Mondays."""
    days = pd.to_datetime(starts)
    cuts = sorted({d for d in days if d.day == 1 and d.weekday() == 0})
    return np.array([sum(c <= d for c in cuts) for d in days])


def _assert_never_one(counts: pd.Series, what: str) -> None:
    bad = counts[counts == 1]
    assert bad.empty, f"{what}: {len(bad)} relations with exactly one unknown, e.g. {bad.index[:3].tolist()}"


def _with_ref(tables: dict[str, pd.DataFrame], ref: pd.DataFrame) -> pd.DataFrame:
    """``pub_stats`` with the reference counts beside each row as ``n_<count>`` (zeros where none)."""
    m = tables["pub_stats"].merge(ref.rename(columns={c: f"n_{c}" for c in REF_COUNTS}), on=KEY, how="left")
    for col in REF_COUNTS:
        m[f"n_{col}"] = m[f"n_{col}"].fillna(0).astype(int)
    return m


def check_relations(tables: dict[str, pd.DataFrame], ref: pd.DataFrame, k: int, sens_codes, mode: str) -> None:
    """No additive relation of the published tables has exactly one unknown member, for the
    events received (withheld rows) and for the closed counts (``closed`` NULL): no hidden
    value follows from a parent minus its published children (or the other way round)."""
    st = _with_ref(tables, ref)
    st["w"] = st["withheld"].notna().astype(int)
    st["wc"] = st["closed"].isna().astype(int)
    sens = st["category_group"].isin(sens_codes)
    inside = ~sens if mode == "hide" else ~(sens & st["level"].isin(FINE))
    st = st[inside]
    units = tables["pub_units"]
    parent = dict(zip(units["unit_id"], units["parent_id"], strict=True))
    lvl = dict(zip(units["unit_id"], units["level"], strict=True))
    idx = st.set_index(KEY)

    def parent_relations(children: pd.DataFrame, p_level, p_unit, p_cg, p_src, what: str) -> None:
        c = children.assign(p_level=p_level, p_unit=p_unit, p_cg=p_cg, p_src=p_src)
        pk = ["period", "period_start", "p_level", "p_unit", "p_cg", "p_src"]
        for flag, value, name in (("w", "n_events", "received"), ("wc", "n_closed", "closed")):
            agg = c.groupby(pk).agg(w=(flag, "sum"), ev=(value, "sum"))
            par = idx.reindex(pd.MultiIndex.from_tuples(agg.index.tolist(), names=KEY))
            present = par[flag].notna().to_numpy()
            rem = par[value].to_numpy() - agg["ev"].to_numpy()
            unknown = agg["w"].to_numpy() + par[flag].fillna(0).to_numpy() + ((rem > 0) & (rem < k))
            _assert_never_one(pd.Series(unknown[present], index=agg.index[present]), f"{what} ({name})")

    geo = st[(st["level"] != "district") & st["unit_id"].map(parent).notna()]
    geo = geo[~((geo["level"] == "community") & (geo["unit_id"].map(parent) == "district"))]
    pu = geo["unit_id"].map(parent)
    parent_relations(geo, pu.map(lvl), pu, geo["category_group"], geo["source"], "geography")
    grp = st[(st["source"] == "all") & (st["category_group"] != "all") & ~st["category_group"].isin(sens_codes)]
    parent_relations(grp, grp["level"], grp["unit_id"], "all", "all", "category groups")
    src = st[(st["category_group"] == "all") & (st["source"] != "all")]
    parent_relations(src, src["level"], src["unit_id"], "all", "all", "sources")
    t = st.assign(seg=segments(st["period_start"]))
    _assert_never_one(t.groupby(["level", "unit_id", "category_group", "source", "seg"])["w"].sum(), "months/weeks")


def rounded(values: pd.Series, base: int, k: int) -> pd.Series:
    """Counts rounded half up to ``base``, never below the first multiple of ``base`` at least
    k (an implementation of its own, not data/publish's); ``base`` 0: unchanged."""
    if not base:
        return values.astype(float)
    floor = -(-k // base) * base
    return np.maximum((values.astype(float) / base + 0.5) // 1 * base, floor)


RATES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "closure_rate": ("closed", ("events",), ("cancelled",)),
    "on_time_rate": ("closed_on_time", ("closed", "open_overdue"), ("closed_untimed",)),
    "satisfaction_rate": ("satisfied", ("rated",), ()),
}
"""Each published rate: its numerator and its denominator (the sum of the first counts minus
the second), as on the overview."""


def check_rates(tables: dict[str, pd.DataFrame], ref: pd.DataFrame, k: int, base: int) -> None:
    """No withheld count follows from a published rate: a rate is published only where its
    numerator is at least k (the closure rate only where ``closed`` itself is published, so
    rate × received never gives a withheld closed count) and its denominator is at least k;
    its value is the ratio of the counts, and with rounding on the ratio of the *rounded*
    counts, so a rate never tells more than the rounded counts do (an exact rate such as
    0.9787 would give the exact 46/47 behind a rounded 45)."""
    m = _with_ref(tables, ref)
    leak = m[m["closure_rate"].notna() & m["closed"].isna()]
    assert leak.empty, f"closure_rate published where closed is withheld (closed = rate × received): {len(leak)}"
    shown = m["withheld"].isna()
    for rate, (num, plus, minus) in RATES.items():
        n = m[f"n_{num}"]
        den = sum(m[f"n_{c}"] for c in plus) - sum((m[f"n_{c}"] for c in minus), start=pd.Series(0, index=m.index))
        published = m[rate].notna()
        assert (shown | ~published).all(), f"{rate} on a withheld row"
        assert (n[published] >= k).all(), f"{rate} published with its numerator {num} under k"
        assert (den[published] >= k).all(), f"{rate} published over fewer than k"
        expected = (rounded(n, base, k) / rounded(den.where(den > 0), base, k)).round(4)
        got = m.loc[published, rate].astype(float)
        bad = (got - expected[published]).abs() > 5e-5 + 1e-12
        assert not bad.any(), f"{rate} is not the ratio of the (rounded) counts: {m.loc[published][bad].head(3)}"
        must = shown & (n >= k) & (den >= k) & ((rate != "closure_rate") | m["closed"].notna())
        assert published[must].all(), f"{rate} withheld although nothing follows from it"
    closed = m["closed"].notna()
    assert (m.loc[closed, "closed"] == rounded(m.loc[closed, "n_closed"], base, k)).all(), "closed is not the count"
    assert (m.loc[closed, "n_closed"] >= k).all(), "a published closed count under k"


def check_values(tables, ref: pd.DataFrame, k: int, base: int, sens_codes, mode: str) -> None:
    """Published counts are the reference counts (rounded), never under k; sensitive rows withheld."""
    st = tables["pub_stats"]
    m = _with_ref(tables, ref).rename(columns={"n_events": "events"})
    shown = m[m["withheld"].isna()]
    assert (shown["received"].notna()).all()
    assert (shown["received"] >= k).all(), "a published count under k"
    closed = st["closed"].dropna()
    assert (closed >= k).all(), "a published closed count under k"
    if base:
        assert (shown["received"] % base == 0).all()
        assert ((shown["received"] - shown["events"]).abs() <= max(base / 2, -(-k // base) * base - k)).all()
    else:
        assert (shown["received"] == shown["events"]).all(), "published received differs from the raw count"
    assert (m.loc[m["events"] < k, "withheld"].notna()).all(), "a count under k not withheld"
    withheld = st[st["withheld"].notna()]
    for col in ("received", "closed", "closure_rate", "on_time_rate", "median_days_to_close", "satisfaction_rate"):
        assert withheld[col].isna().all(), f"withheld rows show {col}"
    sens = st["category_group"].isin(sens_codes)
    must = sens if mode == "hide" else sens & st["level"].isin(FINE)
    assert (st.loc[must, "withheld"] == "sensitive").all()
    for col in ("closure_rate", "on_time_rate", "satisfaction_rate"):
        v = st[col].dropna()
        assert ((v >= 0) & (v <= 1)).all()


def check_no_personal_data(tables, events: pd.DataFrame, max_res: int, area_ids: set[str]) -> None:
    """Only the contract's columns; no event id, description or event coordinate in any cell;
    cells no finer than ``max_res``; tracking holds digests, stages and dates only."""
    assert set(tables) == set(CONTRACT_COLUMNS)
    for name, frame in tables.items():
        assert list(frame.columns) == CONTRACT_COLUMNS[name], name
    texts = []
    for frame in tables.values():
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith(("str", "string", "category")):
                texts += [str(v) for v in frame[col].dropna().unique()]
    blob = "\n".join(texts)
    for eid in events["event_id"].head(300):
        assert eid not in blob
    assert "secret description" not in blob and "门牌" not in blob
    points = {(round(lo, 5), round(la, 5)) for lo, la in zip(events["lon"], events["lat"], strict=True)}
    pairs = {(round(float(a), 5), round(float(b), 5)) for a, b in re.findall(r"(-?\d+\.\d+),\s*(-?\d+\.\d+)", blob)}
    assert not (points & pairs), "an event's coordinates in a published table"
    units = tables["pub_units"]
    cells = units.loc[units["level"] == "cell", "unit_id"]
    assert all(h3.is_valid_cell(c) and h3.get_resolution(c) <= max_res for c in cells)
    assert set(units.loc[units["level"].isin(["street", "community"]), "unit_id"]) <= area_ids
    st = tables["pub_stats"]
    assert set(st["unit_id"]) <= set(units["unit_id"])
    tr = tables["pub_tracking"]
    assert tr["digest"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert set(tr["stage"]) <= set(STAGES)
    assert all(v is None or v is pd.NA or isinstance(v, date) for v in tr["reached_on"].astype(object))
