"""Pure geospatial functions: arrays and DataFrames in, results out (no I/O, no Streamlit)."""

from .areas import assign_points_to_areas
from .crs import from_wgs84, normalize_crs, to_wgs84
from .h3index import (
    cells_to_parents,
    cells_to_strings,
    points_to_cells,
    strings_to_cells,
)

__all__ = [
    "assign_points_to_areas",
    "cells_to_parents",
    "cells_to_strings",
    "from_wgs84",
    "normalize_crs",
    "points_to_cells",
    "strings_to_cells",
    "to_wgs84",
]
