"""geo.viewport: the fitted view shows the whole box at every map size, no more zoomed out than needed."""

from __future__ import annotations

import math

import pytest

from geo.viewport import TILE, fit_bounds, metres_per_pixel, scale_bar_length

DISTRICT = (116.37507136, 39.87030771, 116.54943686, 39.9879316)
"""The demo city's district bounds (small city, seed 42)."""


def _pixel(lon: float, lat: float, view, width: float, height: float) -> tuple[float, float]:
    """Screen position of ``lon, lat`` (deck.gl's web Mercator)."""
    scale = TILE * 2**view.zoom / (2 * math.pi)

    def merc(phi: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(phi) / 2))

    x = width / 2 + scale * (math.radians(lon) - math.radians(view.longitude))
    y = height / 2 - scale * (merc(lat) - merc(view.latitude))
    return x, y


@pytest.mark.parametrize(("width", "height"), [(358, 520), (358, 460), (620, 460), (1000, 520), (300, 300)])
def test_every_corner_inside_and_one_side_touching_the_padding(width, height):
    view = fit_bounds(DISTRICT, width, height, padding=16)
    minx, miny, maxx, maxy = DISTRICT
    (x0, y1), (x1, y0) = _pixel(minx, miny, view, width, height), _pixel(maxx, maxy, view, width, height)
    assert 16 - 1e-6 <= x0 < x1 <= width - 16 + 1e-6
    assert 16 - 1e-6 <= y0 < y1 <= height - 16 + 1e-6
    # the tighter dimension is filled: no smaller zoom than needed
    assert math.isclose(x1 - x0, width - 32, rel_tol=1e-9) or math.isclose(y1 - y0, height - 32, rel_tol=1e-9)
    assert x0 - 16 == pytest.approx(width - 16 - x1) and y0 - 16 == pytest.approx(height - 16 - y1)  # centred


def test_phone_is_width_limited_and_desktop_height_limited():
    phone = fit_bounds(DISTRICT, 358, 520)
    desktop = fit_bounds(DISTRICT, 1000, 520)
    assert phone.zoom == pytest.approx(10.3604, abs=1e-3)
    assert desktop.zoom > phone.zoom + 0.3
    old = math.log2(360 / (DISTRICT[2] - DISTRICT[0])) + 0.1  # the old zoom, whatever the map's size
    assert fit_bounds(DISTRICT, 620, 460).zoom < old  # it cut the chain map's (460 px) north and south edges


def test_a_point_gets_the_max_zoom():
    assert fit_bounds((116.4, 39.9, 116.4, 39.9), 400, 400).zoom == 16


def test_metres_per_pixel_and_scale_bar():
    assert metres_per_pixel(0, 0) == pytest.approx(40_075_016.686 / 512)
    assert metres_per_pixel(60, 1) == pytest.approx(40_075_016.686 * 0.5 / 1024)
    length, px = scale_bar_length(39.93, 12.0, 120)
    assert length == 1000 and px == pytest.approx(1000 / metres_per_pixel(39.93, 12.0))
    assert px <= 120
    assert scale_bar_length(39.93, 16, 100)[0] == 50  # 0.92 m per pixel


def test_pixel_to_lnglat_inverts_the_projection():
    from geo.viewport import pixel_to_lnglat

    view = fit_bounds(DISTRICT, 358, 520)
    lon, lat = pixel_to_lnglat(view, 30, 500, 358, 520)
    assert _pixel(lon, lat, view, 358, 520) == pytest.approx((30, 500))
