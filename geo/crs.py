"""Coordinate systems of Chinese map data, vectorised: WGS-84, GCJ-02, BD-09 and EPSG codes.

GCJ-02 (国测局, used by AMap/Tencent) is WGS-84 plus a published, deterministic offset;
BD-09 (Baidu) is GCJ-02 plus a second offset. pyproj knows neither, so the forward
formulas are implemented here on numpy arrays, and the inverses by fixed-point iteration
on the forward formula (``x_{k+1} = x_k - (F(x_k) - y)``) until every point is within
1e-12 degrees; the usual one-step inverse found in public snippets is off by 1-2 m.

Standard rule: points outside China's bounding box (lng 72.004-137.8347,
lat 0.8293-55.8271) are not shifted, by either offset.

Projected systems (``EPSG:nnnn``, e.g. the CGCS2000 3-degree Gauss-Krüger zones
EPSG:4513-4554 or New York's State Plane EPSG:2263) go through pyproj with x = easting.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
from pyproj import CRS, Transformer

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_MAX_ITER = 30
_TOL_DEG = 1e-12

CHINA_BBOX: tuple[float, float, float, float] = (72.004, 0.8293, 137.8347, 55.8271)
"""(min lng, min lat, max lng, max lat) of the rule that decides whether a point is shifted."""

NAMED_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")
"""Coordinate systems known by name; anything else must be ``EPSG:nnnn``."""

_ALIASES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs_84": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "crs84": "wgs84",
    "gps": "wgs84",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj_02": "gcj02",
    "gcj": "gcj02",
    "mars": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "tencent": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd_09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
}


def normalize_crs(name: str) -> str:
    """Return ``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:nnnn`` for a user-given CRS name.

    Parameters
    ----------
    name : e.g. ``"WGS-84"``, ``"gcj-02"``, ``"Baidu"``, ``"epsg:4547"``, ``"2263"``

    Raises
    ------
    ValueError
        The name is neither a known alias nor an EPSG code pyproj knows.

    Examples
    --------
    >>> normalize_crs("GCJ-02"), normalize_crs("epsg:4547")
    ('gcj02', 'EPSG:4547')
    """
    key = str(name).strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    m = re.fullmatch(r"(?:epsg:)?(\d{4,6})", key)
    if not m:
        raise ValueError(f"unknown coordinate system {name!r}: use wgs84, gcj02, bd09 or EPSG:nnnn")
    code = f"EPSG:{m.group(1)}"
    try:
        CRS.from_user_input(code)
    except Exception as exc:  # pyproj raises CRSError
        raise ValueError(f"unknown coordinate system {name!r}: {exc}") from exc
    return code


def out_of_china(lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return True for points outside the box where the GCJ-02 offset applies.

    Examples
    --------
    >>> out_of_china([116.4, -73.9], [39.9, 40.7]).tolist()
    [False, True]
    """
    lng = np.asarray(lng, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    x0, y0, x1, y1 = CHINA_BBOX
    return ~((lng >= x0) & (lng <= x1) & (lat >= y0) & (lat <= y1))


def _gcj_offset(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offset (dlng, dlat) in degrees that GCJ-02 adds to a WGS-84 point."""
    x = lng - 105.0
    y = lat - 35.0
    s6x = np.sin(6.0 * x * np.pi)
    s2x = np.sin(2.0 * x * np.pi)
    common = (20.0 * s6x + 20.0 * s2x) * 2.0 / 3.0
    sqrt_ax = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_ax + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_ax + common
    dlng += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlng, dlat


def _as_arrays(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lng = np.array(lng, dtype=np.float64, copy=True)
    lat = np.array(lat, dtype=np.float64, copy=True)
    if lng.shape != lat.shape:
        raise ValueError(f"lng and lat differ in shape: {lng.shape} vs {lat.shape}")
    return lng, lat


def wgs84_to_gcj02(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 points to GCJ-02 (points outside China unchanged).

    Parameters
    ----------
    lng, lat : float arrays in degrees (NaN stays NaN)

    Returns
    -------
    (lng, lat) : float64 arrays in GCJ-02

    Examples
    --------
    >>> g = wgs84_to_gcj02([128.543], [37.065])
    >>> round(float(g[0][0]), 9), round(float(g[1][0]), 9)
    (128.548205479, 37.065651049)
    """
    lng, lat = _as_arrays(lng, lat)
    inside = ~out_of_china(lng, lat)
    dlng, dlat = _gcj_offset(lng[inside], lat[inside])
    lng[inside] += dlng
    lat[inside] += dlat
    return lng, lat


def gcj02_to_bd09(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 points to BD-09 (points outside China unchanged).

    Examples
    --------
    >>> b = gcj02_to_bd09([128.543], [37.065])
    >>> round(float(b[0][0]), 9), round(float(b[1][0]), 9)
    (128.549446563, 37.071134279)
    """
    lng, lat = _as_arrays(lng, lat)
    inside = ~out_of_china(lng, lat)
    x, y = lng[inside], lat[inside]
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    lng[inside] = z * np.cos(theta) + 0.0065
    lat[inside] = z * np.sin(theta) + 0.006
    return lng, lat


def _bd09_to_gcj02_approx(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lng - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(forward, lng: np.ndarray, lat: np.ndarray, start) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point inverse of ``forward`` at the targets ``(lng, lat)``.

    Each step moves the estimate by its forward error; the offsets change by less than
    1e-4 of a step per degree, so every iteration gains ~4 digits. Points that have
    converged drop out of later iterations.
    """
    x, y = (np.array(a, dtype=np.float64) for a in start)
    active = np.arange(len(x))
    for _ in range(_MAX_ITER):
        fx, fy = forward(x[active], y[active])
        ex, ey = fx - lng[active], fy - lat[active]
        x[active] -= ex
        y[active] -= ey
        # NaN errors compare False and leave the loop at once.
        active = active[(np.abs(ex) > _TOL_DEG) | (np.abs(ey) > _TOL_DEG)]
        if not len(active):
            break
    return x, y


def gcj02_to_wgs84(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 points to WGS-84 by fixed-point iteration (error ~1e-12 degrees).

    Examples
    --------
    >>> w = gcj02_to_wgs84([128.54820547949757], [37.065651049489816])
    >>> round(float(w[0][0]), 9), round(float(w[1][0]), 9)
    (128.543, 37.065)
    """
    lng, lat = _as_arrays(lng, lat)
    inside = ~out_of_china(lng, lat)
    g_lng, g_lat = lng[inside], lat[inside]

    def forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = _gcj_offset(x, y)
        return x + dx, y + dy

    dx, dy = _gcj_offset(g_lng, g_lat)
    lng[inside], lat[inside] = _invert(forward, g_lng, g_lat, (g_lng - dx, g_lat - dy))
    return lng, lat


def bd09_to_gcj02(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 points to GCJ-02 by fixed-point iteration (error ~1e-12 degrees).

    Examples
    --------
    >>> g = bd09_to_gcj02([128.54944656269413], [37.07113427883019])
    >>> round(float(g[0][0]), 9), round(float(g[1][0]), 9)
    (128.543, 37.065)
    """
    lng, lat = _as_arrays(lng, lat)
    inside = ~out_of_china(lng, lat)
    b_lng, b_lat = lng[inside], lat[inside]

    def forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
        theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
        return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006

    start = _bd09_to_gcj02_approx(b_lng, b_lat)
    lng[inside], lat[inside] = _invert(forward, b_lng, b_lat, start)
    return lng, lat


def wgs84_to_bd09(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 points to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 points to WGS-84 (via GCJ-02, both inverses iterated)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


@cache
def _transformer(code: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(code), CRS.from_epsg(4326), always_xy=True)


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in ``crs`` to WGS-84 ``(lng, lat)``.

    Parameters
    ----------
    x, y : float arrays: longitude/latitude for geographic systems, easting/northing
        for projected ones
    crs : anything :func:`normalize_crs` accepts

    Returns
    -------
    (lng, lat) : float64 arrays in WGS-84 degrees; NaN where the input was NaN

    Examples
    --------
    >>> lng, lat = to_wgs84([128.55468192918485], [37.07168344938498], "bd09")
    >>> round(float(lng[0]), 9), round(float(lat[0]), 9)
    (128.543, 37.065)
    """
    code = normalize_crs(crs)
    if code == "wgs84":
        return _as_arrays(x, y)
    if code == "gcj02":
        return gcj02_to_wgs84(x, y)
    if code == "bd09":
        return bd09_to_wgs84(x, y)
    x, y = _as_arrays(x, y)
    lng, lat = _transformer(code).transform(x, y)
    lng = np.asarray(lng, dtype=np.float64)
    lat = np.asarray(lat, dtype=np.float64)
    bad = ~np.isfinite(lng) | ~np.isfinite(lat)
    lng[bad] = np.nan
    lat[bad] = np.nan
    return lng, lat


def from_wgs84(lng: np.ndarray, lat: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS-84 ``(lng, lat)`` to ``crs`` (the inverse of :func:`to_wgs84`)."""
    code = normalize_crs(crs)
    if code == "wgs84":
        return _as_arrays(lng, lat)
    if code == "gcj02":
        return wgs84_to_gcj02(lng, lat)
    if code == "bd09":
        return wgs84_to_bd09(lng, lat)
    lng, lat = _as_arrays(lng, lat)
    x, y = _transformer(code).transform(lng, lat, direction="INVERSE")
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


__all__ = [
    "CHINA_BBOX",
    "NAMED_CRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "normalize_crs",
    "out_of_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]
