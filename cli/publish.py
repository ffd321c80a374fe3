"""``gridscope publish``: build the published layer (issue 12) from the store.

``gridscope publish [--through DATE] [--db FILE | --dsn DSN] [--out public.duckdb] [--site DIR]``
builds the ``pub_*`` tables with the protection of the ``GRIDSCOPE_PUBLIC_*`` settings
(docs/PUBLISHING.md) and writes them to a separate DuckDB file (DuckDB store, or ``--out``
given) or to the PostGIS schema ``published`` (PostGIS store). ``--site DIR`` also writes
the static site and the open-data downloads.
``gridscope publish tracking-code EVENT_ID`` prints the verification code the hotline gives
the citizen for that case; ``gridscope publish lookup-key`` prints the lookup key the public
server needs (``GRIDSCOPE_PUBLIC_LOOKUP_KEY``): derived from the district's key, it checks
codes against the published digests and cannot make one.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from data.publish import (
    NothingToPublish,
    PublishConfig,
    TrackingKeyMissing,
    build_published,
    lookup_key_text,
    parse_key,
    parse_sensitive,
    verification_code,
    write_duckdb,
)
from queries.settings import setting_value

from .common import add_store_options, settings_from_args, store_from_args, terminal_text

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
"""Wall clock of the stored times; the publication date is today there."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r} / 日期格式应为 YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``publish`` sub-command (and ``publish tracking-code``)."""
    p = sub.add_parser("publish", help="build the published layer: protected aggregates for the public app and site")
    p.add_argument(
        "--through", type=_day, metavar="DATE", help="publish nothing after this day (the lag may cut earlier)"
    )
    p.add_argument("--out", type=Path, help="published DuckDB file (default: $GRIDSCOPE_PUBLIC_DB)")
    p.add_argument("--site", type=Path, metavar="DIR", help="also write the static site and open-data files here")
    add_store_options(p)
    p.set_defaults(func=run)
    inner = p.add_subparsers(dest="publish_command")
    code = inner.add_parser("tracking-code", help="print the verification code of a case for the hotline")
    code.add_argument("event_id", metavar="EVENT_ID")
    code.set_defaults(func=run_code)
    lookup = inner.add_parser(
        "lookup-key", help="print the lookup key for the public server (GRIDSCOPE_PUBLIC_LOOKUP_KEY)"
    )
    lookup.set_defaults(func=run_lookup_key)


def _int_setting(name: str) -> int:
    text = setting_value(name)
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {text!r}") from None


def config_from_settings(through: date | None = None) -> PublishConfig:
    """The publication parameters from the ``GRIDSCOPE_PUBLIC_*`` settings."""
    return PublishConfig(
        min_count=_int_setting("GRIDSCOPE_PUBLIC_MIN_COUNT"),
        lag_days=_int_setting("GRIDSCOPE_PUBLIC_LAG_DAYS"),
        rounding_base=_int_setting("GRIDSCOPE_PUBLIC_ROUNDING"),
        max_res=_int_setting("GRIDSCOPE_PUBLIC_MAX_RES"),
        sensitive=parse_sensitive(setting_value("GRIDSCOPE_PUBLIC_SENSITIVE")),
        through=through,
        tracking_key=parse_key(setting_value("GRIDSCOPE_PUBLIC_TRACKING_KEY")),
        tracking_days=_int_setting("GRIDSCOPE_PUBLIC_TRACKING_DAYS"),
        published_on=datetime.now(LOCAL_ZONE).date(),
    )


def _fail(message: str) -> int:
    print(terminal_text(f"gridscope publish: {message}"), file=sys.stderr)
    return 2


def _district_key() -> bytes:
    """The district's key K from ``GRIDSCOPE_PUBLIC_TRACKING_KEY`` (ValueError: unset or too short)."""
    key = parse_key(setting_value("GRIDSCOPE_PUBLIC_TRACKING_KEY"))
    if key is None:
        raise TrackingKeyMissing()
    return key


def run_code(args: argparse.Namespace) -> int:
    """Print the six-digit verification code of ``EVENT_ID``."""
    try:
        key = _district_key()
    except ValueError as exc:
        return _fail(str(exc))
    print(verification_code(key, args.event_id))
    return 0


def run_lookup_key(args: argparse.Namespace) -> int:
    """Print the lookup key (64 hex digits) the public server gets instead of the district's key."""
    try:
        key = _district_key()
    except ValueError as exc:
        return _fail(str(exc))
    print(lookup_key_text(key))
    return 0


def run(args: argparse.Namespace) -> int:
    """Build and write the published layer; print what was written."""
    try:
        config = config_from_settings(args.through)
    except ValueError as exc:
        return _fail(str(exc))
    settings = settings_from_args(args)
    started = time.perf_counter()
    store = store_from_args(args)
    try:
        try:
            published = build_published(store, config)
        except NothingToPublish as exc:
            return _fail(f"{exc} / 没有可公开的数据")
        if settings.backend == "postgis" and args.out is None:
            from data.publish.postgis import write_postgis

            write_postgis(settings.dsn, published)
            target = "PostGIS schema published"
            out_path = None
        else:
            out = Path(args.out or settings.public_db)
            if settings.backend == "duckdb" and out.resolve() == Path(settings.db_path).resolve():
                return _fail(f"--out {out} is the store itself; choose another file / 输出文件不能是数据库本身")
            try:
                out_path = write_duckdb(published, out)
            except OSError as exc:
                return _fail(f"cannot write {out}: {exc.strerror or exc} / 无法写入 {out}")
            target = str(out_path)
    finally:
        store.close()
    stats = published.tables["pub_stats"]
    shown = int(stats["withheld"].isna().sum())
    print(
        terminal_text(
            f"published through {published.through_date} → {target}: {len(stats):,} figures rows, "
            f"{shown:,} shown, {len(stats) - shown:,} withheld (k = {config.min_count}); "
            f"{len(published.tables['pub_tracking_case']):,} trackable cases "
            f"({time.perf_counter() - started:.1f} s)"
        )
    )
    if not published.tracking_built:
        print(terminal_text(f"tracking not published: {TrackingKeyMissing()}"), file=sys.stderr)
    if args.site is not None:
        return _write_site(out_path, args.site)
    return 0


def _write_site(public_db: Path | None, out_dir: Path) -> int:
    if public_db is None:
        return _fail("--site needs the published DuckDB file: add --out public.duckdb / 生成静态网站需要 --out 文件")
    from dashboard.public.site import write_site

    try:
        write_site(public_db, out_dir)
    except OSError as exc:
        where = exc.filename or out_dir
        return _fail(
            f"cannot write the static site to {where}: {exc.strerror or exc} (the published layer itself "
            f"was written) / 无法写入静态网站 {where}（公开数据已写入）"
        )
    print(terminal_text(f"static site → {out_dir}"))
    return 0
