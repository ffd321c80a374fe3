"""What one publication is built with: the protection parameters and the cut-off."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .sensitive import Sensitive


@dataclass(frozen=True)
class PublishConfig:
    """Parameters of :func:`data.publish.build_published` (the CLI reads them from the
    ``GRIDSCOPE_PUBLIC_*`` settings; docs/PUBLISHING.md explains each).

    Parameters
    ----------
    min_count : k; counts under k and rates over fewer than k events are withheld
    lag_days : days held back from the last report day in the store
    rounding_base : published counts rounded to this base after suppression (0 = off)
    max_res : H3 resolution of the published cells (the finest the public may see)
    sensitive : sensitive categories and their mode
    through : latest day the caller allows (``--through``); the lag may cut earlier
    tracking_key : the district's secret key for the tracking digests (``None``: no tracking)
    tracking_days : how many days back from the cut-off a case stays trackable
    published_on : the publication date written to ``pub_meta.published_at`` (a date, so
        publishing twice on one day gives identical tables)
    simplify_tolerance : outline simplification of published areas, in degrees
    """

    min_count: int = 10
    lag_days: int = 7
    rounding_base: int = 0
    max_res: int = 8
    sensitive: Sensitive = field(default_factory=Sensitive)
    through: date | None = None
    tracking_key: bytes | None = None
    tracking_days: int = 180
    published_on: date | None = None
    simplify_tolerance: float = 0.0001

    def __post_init__(self) -> None:
        if self.min_count < 1:
            raise ValueError(f"GRIDSCOPE_PUBLIC_MIN_COUNT must be 1 or more, got {self.min_count}")
        if self.lag_days < 0:
            raise ValueError(f"GRIDSCOPE_PUBLIC_LAG_DAYS must be 0 or more days, got {self.lag_days}")
        if self.rounding_base < 0:
            raise ValueError(f"GRIDSCOPE_PUBLIC_ROUNDING must be 0 (off) or a positive base, got {self.rounding_base}")
        if not 0 <= self.max_res <= 15:
            raise ValueError(f"GRIDSCOPE_PUBLIC_MAX_RES must be an H3 resolution 0..15, got {self.max_res}")
        if self.tracking_days < 1:
            raise ValueError(f"GRIDSCOPE_PUBLIC_TRACKING_DAYS must be 1 or more, got {self.tracking_days}")
