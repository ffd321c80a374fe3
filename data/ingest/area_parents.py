"""Each imported area's parent, checked against where the area lies (issue 9).

Events take their community and street from the ``parent_id`` chain of the finest area
that covers them. Files that leave levels out broke that chain without a word: streets
and grids whose grids still named the communities the file left out were stored "as
given", and all 480 events of such a store got no street id; a file with several levels
and no parent column stored none at all. Now every area's parent is decided here, before
anything is written, coarse levels first:

- **located parent**: among the usable areas of the coarser levels of the same file
  (the finest such level that has one), an area that *contains* the child: it covers the
  child's representative point (``shapely.point_on_surface``) or at least
  :data:`CONTAINS_SHARE` of its area. Of several, the one sharing most area wins (then
  the smallest id). None when no coarser area contains the child (the top of the file).
- **no parent given** (empty cell, or no parent column): the located parent.
- **parent names no usable area of the file** (left out, or rejected): the located
  parent, with a warning. A code that names nothing is never stored (areas imports
  replace the store's areas, so it would name nothing in the store either).
- **parent of a wrong level** (a grid's parent is a grid, a street's a community):
  the child is rejected, as it contradicts the file's own levels.
- **parent that does not contain the child** (covers neither its representative point
  nor half of it): rejected as "parent contradicts location", naming the located parent.
- **parent that skips a level the file has** (a grid filed under its street while the
  file has the community containing it): the community, with a warning, when the given
  street is that community's ancestor; otherwise rejected as contradicting location.
- otherwise (the located parent, or another area of its level that contains the child,
  e.g. overlapping boundaries): the file's parent.

The import report counts parents taken from the file and by location, and the areas left
at the top (no parent).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely

from data.contracts import AREA_LEVELS

CONTAINS_SHARE = 0.5
"""A coarser area contains a child when it covers the child's representative point or at
least this share of the child's area."""

RANK = {level: k for k, level in enumerate(AREA_LEVELS)}
"""Level -> depth (district 0 ... grid 3); a parent's rank is smaller than its child's."""

NOT_IN_FILE = "parent code names no area of the file (left out or rejected): parent taken by location"
NOT_IN_FILE_TOP = (
    "parent code names no area of the file (left out or rejected) and no coarser area "
    "contains it: stored without a parent"
)
SKIPS_LEVEL = (
    "parent skips a level of the file: the finer area containing it taken by location "
    "(the file's parent is that area's ancestor)"
)
WARNINGS_ZH: dict[str, str] = {
    NOT_IN_FILE: "上级编码不是本文件中的区域（文件未包含或已拒收）：上级按位置确定",
    NOT_IN_FILE_TOP: "上级编码不是本文件中的区域（文件未包含或已拒收），且没有更高层级的区域包含它：不设上级",
    SKIPS_LEVEL: "上级跳过了文件中的一个层级：按位置取包含它的更细一级区域（文件所给上级是该区域的上级）",
}
"""The parent warnings (English, as in the report) with their Chinese text."""


@dataclass
class Parents:
    """Decided parents of the areas passed to :func:`resolve_parents` (same order)."""

    parent_id: np.ndarray
    """The parent to store (object array; None at the top or where rejected)."""
    reasons: np.ndarray
    """``None`` or ``"<reason>: feature <n>: <detail>"`` (rejected areas)."""
    from_file: int = 0
    by_location: int = 0
    top: int = 0
    """Areas stored without a parent: no coarser area of the file contains them."""
    warnings: Counter = field(default_factory=Counter)


def resolve_parents(
    area_ids: np.ndarray, levels: np.ndarray, given: np.ndarray | None, geoms: np.ndarray, features: np.ndarray
) -> Parents:
    """Decide every area's parent from the file's codes and the areas' locations.

    Parameters
    ----------
    area_ids, levels : one entry per area (ids unique; levels among :data:`AREA_LEVELS`)
    given : the file's parent code per area (None/empty where not given), or None when
        the file has no parent column
    geoms : shapely (multi)polygons, WGS-84 (valid, as :mod:`data.ingest.area_geometry` leaves them)
    features : 1-based feature number quoted in reasons (the area's first feature)

    Returns
    -------
    Parents
        See the module docstring for the rules.

    Examples
    --------
    >>> import shapely
    >>> ids = np.array(["S", "G1", "G2"], dtype=object)
    >>> out = resolve_parents(ids, np.array(["street", "grid", "grid"]),
    ...                       np.array([None, "C9", "G1"], dtype=object),
    ...                       np.array([shapely.box(0, 0, 2, 1), shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]),
    ...                       np.array([1, 2, 3]))
    >>> out.parent_id.tolist(), out.by_location, out.reasons[2]
    ([None, 'S', None], 1, "parent of a wrong level: feature 3: grid 'G2' names parent 'G1', a grid (a grid's parent is a district, street or community)")
    """  # noqa: E501 - a doctest's output is one line
    n = len(area_ids)
    area_ids = np.asarray(area_ids, dtype=object)
    levels = np.asarray(levels, dtype=object)
    geoms = np.asarray(geoms, dtype=object)
    if given is None:
        given = np.full(n, None, dtype=object)
    given = np.array([p if isinstance(p, str) and p.strip() else None for p in given], dtype=object)
    out = Parents(np.full(n, None, dtype=object), np.full(n, None, dtype=object))
    position = {a: k for k, a in enumerate(area_ids)}
    rep = shapely.point_on_surface(geoms)
    size = shapely.area(geoms)
    accepted: dict[str, np.ndarray] = {}  # level -> positions of its usable areas
    for level in AREA_LEVELS:
        kids = np.flatnonzero(levels == level)
        if not len(kids):
            continue
        coarser = [lv for lv in AREA_LEVELS[: RANK[level]][::-1] if lv in accepted]  # finest first
        located = _locate(kids, coarser, accepted, geoms, rep, size, area_ids)
        for k, loc in zip(kids, located, strict=True):
            parent, why, note = _decide(
                k,
                loc,
                given[k],
                level,
                levels,
                position,
                out.reasons,
                out.parent_id,
                geoms,
                rep,
                size,
                area_ids,
                features,
            )
            out.reasons[k] = why
            if why is not None:
                continue
            out.parent_id[k] = parent
            if note:
                out.warnings[note] += 1
            if parent is None:
                out.top += 1
            elif parent == given[k]:
                out.from_file += 1
            else:
                out.by_location += 1
        usable = kids[np.equal(out.reasons[kids], None)]
        if len(usable):
            accepted[level] = usable
    return out


