"""Primary and secondary suppression of the published counts (statistical disclosure control).

Primary: a row whose event count (``received``) is under k is withheld (``'under_k'``);
rows of sensitive groups are withheld where their mode says (``'sensitive'``).

Secondary (``'secondary'``): the published tables hold additive relations, each "a parent
equals the sum of its children" or "these values sum to the same as those":

- geography, per period and combination: district = Σ streets (+ events without a street),
  street = Σ its communities (+ events without a community), district = Σ H3 cells;
- category groups, per unit and period: all (non-sensitive) categories = Σ groups;
- sources, per unit and period: all sources = Σ sources;
- time, per unit and combination: Σ months = Σ ISO weeks over each stretch of days both
  calendars cover exactly (periods.time_segments: the whole published range, cut only at a
  month starting on a Monday).

A relation with exactly one unknown member gives that member by one subtraction. So,
repeated until no relation has one: where a relation has exactly one unknown, the smallest
published child is withheld too (the parent when no child is left). The remainder of a
relation (events without a street, say) is never published; when it holds 1..k-1 events it
counts as an unknown member, so it cannot be derived either.

What this guarantees: in every relation above, either nothing or at least two members are
unknown, so no withheld value (and no unpublished remainder under k) follows from a single
published relation. It does not audit every linear combination of relations (that needs a
solver and is not done); together with k it is the usual protection of statistical offices
(Eurostat's hypercube method works on the same principle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .sensitive import FINE_LEVELS, Sensitive

UNDER_K = "under_k"
SECONDARY = "secondary"
SENSITIVE = "sensitive"


def primary(frame: pd.DataFrame, k: int, sensitive: Sensitive) -> pd.Series:
    """The primary reason per row (``None``: published so far)."""
    reason = pd.Series(None, index=frame.index, dtype=object)
    reason[frame["events"].to_numpy() < k] = UNDER_K
    sens = frame["sensitive"].to_numpy() & ((sensitive.mode == "hide") | frame["level"].isin(FINE_LEVELS).to_numpy())
    reason[sens] = SENSITIVE
    return reason


def _in_relations(frame: pd.DataFrame, sensitive: Sensitive) -> np.ndarray:
    """Rows that take part in relations: sensitive rows only where they can be published."""
    sens = frame["sensitive"].to_numpy()
    if sensitive.mode == "hide":
        return ~sens
    return ~(sens & frame["level"].isin(FINE_LEVELS).to_numpy())


def relations(frame: pd.DataFrame, units: pd.DataFrame, segments: pd.Series, sensitive: Sensitive, k: int):
    """Members of every relation: ``(rel, row, is_parent)`` arrays and each relation's
    remainder flag (1 when its unpublished remainder holds 1..k-1 events).

    ``frame`` has a RangeIndex; ``segments`` gives each row's time segment.
    """
    f = frame.assign(_row=np.arange(len(frame)))
    f = f[_in_relations(frame, sensitive)]
    parents_of = dict(zip(units["unit_id"], units["parent_id"], strict=True))
    level_of = dict(zip(units["unit_id"], units["level"], strict=True))
    rels: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (parent row, child rows) pairs
    key = ["period", "period_start", "level", "unit_id", "category_group", "source"]
    lookup = f[key + ["_row"]].rename(columns={"_row": "_parent_row"})

    def link(children: pd.DataFrame, parent_level: pd.Series, parent_unit: pd.Series, cg, src) -> None:
        c = children[["period", "period_start", "_row"]].assign(
            level=parent_level.to_numpy(), unit_id=parent_unit.to_numpy(), category_group=cg, source=src
        )
        m = c.merge(lookup, on=key, how="inner")
        rels.append((m["_parent_row"].to_numpy(), m["_row"].to_numpy()))

    geo = f[f["level"] != "district"]
    geo = geo[geo["unit_id"].map(parents_of).notna()]
    p_unit = geo["unit_id"].map(parents_of)
    geo = geo[~((geo["level"] == "community") & (p_unit == "district"))]  # street unknown: no exact parent
    p_unit = geo["unit_id"].map(parents_of)
    link(geo, p_unit.map(level_of), p_unit, geo["category_group"].to_numpy(), geo["source"].to_numpy())
    grp = f[(f["source"] == "all") & (f["category_group"] != "all") & ~f["sensitive"]]
    link(grp, grp["level"], grp["unit_id"], "all", "all")
    src = f[(f["category_group"] == "all") & (f["source"] != "all")]
    link(src, src["level"], src["unit_id"], "all", "all")

    events = frame["events"].to_numpy()
    rel_ids, rows, is_parent, phantom = [], [], [], []
    next_id = 0
    for kind, (prow, crow) in enumerate(rels):
        ids, uniq = pd.factorize(prow)
        n = len(uniq)
        rel_ids += [ids + next_id, np.arange(n) + next_id]
        rows += [crow, uniq]
        is_parent += [np.zeros(len(crow), bool), np.ones(n, bool)]
        rem = events[uniq] - np.bincount(ids, weights=events[crow], minlength=n)
        phantom.append(((rem > 0) & (rem < k)).astype(np.int64))
        next_id += n
        del kind
    t = f.assign(_seg=segments.to_numpy()[f["_row"].to_numpy()])
    tid = t.groupby(["level", "unit_id", "category_group", "source", "_seg"], sort=False).ngroup().to_numpy()
    n_time = int(tid.max()) + 1 if len(tid) else 0
    rel_ids.append(tid + next_id)
    rows.append(t["_row"].to_numpy())
    is_parent.append(np.zeros(len(tid), bool))
    phantom.append(np.zeros(n_time, np.int64))
    return (
        np.concatenate(rel_ids),
        np.concatenate(rows),
        np.concatenate(is_parent),
        np.concatenate(phantom),
    )


def secondary(
    frame: pd.DataFrame,
    reason: pd.Series,
    units: pd.DataFrame,
    segments: pd.Series,
    sensitive: Sensitive,
    k: int,
) -> pd.Series:
    """``reason`` with the secondary suppressions added (see the module docstring).

    Deterministic: the child withheld is the one with the fewest events, ties broken by row
    order (the frame's sort order), so publishing twice withholds the same cells.
    """
    rel, row, is_parent, phantom = relations(frame, units, segments, sensitive, k)
    events = frame["events"].to_numpy()
    order = np.lexsort((row, events[row], is_parent, rel))
    rel, row = rel[order], row[order]
    unknown = reason.notna().to_numpy().copy()
    out = reason.copy()
    n_rel = len(phantom)
    while True:
        n = np.bincount(rel, weights=unknown[row], minlength=n_rel) + phantom
        single = n == 1
        if not single.any():
            break
        cand = np.flatnonzero(single[rel] & ~unknown[row])
        if not len(cand):
            break
        crel = rel[cand]
        first = cand[np.r_[True, crel[1:] != crel[:-1]]]
        picks = np.unique(row[first])
        unknown[picks] = True
        out.iloc[picks] = SECONDARY
    return out
