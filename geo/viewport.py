"""Fitting a web-Mercator map view (deck.gl's, 512-pixel tiles) to a bounding box, and the
ground distance one screen pixel covers."""

from __future__ import annotations

import math
from dataclasses import dataclass

TILE = 512
"""deck.gl's world width in pixels at zoom 0."""

EARTH_CIRCUMFERENCE_M = 40_075_016.686
"""At the equator, WGS-84."""


@dataclass(frozen=True)
class View:
    """Centre (degrees) and zoom of a map view."""

    longitude: float
    latitude: float
    zoom: float


def _merc_y(lat: float) -> float:
    """Web-Mercator y of ``lat`` in radians-equivalent units (the x of longitude λ is λ in radians)."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _merc_lat(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit_bounds(
    bounds: tuple[float, float, float, float],
    width: float,
    height: float,
    *,
    padding: float = 16,
    min_zoom: float = 3,
    max_zoom: float = 16,
) -> View:
    """The view that shows all of ``bounds`` (min lon, min lat, max lon, max lat) in a map of
    ``width`` x ``height`` pixels with ``padding`` pixels free on every side: the largest zoom
    at which both the east-west and the north-south extent fit, centred in Mercator space.

    >>> v = fit_bounds((116.375, 39.870, 116.549, 39.988), 358, 520)
    >>> round(v.zoom, 2), round(v.longitude, 3), round(v.latitude, 3)
    (10.36, 116.462, 39.929)
    """
    minx, miny, maxx, maxy = bounds
    x0, x1 = math.radians(minx), math.radians(maxx)
    y0, y1 = _merc_y(miny), _merc_y(maxy)
    px_per_unit0 = TILE / (2 * math.pi)  # pixels per Mercator unit at zoom 0
    room_w, room_h = max(width - 2 * padding, 1.0), max(height - 2 * padding, 1.0)
    span_w, span_h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    zoom = math.log2(min(room_w / (span_w * px_per_unit0), room_h / (span_h * px_per_unit0)))
    zoom = min(max(zoom, min_zoom), max_zoom)
    return View(longitude=(minx + maxx) / 2, latitude=_merc_lat((y0 + y1) / 2), zoom=zoom)


def metres_per_pixel(latitude: float, zoom: float) -> float:
    """Ground metres one screen pixel spans at ``latitude`` and ``zoom``.

    >>> round(metres_per_pixel(0.0, 0.0))
    78272
    """
    return EARTH_CIRCUMFERENCE_M * math.cos(math.radians(latitude)) / (TILE * 2**zoom)


def scale_bar_length(latitude: float, zoom: float, max_pixels: float) -> tuple[float, float]:
    """A round ground length (1, 2 or 5 times a power of ten metres) whose bar is at most
    ``max_pixels`` long, and that bar's length in pixels.

    >>> length, pixels = scale_bar_length(39.93, 10.36, 100)
    >>> length, round(pixels)
    (2000.0, 44)
    """
    per_px = metres_per_pixel(latitude, zoom)
    target = max_pixels * per_px
    exp = math.floor(math.log10(target))
    length = 10.0**exp
    for m in (5, 2, 1):
        if m * 10**exp <= target:
            length = float(m * 10**exp)
            break
    return length, length / per_px


def pixel_to_lnglat(view: View, x: float, y: float, width: float, height: float) -> tuple[float, float]:
    """Longitude and latitude under screen pixel ``x, y`` of a ``width`` x ``height`` map showing ``view``.

    >>> v = View(116.0, 40.0, 10.0)
    >>> [round(c, 6) for c in pixel_to_lnglat(v, 200, 150, 400, 300)]
    [116.0, 40.0]
    """
    scale = TILE * 2**view.zoom / (2 * math.pi)
    lon = view.longitude + math.degrees((x - width / 2) / scale)
    lat = _merc_lat(_merc_y(view.latitude) - (y - height / 2) / scale)
    return lon, lat
