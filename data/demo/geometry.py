"""The demo district's areas: street → community → grid polygons that tile exactly.

Grids are Voronoi cells of seeded points (denser towards the centre, like a real city)
clipped to an irregular district outline; communities and streets are unions of whole
grids, so every level tiles its parent with no gaps or overlaps by construction.
Geometry is built in local metres and mapped to WGS-84 at the end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.cluster.vq import kmeans2

from .catalog import COMMUNITY_WORDS, STREET_NAMES

CENTER_LNG, CENTER_LAT = 116.47, 39.93
"""Centre of the demo district (east of central Beijing)."""

M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LNG = 111_320.0 * np.cos(np.radians(CENTER_LAT))
DISTRICT_ID = "110199"


def to_lnglat(geom: shapely.Geometry | np.ndarray) -> shapely.Geometry | np.ndarray:
    """Map local metres (x east, y north of the centre) to WGS-84 degrees."""
    return shapely.transform(
        geom, lambda xy: np.c_[CENTER_LNG + xy[:, 0] / M_PER_DEG_LNG, CENTER_LAT + xy[:, 1] / M_PER_DEG_LAT]
    )


def metres_to_lnglat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map local metre coordinates to (lng, lat) arrays."""
    return CENTER_LNG + np.asarray(x) / M_PER_DEG_LNG, CENTER_LAT + np.asarray(y) / M_PER_DEG_LAT


