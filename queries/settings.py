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
    Setting(
        "GRIDSCOPE_DB_READ_ONLY",
        "",
        "1: open the DuckDB file read-only, so several dashboard processes can share it (scripts/replicas.sh); "
        "nothing can be imported or edited meanwhile",
    ),
    Setting("GRIDSCOPE_DSN", "", "PostgreSQL/PostGIS connection string; when set, the server backend is used"),
    Setting(
        "GRIDSCOPE_WRITER_DSN",
        "",
        "PostGIS connection string of the role the dashboard writes with (SLA edits, imports, users); "
        "never the reader's connection; empty: the dashboard cannot write on PostGIS",
    ),
    Setting(
        "GRIDSCOPE_AUTH",
        "demo",
        "sign-in: demo (sign-in when an OIDC provider is configured in secrets [auth], else demo mode) | "
        "required (refuse to start without a provider)",
    ),
    Setting("GRIDSCOPE_DEMO_SIZE", "default", "size of the demo city built on first start: small | default | 1m | 10m"),
    Setting(
        "GRIDSCOPE_TILE_URL",
        "",
        "raster tile URL template for a basemap ({z}/{x}/{y}); empty = no basemap, grid outlines only",
    ),
    Setting(
        "GRIDSCOPE_PUBLIC_MIN_COUNT",
        "10",
        "k of the published layer: counts under k and rates over fewer than k events are withheld (ONS uses 10)",
    ),
    Setting("GRIDSCOPE_PUBLIC_LAG_DAYS", "7", "publication lag: days held back from the last report day in the store"),
    Setting("GRIDSCOPE_PUBLIC_ROUNDING", "0", "round published counts to this base after suppression (0 = off; 5)"),
    Setting(
        "GRIDSCOPE_PUBLIC_SENSITIVE",
        "",
        "sensitive category codes, comma-separated, published at street level only; end with ',hide' to publish none",
    ),
    Setting(
        "GRIDSCOPE_PUBLIC_TRACKING_KEY",
        "",
        "district secret key of the tracking digests and verification codes (internal side only, "
        "never on the public server)",
    ),
    Setting(
        "GRIDSCOPE_PUBLIC_LOOKUP_KEY",
        "",
        "the public app's tracking key, 64 hex digits from `gridscope publish lookup-key`: "
        "checks codes, cannot make them",
    ),
    Setting("GRIDSCOPE_PUBLIC_TRACKING_DAYS", "180", "days back from the publication cut-off a case stays trackable"),
    Setting("GRIDSCOPE_PUBLIC_MAX_RES", "8", "finest H3 resolution the public pages may show"),
    Setting(
        "GRIDSCOPE_PUBLIC_DB",
        "",
        "published-layer DuckDB file the public app reads, opened read-only "
        "(default: public.duckdb in the user data directory; `gridscope publish --out` writes it)",
    ),
    Setting(
        "GRIDSCOPE_PUBLIC_DSN",
        "",
        "PostgreSQL connection string of the role gridscope_public; when set, the public app reads schema published",
    ),
    Setting(
        "GRIDSCOPE_TARGET_CLOSURE", "", "closure-rate target (结案率), a share (0.95) or percentage (95%); empty: none"
    ),
    Setting("GRIDSCOPE_TARGET_ON_TIME", "0.9", "on-time closure-rate target (按期处置率), a share or percentage"),
    Setting("GRIDSCOPE_TARGET_SATISFACTION", "0.85", "satisfaction-rate target (满意率), a share or percentage"),
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
    public_db: Path | None = None
    public_dsn: str = ""
    writer_dsn: str = ""
    auth: str = "demo"
    db_read_only: bool = False

    @property
    def backend(self) -> str:
        """``postgis`` when a DSN is set, else ``duckdb``."""
        return "postgis" if self.dsn else "duckdb"


TARGET_SETTINGS: dict[str, str] = {
    "closure_rate": "GRIDSCOPE_TARGET_CLOSURE",
    "on_time_rate": "GRIDSCOPE_TARGET_ON_TIME",
    "satisfaction_rate": "GRIDSCOPE_TARGET_SATISFACTION",
}
"""The KPI (rate name as the KPI and ranking frames call it) each target setting is for."""


