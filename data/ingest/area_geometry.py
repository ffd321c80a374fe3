"""Check the polygons of an areas file before anything is written (issue 9).

A polygon at ±1e308 passed the check-only import, was written, and broke every events
import after it. Every feature now passes, in order, after conversion to WGS-84:

1. ``empty geometry`` - a polygon without coordinates;
2. ``geometry out of range`` - a vertex that is not a finite number, or a longitude
   outside -180..180 / latitude outside -90..90 (after the CRS conversion);
3. ``polygon has no area`` - what is left after repairing covers less than
   :data:`MIN_AREA_DEG2` (about 1 m²): a collapsed ring, a line drawn as a polygon;
4. ``invalid polygon`` - an invalid polygon (``shapely.is_valid``) whose repair would
   change the area it covers.

Repair rule: ``shapely.make_valid(method="structure")`` (what lies inside a shell and
outside its holes is inside, overlapping parts of a multipolygon are unioned) is kept
when, for every invalid part, the repaired area is within :data:`AREA_TOLERANCE` of the
area the part's own rings enclose. That holds for the usual digitising slips (a spike, a
repeated vertex, a small loop, a ring touching itself, overlapping parts) and the import
says how many it repaired. It fails for a **bow-tie** (a ring whose vertices are out of
order, crossing itself): its two lobes wind opposite ways, so its rings enclose
``|A1 - A2|`` while the repair covers ``A1 + A2``. Which of the two the file meant cannot
be told, and a wrong area would place events silently in the wrong grid, so a bow-tie
is rejected with the crossing point; fix the ring in the source file.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo.crs import to_wgs84

MIN_AREA_DEG2 = 1e-10
"""Smallest polygon area kept, in square degrees (about 1 m² near the equator)."""

AREA_TOLERANCE = 0.01
"""A repair may change an invalid part's area by at most this share (1 %)."""

REPAIRED_WARNING = "invalid polygons repaired (make_valid, area kept within 1 %)"
"""Warning counted once per repaired feature."""


