"""The published layer (issue 12): protected aggregates and tracking digests for the public.

``build_published(store, config)`` builds every ``pub_*`` table (docs/PUBLISHING.md);
``write_duckdb`` writes them to their own file, ``write_postgis`` to schema ``published``;
``write_open_data`` writes the CSV/GeoJSON downloads and the data dictionary.
"""

from __future__ import annotations

from .build import NothingToPublish, Published, build_published
from .config import PublishConfig
from .sensitive import Sensitive, parse_sensitive
from .tracking import (
    TrackingKeyMissing,
    lookup_key,
    lookup_key_text,
    parse_key,
    parse_lookup_key,
    tracking_digest,
    verification_code,
)
from .writer import write_duckdb

__all__ = [
    "NothingToPublish",
    "PublishConfig",
    "Published",
    "Sensitive",
    "TrackingKeyMissing",
    "build_published",
    "lookup_key",
    "lookup_key_text",
    "parse_key",
    "parse_lookup_key",
    "parse_sensitive",
    "tracking_digest",
    "verification_code",
    "write_duckdb",
]
