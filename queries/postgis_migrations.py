"""Versioned schema migrations for the PostGIS store.

Each file ``queries/migrations/postgis/NNN_name.sql`` runs once, in its own transaction,
in version order; ``schema_migrations`` records its version, name, checksum and time.
Running :func:`migrate` again applies only files that are new, so ``gridscope db init``
creates a fresh database and upgrades an old one alike. A transaction-level advisory
lock serialises concurrent runs against one database. A file whose text changed after
it was applied is an error: published migrations are never edited, a new file is added.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

MIGRATIONS_DIR = Path(__file__).parent / "migrations" / "postgis"
"""Folder of the ``NNN_name.sql`` files."""

READER_ROLE = "gridscope_reader"
"""The SELECT-only role the dashboard connects as (created by ``003_reader_role.sql``)."""

_LOCK_KEY = 0x6772_6964_7363  # "gridsc": serialises migration runs on one database
_FILE = re.compile(r"^(\d{3})_(\w+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One migration file.

    Parameters
    ----------
    version : the ``NNN`` prefix as an int
    name : the rest of the file name
    path : the file
    """

    version: int
    name: str
    path: Path

    @property
    def text(self) -> str:
        """SQL of the migration."""
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        """SHA-256 of the file text, recorded when applied."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def available_migrations() -> list[Migration]:
    """Return every migration file in version order.

    Raises
    ------
    ValueError
        When two files share a version or a file name does not match ``NNN_name.sql``.
    """
    found: dict[int, Migration] = {}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _FILE.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name} is not named NNN_name.sql")
        version = int(m.group(1))
        if version in found:
            raise ValueError(f"migrations {found[version].path.name} and {path.name} share version {version}")
        found[version] = Migration(version, m.group(2), path)
    return [found[v] for v in sorted(found)]


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())
"""


def applied_versions(conn: psycopg.Connection) -> dict[int, str]:
    """Return ``{version: checksum}`` of migrations recorded in ``conn``'s database."""
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not (exists and exists[0]):
        return {}
    return dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())


def migrate(conn: psycopg.Connection) -> list[Migration]:
    """Apply every migration not yet recorded; return the ones applied now.

    Parameters
    ----------
    conn : an autocommit or idle connection as a role that may create the schema
        (the first migration runs ``CREATE EXTENSION postgis``: a superuser, or the
        database owner once the extension exists)

    Raises
    ------
    RuntimeError
        When an applied migration's file changed since (checksum mismatch).
    """
    done: list[Migration] = []
    for migration in available_migrations():
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            conn.execute(_CREATE_TABLE)
            applied = applied_versions(conn)
            if migration.version in applied:
                if applied[migration.version] != migration.checksum:
                    raise RuntimeError(
                        f"migration {migration.path.name} was changed after it was applied; "
                        "add a new migration file instead of editing a published one"
                    )
                continue
            conn.execute(migration.text)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                [migration.version, migration.name, migration.checksum],
            )
            done.append(migration)
    return done


def pending_migrations(conn: psycopg.Connection) -> list[Migration]:
    """Return the migrations not yet applied to ``conn``'s database."""
    applied = applied_versions(conn)
    return [m for m in available_migrations() if m.version not in applied]


def set_reader_password(conn: psycopg.Connection, password: str) -> None:
    """Set the password of :data:`READER_ROLE` (ALTER ROLE takes no bind parameters;
    the value is quoted as a literal by psycopg)."""
    conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(READER_ROLE), sql.Literal(password)))


def create_database_if_missing(dsn: str) -> bool:
    """Create the database named in ``dsn`` when it does not exist; return True if created.

    Connects to the server's ``postgres`` database with the same credentials.
    """
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    dbname = str(info.get("dbname") or info.get("user") or "postgres")
    admin = psycopg.conninfo.make_conninfo(dsn, dbname="postgres")
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        return True


__all__ = [
    "MIGRATIONS_DIR",
    "READER_ROLE",
    "Migration",
    "applied_versions",
    "available_migrations",
    "create_database_if_missing",
    "migrate",
    "pending_migrations",
    "set_reader_password",
]
