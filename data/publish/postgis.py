"""Write the published tables to the PostGIS schema ``published`` (migration 013).

One transaction replaces every table's rows (TRUNCATE, then COPY): the role
``gridscope_public`` sees the previous publication until the commit, and a failure changes
nothing. Connects with the owner's connection string (``--dsn`` /
``GRIDSCOPE_DSN``), never as the public role, which may only read.
"""

from __future__ import annotations

import psycopg

from data.store import StoreUnavailable

from . import schema
from .build import Published

SCHEMA = "published"
PUBLIC_ROLE = "gridscope_public"


def write_postgis(dsn: str, published: Published) -> None:
    """Replace the rows of ``published.pub_*`` with ``published`` in one transaction."""
    try:
        conn = psycopg.connect(dsn, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"cannot connect to PostGIS to publish: {str(exc).strip()}") from exc
    try:
        _replace(conn, published)
    except psycopg.Error as exc:
        raise StoreUnavailable(
            f"could not write the published schema ({type(exc).__name__}): publish with the owner's "
            "connection string (--dsn), not the reader's or the public role's; nothing was changed"
        ) from exc
    finally:
        conn.close()


def _replace(conn: psycopg.Connection, published: Published) -> None:
    with conn:
        missing = conn.execute("SELECT to_regclass('published.pub_stats') IS NULL").fetchone()
        if missing and missing[0]:
            raise StoreUnavailable("the published schema is missing: run `gridscope db init` (migration 013) first")
        for table in schema.TABLES:
            cols = schema.columns(table)
            frame = published.tables[table][cols]
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            conn.execute(f"TRUNCATE {SCHEMA}.{table}")
            with conn.cursor().copy(f"COPY {SCHEMA}.{table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
