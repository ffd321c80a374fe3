"""Options and store opening shared by sub-commands."""

from __future__ import annotations

import argparse
import contextlib
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from data.ingest import ImportFileError
from data.store import Store
from queries import Settings, load_settings, open_store

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_text(text: object) -> str:
    r"""``text`` safe to print: control characters shown as escapes (``\x1b``), so a name from
    an imported file cannot retitle or clear the terminal or plant a hyperlink; tabs and
    line breaks are kept.

    >>> terminal_text("a\x1b]0;t\x07b")
    'a\\x1b]0;t\\x07b'
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


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


def duckdb_files(path: Path) -> list[Path]:
    """The DuckDB file and its write-ahead log."""
    return [path, path.with_name(path.name + ".wal")]


@contextlib.contextmanager
def import_store(args: argparse.Namespace) -> Iterator[Store]:
    """The store an import writes to: checkpointed and closed afterwards.

    When the import raises :class:`~data.ingest.importer.ImportFileError` (unreadable file, no
    usable columns: nothing was written) and opening created a new DuckDB file, the file
    and the folders made for it are removed again: a failed first import leaves no empty
    store behind for the dashboard to open.
    """
    settings = settings_from_args(args)
    path = Path(settings.db_path)
    fresh = settings.backend == "duckdb" and not path.exists()
    made = [p for p in path.parents if not p.exists()] if fresh else []
    store = open_store(settings)
    try:
        yield store
    except ImportFileError:
        store.close()
        if fresh:
            for file in duckdb_files(path):
                file.unlink(missing_ok=True)
            for folder in made:  # innermost first
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    except BaseException:
        store.close()
        raise
    else:
        store.checkpoint()
        store.close()
