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

The closed counts obey the same geography, category-group and source relations (not the
months/weeks one: a period's closed count is judged as of its own end), so they get the same
treatment on their own (:func:`closed_withheld`): a closed count under k, or of a withheld
row, is unknown, and where a relation has exactly one unknown closed count the smallest other
closed count is withheld too (only that count and the closure rate, the row stays).

What this guarantees: in every relation above, either nothing or at least two members are
unknown, for the events received and for the closed counts, so no withheld value (and no
unpublished remainder under k) follows from a single published relation. It does not audit
every linear combination of relations (that needs a solver and is not done); together with k
it is the usual protection of statistical offices (Eurostat's hypercube method works on the
same principle).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .aggregate import Grid, Groups
from .periods import time_segments
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


def _parent_pairs(grid: Grid, groups: Groups) -> list[tuple[np.ndarray, np.ndarray]]:
    """(child rows, parent rows) of the geography, category-group and source relations."""
    units = grid.units
    index = {u: i for i, u in enumerate(units["unit_id"])}
    parent = np.array([index.get(p, -1) if isinstance(p, str) else -1 for p in units["parent_id"]], dtype=np.int64)
    orphan = (units["level"] == "community").to_numpy() & (units["parent_id"] == "district").to_numpy()
    parent[orphan] = -1  # a community of an unknown street: no exact parent
    kids = np.flatnonzero(parent >= 0)
    sens = groups.sensitive_groups
    cg = grid.combos["category_group"].to_numpy()
    src = grid.combos["source"].to_numpy()
    group_c = np.flatnonzero((cg != "all") & ~np.isin(cg, list(sens)) & (src == "all"))
    source_c = np.flatnonzero(src != "all")
    all_c = np.arange(grid.n_combos)
    all_u = np.arange(grid.n_units)
    geo, grp, sources = [], [], []
    for grain, cal in grid.calendars.items():
        p = np.arange(len(cal))[:, None, None]
        child = grid.rows(grain, p, kids[None, :, None], all_c[None, None, :])
        geo.append((child.ravel(), grid.rows(grain, p, parent[kids][None, :, None], all_c[None, None, :]).ravel()))
        for target, cs in ((grp, group_c), (sources, source_c)):
            child = grid.rows(grain, p, all_u[None, :, None], cs[None, None, :])
            target.append(
                (child.ravel(), grid.rows(grain, p, all_u[None, :, None], np.zeros_like(cs)[None, None, :]).ravel())
            )
    return [tuple(np.concatenate(x) for x in zip(*part, strict=True)) for part in (geo, grp, sources)]


def relations(
    frame: pd.DataFrame,
    grid: Grid,
    groups: Groups,
    sensitive: Sensitive,
    k: int,
    column: str = "events",
    time: bool = True,
):
    """Members of every relation of the count ``column``: ``(rel, row, is_parent)`` arrays and
    each relation's remainder flag (1 when its unpublished remainder holds 1..k-1).

    ``frame`` is the dense frame in :class:`~data.publish.aggregate.Grid` order. ``time``:
    include the months/weeks relation (it holds for ``events`` only: a period's closed count is
    judged as of that period's end, so weeks' closed counts do not add up to months').
    """
    n = len(frame)
    inside = _in_relations(frame, sensitive)
    events = frame[column].to_numpy()
    rel_ids, rows, is_parent, phantom = [], [], [], []
    next_id = 0
    for child, parent in _parent_pairs(grid, groups):
        ok = inside[child] & inside[parent]
        child, parent = child[ok], parent[ok]
        ids, uniq = pd.factorize(parent)
        m = len(uniq)
        rel_ids += [ids + next_id, np.arange(m) + next_id]
        rows += [child, uniq]
        is_parent += [np.zeros(len(child), bool), np.ones(m, bool)]
        rem = events[uniq] - np.bincount(ids, weights=events[child], minlength=m)
        phantom.append(((rem > 0) & (rem < k)).astype(np.int64))
        next_id += m
    if not time:
        return (
            np.concatenate(rel_ids).astype(np.int64),
            np.concatenate(rows).astype(np.int64),
            np.concatenate(is_parent),
            np.concatenate(phantom),
        )
    # time: per unit × combination × segment, the months and the weeks together
    U, C = grid.n_units, grid.n_combos  # noqa: N806 - the layout's letters
    seg_of = {}
    starts = sorted({q.start for cal in grid.calendars.values() for q in cal})
    for day, s in zip(starts, time_segments(starts), strict=True):
        seg_of[day] = s
    key = np.empty(n, dtype=np.int64)
    for grain, cal in grid.calendars.items():
        seg = np.array([seg_of[q.start] for q in cal], dtype=np.int64)
        p = np.arange(len(cal))[:, None, None]
        r = grid.rows(grain, p, np.arange(U)[None, :, None], np.arange(C)[None, None, :])
        key[r.ravel()] = (
            (seg[:, None, None] * U + np.arange(U)[None, :, None]) * C + np.arange(C)[None, None, :]
        ).ravel()
    members = np.flatnonzero(inside)
    tid, uniq = pd.factorize(key[members])
    rel_ids.append(tid + next_id)
    rows.append(members)
    is_parent.append(np.zeros(len(members), bool))
    phantom.append(np.zeros(len(uniq), np.int64))
    return (
        np.concatenate(rel_ids).astype(np.int64),
        np.concatenate(rows).astype(np.int64),
        np.concatenate(is_parent),
        np.concatenate(phantom),
    )


def _protect(rel, row, is_parent, phantom, sizes: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Rows to withhold besides ``unknown`` so that no relation has exactly one unknown
    member: repeatedly, in each relation with one, its smallest known child (by ``sizes``,
    ties by row order), or its parent when no child is known."""
    order = np.lexsort((row, sizes[row], is_parent, rel))
    rel, row = rel[order], row[order]
    unknown = unknown.copy()
    picked = np.zeros(len(unknown), bool)
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
        picked[picks] = True
    return picked


def secondary(
    frame: pd.DataFrame, reason: pd.Series, grid: Grid, groups: Groups, sensitive: Sensitive, k: int
) -> pd.Series:
    """``reason`` with the secondary suppressions added (see the module docstring).

    Deterministic: the child withheld is the one with the fewest events, ties broken by row
    order (the frame's sort order), so publishing twice withholds the same cells.
    """
    rel, row, is_parent, phantom = relations(frame, grid, groups, sensitive, k)
    picks = _protect(rel, row, is_parent, phantom, frame["events"].to_numpy(), reason.notna().to_numpy())
    values = reason.to_numpy(dtype=object).copy()
    values[picks] = SECONDARY
    return pd.Series(values, index=reason.index, dtype=object)


def closed_withheld(
    frame: pd.DataFrame, withheld: pd.Series, grid: Grid, groups: Groups, sensitive: Sensitive, k: int
) -> np.ndarray:
    """Rows whose ``closed`` count is not published (the closure rate neither): every withheld
    row, every row closing fewer than k, and, by the same rule as :func:`secondary` over the
    closed counts' own relations (geography, category groups, sources; not months/weeks,
    which closed counts do not satisfy), the smallest other closed count of any relation that
    would otherwise have exactly one unknown. The row's ``received`` stays published: what is
    withheld is only the closed count, so ``withheld`` names no reason for it.
    """
    closed = frame["closed"].to_numpy()
    unknown = withheld.notna().to_numpy() | (closed < k)
    rel, row, is_parent, phantom = relations(frame, grid, groups, sensitive, k, column="closed", time=False)
    return unknown | _protect(rel, row, is_parent, phantom, closed, unknown)