def _decide(
    k: int,
    located: str | None,
    parent: str | None,
    level: str,
    levels: np.ndarray,
    position: dict[str, int],
    reasons: np.ndarray,
    parents: np.ndarray,
    geoms: np.ndarray,
    rep: np.ndarray,
    size: np.ndarray,
    area_ids: np.ndarray,
    features: np.ndarray,
) -> tuple[str | None, str | None, str | None]:
    """``(parent, reject reason, warning)`` of area ``k``."""
    if parent is None:
        return located, None, None
    p = position.get(parent)
    if p is None or reasons[p] is not None:
        return located, None, NOT_IN_FILE if located is not None else NOT_IN_FILE_TOP
    head = f"feature {features[k]}: {level} '{area_ids[k]}' names parent '{parent}'"
    if RANK[levels[p]] >= RANK[level]:
        return None, f"parent of a wrong level: {head}, a {levels[p]} ({_allowed(level)})", None
    if parent == located:
        return parent, None, None
    share = _share(geoms[k], geoms[p], size[k])
    if not (shapely.covers(geoms[p], rep[k]) or share >= CONTAINS_SHARE):
        where = f"by location its parent is '{located}'" if located else "no coarser area of the file contains it"
        return None, f"parent contradicts location: {head}, which covers {share:.0%} of it; {where}", None
    if RANK[levels[position[located]]] > RANK[levels[p]]:  # the file has a finer area containing it
        if parent in _ancestors(located, parents, position):
            return located, None, SKIPS_LEVEL
        return (
            None,
            (
                f"parent contradicts location: {head}, but it lies in {levels[position[located]]} "
                f"'{located}', which is not under '{parent}'"
            ),
            None,
        )
    return parent, None, None  # another area of the located level that contains it (overlaps)


def _allowed(level: str) -> str:
    """``a grid's parent is a district, street or community``."""
    above = AREA_LEVELS[: RANK[level]]
    if not above:
        return f"a {level} has no parent"
    names = above[0] if len(above) == 1 else f"{', '.join(above[:-1])} or {above[-1]}"
    return f"a {level}'s parent is a {names}"


def _ancestors(area: str, parents: np.ndarray, position: dict[str, int]) -> set[str]:
    out: set[str] = set()
    node = parents[position[area]]
    while node is not None and node not in out:
        out.add(node)
        node = parents[position[node]]
    return out


def _share(child, parent, child_area: float) -> float:
    """Share of ``child``'s area inside ``parent``."""
    if child_area <= 0:
        return 0.0
    return float(shapely.area(shapely.intersection(child, parent))) / child_area


def _locate(
    kids: np.ndarray,
    coarser: list[str],
    accepted: dict[str, np.ndarray],
    geoms: np.ndarray,
    rep: np.ndarray,
    size: np.ndarray,
    area_ids: np.ndarray,
) -> list[str | None]:
    """The located parent (id or None) of each area in ``kids``: the finest coarser level first."""
    found: list[str | None] = [None] * len(kids)
    todo = np.arange(len(kids))
    for lv in coarser:
        if not len(todo):
            break
        cand = accepted[lv]
        tree = shapely.STRtree(geoms[cand])
        ci, pi = tree.query(geoms[kids[todo]], predicate="intersects")
        if not len(ci):
            continue
        child, par = kids[todo[ci]], cand[pi]
        covers = shapely.covers(geoms[par], rep[child])
        # an overlap is measured only where it decides: several candidates, or none covering the point
        n_cover = np.bincount(ci, weights=covers, minlength=len(todo))
        measure = n_cover[ci] != 1
        overlap = np.where(covers, np.inf, 0.0)
        if measure.any():
            overlap[measure] = shapely.area(shapely.intersection(geoms[child[measure]], geoms[par[measure]]))
        ok = covers | (overlap >= CONTAINS_SHARE * size[child])
        best: dict[int, tuple[float, str]] = {}
        for i, pos, share, good in zip(ci, par, overlap, ok, strict=True):
            if not good:
                continue
            key = (-share, area_ids[pos])
            if i not in best or key < best[i]:
                best[i] = key
        for i, (_, pid) in best.items():
            found[todo[i]] = pid
        todo = np.array([i for i in todo if found[i] is None], dtype=np.int64)
    return found


__all__ = ["CONTAINS_SHARE", "WARNINGS_ZH", "Parents", "resolve_parents"]
