"""WGS-84 / GCJ-02 / BD-09 conversions and EPSG reprojection (geo/crs.py).

Reference values: the forward results for (128.543, 37.065) published with the widely
used public ``coordTransform_utils`` script (wgs84→gcj02, gcj02→bd09, wgs84→bd09), and a
New York 311 record whose State Plane X/Y (EPSG:2263, feet) and latitude/longitude were
both published by NYC Open Data.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from geo import crs

LNG, LAT = 128.543, 37.065

FORWARD = [
    (crs.wgs84_to_gcj02, (128.54820547949757, 37.065651049489816)),
    (crs.gcj02_to_bd09, (128.54944656269413, 37.07113427883019)),
    (crs.wgs84_to_bd09, (128.55468192918485, 37.07168344938498)),
]
INVERSE = {
    crs.wgs84_to_gcj02: crs.gcj02_to_wgs84,
    crs.gcj02_to_bd09: crs.bd09_to_gcj02,
    crs.wgs84_to_bd09: crs.bd09_to_wgs84,
}
# The same script's one-step inverses (not iterated): off by up to ~2 m.
ONE_STEP = [
    (crs.gcj02_to_wgs84, (128.53779452050244, 37.06434895051018)),
    (crs.bd09_to_gcj02, (128.5365893261212, 37.058754503281534)),
    (crs.bd09_to_wgs84, (128.53136876750008, 37.0580926428705)),
]


def metres(lng1, lat1, lng2, lat2) -> np.ndarray:
    """Equirectangular distance in metres (fine at the sub-metre scale)."""
    k = 6371008.8 * np.pi / 180
    dx = (np.asarray(lng1) - lng2) * k * np.cos(np.radians(lat2))
    dy = (np.asarray(lat1) - lat2) * k
    return np.hypot(dx, dy)


@pytest.mark.parametrize("forward,expected", FORWARD, ids=lambda f: getattr(f, "__name__", ""))
def test_forward_matches_published_values(forward, expected):
    lng, lat = forward([LNG], [LAT])
    assert_allclose([lng[0], lat[0]], expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("forward,expected", FORWARD, ids=lambda f: getattr(f, "__name__", ""))
def test_inverse_recovers_the_published_input(forward, expected):
    lng, lat = INVERSE[forward]([expected[0]], [expected[1]])
    assert metres(lng, lat, LNG, LAT)[0] < 1e-6


@pytest.mark.parametrize("inverse,one_step", ONE_STEP, ids=lambda f: getattr(f, "__name__", ""))
def test_iterated_inverse_beats_the_one_step_formula(inverse, one_step):
    lng, lat = inverse([LNG], [LAT])
    # close to the public approximation (same formula family) ...
    assert metres(lng, lat, *one_step)[0] < 3.0
    # ... but the forward of our inverse lands back on the input, the approximation's does not
    forward = {v: k for k, v in INVERSE.items()}[inverse]
    f_lng, f_lat = forward(lng, lat)
    assert metres(f_lng, f_lat, LNG, LAT)[0] < 1e-6
    a_lng, a_lat = forward([one_step[0]], [one_step[1]])
    assert metres(a_lng, a_lat, LNG, LAT)[0] > 0.01


china = st.tuples(st.floats(73.5, 135.0), st.floats(18.0, 53.5))


@settings(max_examples=200, deadline=None)
@given(st.lists(china, min_size=1, max_size=50))
def test_round_trip_across_china_below_half_a_millimetre(points):
    lng, lat = np.array(points).T
    for forward, inverse in INVERSE.items():
        f_lng, f_lat = forward(lng, lat)
        assert metres(f_lng, f_lat, lng, lat).max() > 1.0  # the offset is real
        b_lng, b_lat = inverse(f_lng, f_lat)
        assert metres(b_lng, b_lat, lng, lat).max() < 5e-4
        assert metres(*forward(*inverse(lng, lat)), lng, lat).max() < 5e-4


def test_round_trip_on_a_dense_grid_over_china():
    lng, lat = (a.ravel() for a in np.meshgrid(np.linspace(73.6, 134.9, 400), np.linspace(18.2, 53.4, 400)))
    b_lng, b_lat = crs.to_wgs84(*crs.from_wgs84(lng, lat, "bd09"), "bd09")
    assert metres(b_lng, b_lat, lng, lat).max() < 5e-4


def test_points_outside_china_are_not_shifted():
    lng = np.array([-73.94, 2.35, 151.2, 100.0])
    lat = np.array([40.63, 48.86, -33.87, 60.0])
    for fn in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.wgs84_to_bd09, crs.bd09_to_wgs84):
        out_lng, out_lat = fn(lng, lat)
        assert_allclose(out_lng, lng, rtol=0, atol=0)
        assert_allclose(out_lat, lat, rtol=0, atol=0)
    assert crs.out_of_china(lng, lat).all()


def test_nan_passes_through():
    lng, lat = crs.to_wgs84([np.nan, 116.4], [39.9, np.nan], "gcj02")
    assert np.isnan(lng[0]) and np.isnan(lat[1])


def test_state_plane_new_york_matches_the_published_latitude_longitude():
    # NYC 311 record 64446107: X=1000381 ft, Y=167347 ft (integer feet) -> published lat/lng
    lng, lat = crs.to_wgs84([1000381.0], [167347.0], "EPSG:2263")
    assert metres(lng, lat, -73.94188882855283, 40.625990681603746)[0] < 1.0


def test_cgcs2000_gauss_kruger_zone_round_trips_through_pyproj():
    from pyproj import Transformer

    # EPSG:4547 = CGCS2000 / 3-degree Gauss-Kruger CM 114E: false easting 500 km on the meridian
    lng, lat = crs.to_wgs84([500000.0], [4420000.0], "EPSG:4547")
    assert_allclose(lng, [114.0], atol=1e-9)
    ref = Transformer.from_crs(4547, 4490, always_xy=True).transform(500000.0, 4420000.0)
    assert_allclose([lng[0], lat[0]], ref, atol=1e-7)
    x, y = crs.from_wgs84(lng, lat, "EPSG:4547")
    assert_allclose([x[0], y[0]], [500000.0, 4420000.0], atol=1e-4)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("WGS-84", "wgs84"),
        ("epsg:4326", "wgs84"),
        ("GCJ-02", "gcj02"),
        ("Baidu", "bd09"),
        ("bd09", "bd09"),
        ("EPSG:4547", "EPSG:4547"),
        ("2263", "EPSG:2263"),
    ],
)
def test_normalize_crs(text, expected):
    assert crs.normalize_crs(text) == expected


@pytest.mark.parametrize("text", ["mercator", "EPSG:99999", ""])
def test_unknown_crs_is_a_clear_error(text):
    with pytest.raises(ValueError, match="coordinate system"):
        crs.normalize_crs(text)
