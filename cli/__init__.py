"""The ``gridscope`` command: one sub-command module each (demo, db, import, brief, ...).

Each module in :data:`COMMANDS` exposes ``register(subparsers)``, which adds its parser
and sets ``func``; ``func(args) -> int`` runs it. The same settings (``GRIDSCOPE_DB``,
``GRIDSCOPE_DSN``) apply as in the dashboard; ``--db`` / ``--dsn`` override them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS: tuple[str, ...] = (
    "cli.demo",
    "cli.db",
    "cli.importer",
    "cli.brief",
    "cli.export",
    "cli.rollup",
    "cli.users",
    "cli.audit",
    "cli.publish",
)
"""Modules that register sub-commands."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="gridscope", description="GridScope (网格智观) command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gridscope`` console script."""
    args = build_parser().parse_args(argv)
    from data.store import StoreUnavailable

    try:
        return int(args.func(args) or 0)
    except StoreUnavailable as exc:
        from .common import terminal_text

        print(terminal_text(f"gridscope: {exc}"), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