@dataclass(frozen=True)
class Targets:
    """The district's KPI targets (shares 0..1; ``None``: no target for that rate).

    The overview colours each KPI by whether it meets its target; the chain map may centre
    its diverging scale on :meth:`for_metric`. A rate meets its target when it is at least
    the target (all three are "higher is better").
    """

    closure_rate: float | None = None
    on_time_rate: float | None = 0.9
    satisfaction_rate: float | None = 0.85

    def for_metric(self, metric: str) -> float | None:
        """The target of ``metric`` (``closure_rate``, ``on_time_rate``, ``satisfaction_rate``;
        anything else: ``None``)."""
        return getattr(self, metric) if metric in TARGET_SETTINGS else None

    def meets(self, metric: str, value: float | None) -> bool | None:
        """Whether ``value`` of ``metric`` meets its target; ``None`` without a target or a value."""
        target = self.for_metric(metric)
        if target is None or value is None:
            return None
        return value >= target - 1e-12


def parse_target(name: str, text: str) -> float | None:
    """A target setting's value as a share: ``0.9``, ``90%`` and ``90`` all give 0.9; empty
    gives ``None``. Raises ``ValueError`` naming the setting for anything else.

    >>> parse_target("T", "90%"), parse_target("T", "0.85"), parse_target("T", " ")
    (0.9, 0.85, None)
    """
    raw = text.strip()
    if not raw:
        return None
    number = raw[:-1].strip() if raw.endswith("%") else raw
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if raw.endswith("%") or value > 1:
        value /= 100
    if not 0 < value <= 1:  # also false for NaN
        raise ValueError(f"{name} must be a share in (0, 1] (0.9) or a percentage (90%), got {text!r}")
    return round(value, 12)


def _values(overrides: Mapping[str, object] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for s in SETTINGS:
        value = os.environ.get(s.name)
        if value is None and overrides is not None and s.name in overrides:
            value = str(overrides[s.name])
        values[s.name] = value if value is not None else s.default
    return values


def setting_value(name: str, overrides: Mapping[str, object] | None = None) -> str:
    """The text of setting ``name`` (one of :data:`SETTINGS`): environment, then ``overrides``,
    then its default."""
    return _values(overrides)[name]


def load_targets(overrides: Mapping[str, object] | None = None) -> Targets:
    """The KPI targets from ``overrides`` (e.g. Streamlit secrets), then the environment."""
    values = _values(overrides)
    return Targets(**{metric: parse_target(name, values[name]) for metric, name in TARGET_SETTINGS.items()})


def default_db_path() -> Path:
    """Where the embedded store lives when ``GRIDSCOPE_DB`` is not set."""
    return Path(user_data_dir("gridscope", appauthor=False)) / "gridscope.duckdb"


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """Read settings from ``overrides`` (e.g. Streamlit secrets), then the environment
    (the KPI targets: :func:`load_targets`)."""
    values = _values(overrides)
    return Settings(
        db_path=Path(values["GRIDSCOPE_DB"]).expanduser() if values["GRIDSCOPE_DB"] else default_db_path(),
        dsn=values["GRIDSCOPE_DSN"],
        demo_size=values["GRIDSCOPE_DEMO_SIZE"],
        tile_url=values["GRIDSCOPE_TILE_URL"],
        public_min_count=int(values["GRIDSCOPE_PUBLIC_MIN_COUNT"]),
        public_max_res=int(values["GRIDSCOPE_PUBLIC_MAX_RES"]),
        public_db=Path(values["GRIDSCOPE_PUBLIC_DB"]).expanduser()
        if values["GRIDSCOPE_PUBLIC_DB"]
        else default_db_path().with_name("public.duckdb"),
        public_dsn=values["GRIDSCOPE_PUBLIC_DSN"],
        writer_dsn=values["GRIDSCOPE_WRITER_DSN"],
        auth=values["GRIDSCOPE_AUTH"].strip().lower(),
        db_read_only=values["GRIDSCOPE_DB_READ_ONLY"].strip().lower() in ("1", "true", "yes", "on"),
    )


__all__ = [
    "SETTINGS",
    "TARGET_SETTINGS",
    "Setting",
    "Settings",
    "Targets",
    "default_db_path",
    "load_settings",
    "load_targets",
    "parse_target",
    "setting_value",
]
