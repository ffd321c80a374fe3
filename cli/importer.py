"""``gridscope import events|areas|readings|categories FILE``: bring a district's own data in.

Prints a progress bar while reading and, at the end, the reconciliation (rows read =
stored + rejected) with the reject reasons; rejected rows are in ``import_rejects``
under the printed batch id. ``gridscope import mappings`` lists the preset mappings.

``gridscope import status`` lists the recent import batches and their state; an import
that was killed part-way shows as ``interrupted`` (with the chunks and rows it had
committed), is named before every new import, and re-running the same file completes it
(``data/ingest/batches.py``). A failed first import leaves no store file behind.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from tqdm import tqdm

from data.contracts import AREA_LEVELS
from data.ingest import (
    ImportFileError,
    import_areas,
    import_categories,
    import_events,
    import_readings,
)
from data.ingest.mappings import (
    MappingError,
    detect_mapping,
    list_mappings,
    load_mapping,
)
from data.ingest.readers import ReadError, open_source
from data.ingest.timeformats import DATE_ORDERS
from data.store import Store

from .common import (
    add_store_options,
    import_store,
    settings_from_args,
    store_from_args,
    terminal_text,
)

CRS_HELP = (
    "coordinate system of the file: wgs84, gcj02 (AMap/Tencent), bd09 (Baidu) or EPSG:nnnn "
    "(default: the file's, else wgs84)"
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``import`` sub-command and its ``events``, ``areas``, ``readings``, ``categories``, ``mappings``."""
    p = sub.add_parser("import", help="import events, areas, sensor readings or categories (SLAs) from a file")
    kinds = p.add_subparsers(dest="kind", required=True)
    for kind, text in (
        ("events", "events / complaints (CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile, Parquet)"),
        ("areas", "area polygons: replaces the district's areas and re-assigns events"),
        ("readings", "sensor readings (sensor id, time, value; new sensors need lon/lat)"),
    ):
        k = kinds.add_parser(kind, help=text)
        k.add_argument("file", type=Path, help="the file to import")
        k.add_argument(
            "--mapping",
            help=f"preset name ({', '.join(list_mappings())}) or a mapping TOML file; "
            "default: the preset matching the most columns",
        )
        k.add_argument("--crs", help=CRS_HELP)
        k.add_argument("--batch-id", help="id of this import in import_rejects (default: table, file and time)")
        if kind == "areas":
            k.add_argument(
                "--level",
                choices=AREA_LEVELS,
                help="level of every area when the file has no level column (default: grid)",
            )
        else:
            k.add_argument("--chunk-rows", type=int, default=250_000, help="rows read at a time (memory bound)")
            k.add_argument(
                "--date-order",
                choices=DATE_ORDERS,
                help="month, day or year first, for dates like 03/04/2024 whose order the file cannot "
                "tell (default: the mapping's date_order, else detected)",
            )
        if kind == "events":
            k.add_argument(
                "--check-all",
                action="store_true",
                help="check every row again, also rows stored exactly as the file has them "
                "(by default those are counted unchanged without checking them again)",
            )
        add_store_options(k)
        k.set_defaults(func=run)
    c = kinds.add_parser(
        "categories",
        help="event categories with their SLA hours (code, names, department, "
        "response and close hours): sets the real SLAs",
    )
    c.add_argument("file", type=Path, help="the CSV or XLSX file to import")
    c.add_argument("--mapping", help="preset name (default: categories) or a mapping TOML file")
    c.add_argument("--batch-id", help="id of this import in import_rejects (default: table, file and time)")
    add_store_options(c)
    c.set_defaults(func=run, crs=None, chunk_rows=250_000)
    m = kinds.add_parser("mappings", help="list the preset column mappings")
    m.set_defaults(func=list_presets)
    st = kinds.add_parser("status", help="recent import batches: finished, stopped, failed or interrupted")
    st.add_argument("--limit", type=int, default=20, help="batches to list, newest first (default: 20)")
    add_store_options(st)
    st.set_defaults(func=show_status)


def show_status(args: argparse.Namespace) -> int:
    """Print the newest batches, one line each, and how many did not finish."""
    from data.ingest.batches import list_batches

    settings = settings_from_args(args)
    if settings.backend == "duckdb" and not Path(settings.db_path).exists():
        print(f"no store at {settings.db_path}: nothing imported yet")
        return 0
    store = store_from_args(args)
    try:
        batches = list_batches(store, args.limit)
    finally:
        store.close()
    if not batches:
        print("no imports recorded")
    for batch in batches:
        print(terminal_text(batch.describe()))
    unfinished = [b for b in batches if b.unfinished]
    if unfinished:
        print(f"{len(unfinished)} import(s) did not finish: re-run the same file to complete the batch")
    return 0


def _note_unfinished(store: Store) -> None:
    """Before an import: name the earlier imports that did not finish (stderr)."""
    from data.ingest.batches import unfinished_batches

    unfinished = unfinished_batches(store)
    if unfinished:
        print(
            "gridscope import: earlier imports that did not finish (re-run the same file to complete one):",
            file=sys.stderr,
        )
        for batch in unfinished[:10]:
            print(terminal_text(f"  {batch.describe()}"), file=sys.stderr)


def list_presets(args: argparse.Namespace) -> int:
    """Print every preset with its table and title."""
    for name in list_mappings():
        mapping = load_mapping(name)
        print(f"{name:10} {mapping.table:9} {mapping.title}")
    return 0


def _mapping_arg(args: argparse.Namespace) -> object:
    """``--mapping`` as given, or (with ``--date-order``) that mapping, or the detected one, with the order set."""
    order = getattr(args, "date_order", None)
    if not order:
        return args.mapping
    try:
        mapping = (
            load_mapping(args.mapping)
            if args.mapping
            else detect_mapping(open_source(args.file).info.columns, args.kind)
        )
    except (MappingError, ReadError) as exc:
        raise ImportFileError(str(exc)) from exc
    return dataclasses.replace(mapping, date_order=order)


def run(args: argparse.Namespace) -> int:
    """Run one import with a progress bar; print the reconciliation. Exit 1 if nothing could be read."""
    try:
        with (
            import_store(args) as store,
            tqdm(desc=f"import {args.kind}", unit="row", unit_scale=True, file=sys.stderr) as bar,
        ):
            _note_unfinished(store)

            def progress(done: int, total: int | None) -> None:
                if total and bar.total != total:
                    bar.total = total
                bar.update(done - bar.n)

            common = {"mapping": _mapping_arg(args), "crs": args.crs, "batch_id": args.batch_id, "progress": progress}
            if args.kind == "events":
                report = import_events(store, args.file, chunk_rows=args.chunk_rows, check_all=args.check_all, **common)
            elif args.kind == "readings":
                report = import_readings(store, args.file, chunk_rows=args.chunk_rows, **common)
            elif args.kind == "categories":
                common.pop("crs")
                report = import_categories(store, args.file, **common)
            else:
                report = import_areas(store, args.file, level=args.level, **common)
    except ImportFileError as exc:
        print(terminal_text(f"gridscope import: {exc}"), file=sys.stderr)
        return 1
    print(terminal_text("\n".join(report.lines())))
    if report.error:
        return 3
    return 0 if report.reconciled else 4
