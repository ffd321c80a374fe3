"""Options and store opening shared by sub-commands."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from queries import Settings, Store, load_settings, open_store


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--db`` and ``--dsn``, which override ``GRIDSCOPE_DB`` / ``GRIDSCOPE_DSN``."""
    parser.add_argument("--db", type=Path, help="DuckDB file (default: $GRIDSCOPE_DB or the user data dir)")
    parser.add_argument("--dsn", help="PostGIS connection string (default: $GRIDSCOPE_DSN)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the environment with ``--db`` / ``--dsn`` applied."""
    settings = load_settings()
    if getattr(args, "db", None):
        settings = replace(settings, db_path=args.db, dsn="")
    if getattr(args, "dsn", None):
        settings = replace(settings, dsn=args.dsn)
    return settings


def store_from_args(args: argparse.Namespace) -> Store:
    """Open the store selected by the arguments and environment."""
    return open_store(settings_from_args(args))
