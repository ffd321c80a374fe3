"""Settings shared by the CLI and the dashboard, read from the environment.

The dashboard also reads ``.streamlit/secrets.toml`` and passes those values in as
``overrides``; the environment wins over secrets, as it does for Streamlit's own options.
``tests/test_docs.py`` checks that README documents every setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir


@dataclass(frozen=True)
class Setting:
    """One setting: its environment name, default and help text."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "GRIDSCOPE_DB", "", "DuckDB file of the embedded store (default: gridscope.duckdb in the user data directory)"
    ),
    Setting("GRIDSCOPE_DSN", "", "PostgreSQL/PostGIS connection string; when set, the server backend is used"),
    Setting("GRIDSCOPE_DEMO_SIZE", "default", "size of the demo city built on first start: small | default | 1m | 10m"),
    Setting(
        "GRIDSCOPE_TILE_URL",
        "",
        "raster tile URL template for a basemap ({z}/{x}/{y}); empty = no basemap, grid outlines only",
    ),
    Setting("GRIDSCOPE_PUBLIC_MIN_COUNT", "5", "public pages hide any cell or area with fewer events than this"),
    Setting("GRIDSCOPE_PUBLIC_MAX_RES", "8", "finest H3 resolution the public pages may show"),
)
"""Every setting GridScope reads, with defaults."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings (see :data:`SETTINGS`)."""

    db_path: Path
    dsn: str
    demo_size: str
    tile_url: str
    public_min_count: int
    public_max_res: int

    @property
    def backend(self) -> str:
        """``postgis`` when a DSN is set, else ``duckdb``."""
        return "postgis" if self.dsn else "duckdb"


def default_db_path() -> Path:
    """Where the embedded store lives when ``GRIDSCOPE_DB`` is not set."""
    return Path(user_data_dir("gridscope", appauthor=False)) / "gridscope.duckdb"


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """Read settings from ``overrides`` (e.g. Streamlit secrets), then the environment."""
    values: dict[str, str] = {}
    for s in SETTINGS:
        value = os.environ.get(s.name)
        if value is None and overrides is not None and s.name in overrides:
            value = str(overrides[s.name])
        values[s.name] = value if value is not None else s.default
    return Settings(
        db_path=Path(values["GRIDSCOPE_DB"]).expanduser() if values["GRIDSCOPE_DB"] else default_db_path(),
        dsn=values["GRIDSCOPE_DSN"],
        demo_size=values["GRIDSCOPE_DEMO_SIZE"],
        tile_url=values["GRIDSCOPE_TILE_URL"],
        public_min_count=int(values["GRIDSCOPE_PUBLIC_MIN_COUNT"]),
        public_max_res=int(values["GRIDSCOPE_PUBLIC_MAX_RES"]),
    )


__all__ = ["SETTINGS", "Setting", "Settings", "default_db_path", "load_settings"]