def lnglat_to_metres(lng: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map (lng, lat) to local metres around the district centre."""
    return (np.asarray(lng) - CENTER_LNG) * M_PER_DEG_LNG, (np.asarray(lat) - CENTER_LAT) * M_PER_DEG_LAT


def district_outline(rng: np.random.Generator, radius_m: float = 6_500.0) -> shapely.Polygon:
    """An irregular, star-shaped district boundary in local metres."""
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    phase = rng.uniform(0, 2 * np.pi, 3)
    r = radius_m * (
        1
        + 0.13 * np.sin(3 * theta + phase[0])
        + 0.07 * np.sin(5 * theta + phase[1])
        + 0.04 * np.sin(9 * theta + phase[2])
    )
    return shapely.Polygon(np.c_[1.1 * r * np.cos(theta), 0.92 * r * np.sin(theta)])


def _seed_points(rng: np.random.Generator, outline: shapely.Polygon, n: int) -> np.ndarray:
    """``n`` points inside ``outline``, denser towards the centre."""
    minx, miny, maxx, maxy = outline.bounds
    scale = max(maxx - minx, maxy - miny) / 2
    out = np.empty((0, 2))
    while len(out) < n:
        cand = rng.uniform([minx, miny], [maxx, maxy], (4 * n, 2))
        keep = shapely.contains_xy(outline, cand[:, 0], cand[:, 1])
        dist = np.hypot(cand[:, 0], cand[:, 1]) / scale
        keep &= rng.uniform(size=len(cand)) < np.exp(-1.2 * dist**2) + 0.15
        out = np.vstack([out, cand[keep]])
    return out[:n]


def _group(points: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Label each point with one of ``k`` spatially compact groups (k-means)."""
    _, labels = kmeans2(points, k, seed=seed, minit="++", iter=30)
    return labels


def build_areas(seed: int, n_grids: int = 1_500, n_communities: int = 100, n_streets: int = 10) -> pd.DataFrame:
    """Return the ``areas`` table (geom as shapely, WGS-84) of a seeded demo district.

    Area ids follow the Chinese administrative code style: district ``110199``, street
    ``110199001``, community ``110199001003``, grid ``110199001003017``.
    """
    rng = np.random.default_rng(seed)
    outline = district_outline(rng)
    seeds = _seed_points(rng, outline, n_grids)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline))
    cells = shapely.intersection(cells, outline)
    cells = cells[~shapely.is_empty(cells)]
    centroids = shapely.get_coordinates(shapely.centroid(cells))

    community_of_grid = _group(centroids, n_communities, seed + 1)
    used = np.unique(community_of_grid)
    community_centroids = np.array([centroids[community_of_grid == c].mean(axis=0) for c in used])
    street_of_community = dict(zip(used, _group(community_centroids, n_streets, seed + 2), strict=True))

    # Number streets west→east/north→south so codes read naturally on the map.
    street_keys = sorted(
        set(street_of_community.values()),
        key=lambda s: tuple(
            np.round(community_centroids[[street_of_community[c] == s for c in used]].mean(axis=0)[::-1] * [-1, 1], -3)
        ),
    )
    street_code = {s: f"{DISTRICT_ID}{i + 1:03d}" for i, s in enumerate(street_keys)}
    rows: list[dict] = []
    grid_rows: list[dict] = []
    community_rows: list[dict] = []
    for si, s in enumerate(street_keys):
        s_id = street_code[s]
        s_zh, s_en = STREET_NAMES[si % len(STREET_NAMES)]
        communities = [c for c in used if street_of_community[c] == s]
        communities.sort(
            key=lambda c: (-community_centroids[list(used).index(c)][1], community_centroids[list(used).index(c)][0])
        )
        for ci, c in enumerate(communities):
            c_id = f"{s_id}{ci + 1:03d}"
            word_zh, word_en = COMMUNITY_WORDS[ci % len(COMMUNITY_WORDS)]
            stem_zh, stem_en = s_zh.removesuffix("街道"), s_en.removesuffix(" Street")
            c_zh = f"{stem_zh}{word_zh}{'' if ci < len(COMMUNITY_WORDS) else ci // len(COMMUNITY_WORDS) + 1}社区"
            c_suffix = "" if ci < len(COMMUNITY_WORDS) else " " + str(ci // len(COMMUNITY_WORDS) + 1)
            c_en = f"{stem_en} {word_en}{c_suffix} Community"
            members = np.flatnonzero(community_of_grid == c)
            members = members[np.lexsort((centroids[members, 0], -centroids[members, 1]))]
            for gi, g in enumerate(members):
                households = int(rng.integers(300, 501))
                grid_rows.append(
                    {
                        "area_id": f"{c_id}{gi + 1:03d}",
                        "level": "grid",
                        "parent_id": c_id,
                        "name_zh": f"{c_zh}第{gi + 1}网格",
                        "name_en": f"{c_en} Grid {gi + 1}",
                        "households": households,
                        "population": int(households * rng.uniform(2.3, 2.9)),
                        "geom": cells[g],
                    }
                )
            community_rows.append(
                {
                    "area_id": c_id,
                    "level": "community",
                    "parent_id": s_id,
                    "name_zh": c_zh,
                    "name_en": c_en,
                    "members": members,
                }
            )
        rows.append({"area_id": s_id, "level": "street", "parent_id": DISTRICT_ID, "name_zh": s_zh, "name_en": s_en})

    grids = pd.DataFrame(grid_rows)
    by_parent = grids.groupby("parent_id")
    communities = pd.DataFrame(community_rows).drop(columns="members")
    communities["geom"] = [shapely.union_all(by_parent.get_group(c)["geom"].to_numpy()) for c in communities["area_id"]]
    communities = communities.merge(by_parent[["households", "population"]].sum(), left_on="area_id", right_index=True)
    streets = pd.DataFrame(rows)
    by_street = communities.groupby("parent_id")
    streets["geom"] = [shapely.union_all(by_street.get_group(s)["geom"].to_numpy()) for s in streets["area_id"]]
    streets = streets.merge(by_street[["households", "population"]].sum(), left_on="area_id", right_index=True)
    district = pd.DataFrame(
        [
            {
                "area_id": DISTRICT_ID,
                "level": "district",
                "parent_id": None,
                "name_zh": "示范区",
                "name_en": "Demo District",
                "households": int(grids["households"].sum()),
                "population": int(grids["population"].sum()),
                "geom": shapely.union_all(streets["geom"].to_numpy()),
            }
        ]
    )
    areas = pd.concat([district, streets, communities, grids], ignore_index=True)
    areas["geom"] = to_lnglat(areas["geom"].to_numpy())
    return areas[["area_id", "level", "parent_id", "name_zh", "name_en", "households", "population", "geom"]]