def _vertices_to_wgs84(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs == "wgs84":
        return x, y
    with np.errstate(all="ignore"):  # out-of-range input gives inf/NaN, rejected after
        return to_wgs84(x, y, crs)


def check_area_geometries(geoms: np.ndarray, crs: str, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate and repair polygons; return WGS-84 geometries, a reason per feature, repairs.

    Parameters
    ----------
    geoms : shapely (multi)polygons as read from the file (in ``crs``)
    crs : the file's coordinate system (``wgs84``, ``gcj02``, ``EPSG:nnnn`` ...)
    features : 1-based feature number of each geometry (quoted in the reasons)

    Returns
    -------
    (geoms, reasons, repaired)
        ``geoms`` in WGS-84, repaired where needed (``None`` where rejected);
        ``reasons[i]`` is ``None`` or ``"<reason>: feature <n>: <detail>"`` (see the
        module docstring); ``repaired`` counts features that ``make_valid`` changed.

    Examples
    --------
    >>> import shapely
    >>> bow_tie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> out, why, n = check_area_geometries(np.array([bow_tie]), "wgs84", np.array([7]))
    >>> why[0]
    'invalid polygon: feature 7: Self-intersection at 0.5, 0.5; repairing it would change its area by 100 % (e.g. vertices out of order)'
    """  # noqa: E501 - a doctest's output is one line
    geoms = np.asarray(geoms, dtype=object)
    features = np.asarray(features)
    n = len(geoms)
    reasons = np.full(n, None, dtype=object)
    out = np.full(n, None, dtype=object)
    empty = shapely.is_empty(geoms)
    for i in np.flatnonzero(empty):
        reasons[i] = f"empty geometry: feature {features[i]} has no coordinates"
    todo = np.flatnonzero(~empty)
    coords, owner = shapely.get_coordinates(geoms[todo], return_index=True)
    x, y = coords[:, 0], coords[:, 1]
    reasons[todo] = _first_bad_vertex(x, y, owner, features[todo], "in the file", degrees=False)
    lng, lat = _vertices_to_wgs84(x, y, crs)
    where = f"after conversion from {crs}" if crs != "wgs84" else ""
    after = _first_bad_vertex(lng, lat, owner, features[todo], where, degrees=True)
    reasons[todo] = np.where(np.equal(reasons[todo], None), after, reasons[todo])
    good = np.equal(reasons[todo], None)
    pick = good[owner]
    # a copy of each good geometry with its converted vertices (set_coordinates works in place)
    wgs = shapely.set_coordinates(
        shapely.transform(geoms[todo][good], lambda c: c), np.column_stack([lng[pick], lat[pick]])
    )
    repaired = 0
    for i, geom in zip(todo[good], wgs, strict=True):
        fixed, why = _repair(geom, int(features[i]))
        reasons[i], out[i] = why, fixed
        repaired += fixed is not None and fixed is not geom
    return out, reasons, repaired


def _first_bad_vertex(
    x: np.ndarray, y: np.ndarray, owner: np.ndarray, features: np.ndarray, where: str, *, degrees: bool
) -> np.ndarray:
    """``geometry out of range`` reason per geometry (None when every vertex is fine): a
    vertex that is not finite, or (``degrees``) outside the longitude/latitude ranges.
    ``owner[k]`` is the geometry of vertex ``k`` (sorted, as ``shapely.get_coordinates`` gives)."""
    reasons = np.full(len(features), None, dtype=object)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(x) | ~np.isfinite(y)
        if degrees:
            bad |= (np.abs(x) > 180) | (np.abs(y) > 90)
    if not bad.any():
        return reasons
    vertex = np.arange(len(owner)) - np.searchsorted(owner, owner) + 1  # 1-based within its geometry
    suffix = f" {where}" if where else ""
    for k in np.flatnonzero(bad)[::-1]:  # the first bad vertex of each geometry wins
        if not np.isfinite(x[k]) or not np.isfinite(y[k]):
            detail = f"vertex {vertex[k]} is not a finite number ({x[k]:g}, {y[k]:g}){suffix}"
        elif abs(x[k]) > 180:
            detail = f"longitude {x[k]:g} outside -180..180 at vertex {vertex[k]}{suffix}"
        else:
            detail = f"latitude {y[k]:g} outside -90..90 at vertex {vertex[k]}{suffix}"
        reasons[owner[k]] = f"geometry out of range: feature {features[owner[k]]}: {detail}"
    return reasons


def _polygonal(geom) -> shapely.Geometry:
    """The polygons of a make_valid result (lines and points of a collapsed part dropped)."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _repair(geom, feature: int) -> tuple[shapely.Geometry | None, str | None]:
    """``(geometry to store, None)`` or ``(None, reason)`` for one WGS-84 (multi)polygon."""
    if shapely.is_valid(geom):
        fixed = geom
    else:
        for part in shapely.get_parts(geom):
            if shapely.is_valid(part):
                continue
            # GEOS measures an invalid ring by the shoelace formula: the area it encloses
            declared = float(shapely.area(part))
            repaired = float(
                shapely.area(_polygonal(shapely.make_valid(part, method="structure", keep_collapsed=False)))
            )
            change = abs(repaired - declared) / max(repaired, declared, MIN_AREA_DEG2)
            if repaired >= MIN_AREA_DEG2 and change > AREA_TOLERANCE:
                return None, (
                    f"invalid polygon: feature {feature}: {_where(part)}; repairing it would change "
                    f"its area by {100 * change:.0f} % (e.g. vertices out of order)"
                )
        fixed = _polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    if float(shapely.area(fixed)) < MIN_AREA_DEG2:
        return None, f"polygon has no area: feature {feature} covers less than about 1 m²"
    return fixed, None


def _where(part) -> str:
    """``Self-intersection at 116.3, 39.9`` from GEOS's ``Self-intersection[116.3 39.9]``."""
    text = shapely.is_valid_reason(part)
    name, _, loc = text.partition("[")
    xy = loc.rstrip("]").split()
    return f"{name} at {', '.join(xy)}" if len(xy) >= 2 else name


__all__ = ["AREA_TOLERANCE", "MIN_AREA_DEG2", "REPAIRED_WARNING", "check_area_geometries"]
