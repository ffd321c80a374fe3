"""Pure geospatial functions: arrays and DataFrames in, results out (no I/O, no Streamlit)."""

from .areas import assign_points_to_areas, covering_polygon_index
from .crs import from_wgs84, normalize_crs, to_wgs84
from .emerging import (
    EMERGING_CATEGORIES,
    EmergingResult,
    emerging_hotspots,
    mann_kendall,
)
from .forecast import BacktestResult, backtest, forecast_daily, seasonal_naive
from .h3index import (
    cells_to_parents,
    cells_to_strings,
    points_to_cells,
    strings_to_cells,
)
from .hotspots import (
    HOTSPOT_CLASSES,
    MORAN_LABELS,
    GiStarResult,
    benjamini_hochberg,
    getis_ord_gi_star,
)
from .moran import LocalMoranResult, local_moran
from .trends import (
    GRAINS,
    TrendWindows,
    anomaly_drivers,
    bucket_starts,
    expected_band,
    fill_buckets,
    trend_windows,
)
from .weights import SpatialWeights, h3_extent_cells, h3_kring_weights, queen_weights

__all__ = [
    "EMERGING_CATEGORIES",
    "GRAINS",
    "HOTSPOT_CLASSES",
    "MORAN_LABELS",
    "BacktestResult",
    "EmergingResult",
    "GiStarResult",
    "LocalMoranResult",
    "SpatialWeights",
    "TrendWindows",
    "anomaly_drivers",
    "assign_points_to_areas",
    "backtest",
    "covering_polygon_index",
    "benjamini_hochberg",
    "bucket_starts",
    "cells_to_parents",
    "cells_to_strings",
    "emerging_hotspots",
    "expected_band",
    "fill_buckets",
    "forecast_daily",
    "from_wgs84",
    "getis_ord_gi_star",
    "h3_extent_cells",
    "h3_kring_weights",
    "local_moran",
    "mann_kendall",
    "normalize_crs",
    "points_to_cells",
    "queen_weights",
    "seasonal_naive",
    "strings_to_cells",
    "to_wgs84",
    "trend_windows",
]
