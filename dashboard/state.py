"""The dashboard's store: opened once per process, demo city built on the first start."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import streamlit as st

from data.demo import generate_city, load_city
from data.store import StoreReadOnly
from queries import Settings, Store, load_settings, open_store

from .i18n import t


def current_settings() -> Settings:
    """Settings from the environment, then ``.streamlit/secrets.toml``."""
    try:
        secrets = dict(st.secrets)
    except (FileNotFoundError, OSError):  # no secrets file: environment only
        secrets = {}
    except Exception:  # noqa: BLE001 - a malformed secrets file must not take the page down
        secrets = {}
    return load_settings(secrets)


@st.cache_resource(show_spinner=False)
def _open(settings: Settings) -> Store:
    store = open_store(settings)
    if settings.backend == "duckdb" and store.get_meta("generated_at") is None and not store.table_counts()["events"]:
        with st.spinner(t("building_demo")):
            load_city(store, generate_city(settings.demo_size))
    return store


def get_base_store() -> Store:
    """The store the settings select, unscoped (raises ``StoreUnavailable`` when it cannot be
    reached). For sign-in and the audit trail only; pages read :func:`get_store`."""
    return _open(current_settings())


@st.cache_resource(show_spinner=False)
def _scoped(settings: Settings, streets: tuple[str, ...]) -> Store:
    from queries.scoped_store import scoped_store

    return scoped_store(_open(settings), streets)


class NoAccess(PermissionError):  # noqa: N818 - pairs with StoreReadOnly
    """Nobody with access is signed in (the gate in ``dashboard/auth/gate.py`` shows the page)."""


def get_store() -> Store:
    """The store of the current user: for a user scoped to streets, the scoped store
    (``queries/scoped_store.py``: every named query answers with those streets only), else
    the whole store. Raises ``NoAccess`` when nobody with access is signed in, and
    ``StoreUnavailable`` when the store cannot be reached."""
    from .auth import current_user

    user = current_user()
    if user is None:
        raise NoAccess("no signed-in user with access")
    settings = current_settings()
    return _scoped(settings, user.streets) if user.streets else _open(settings)


def get_writer_store() -> Store:
    """The store SLA edits and imports write to. DuckDB: the dashboard's own store. PostGIS:
    a separate connection from ``GRIDSCOPE_WRITER_DSN``, never the reader's; without that
    setting writes are refused (``StoreReadOnly``, which the pages say as "read-only")."""
    settings = current_settings()
    if settings.backend != "postgis":
        return _open(settings)
    if not settings.writer_dsn:
        raise StoreReadOnly("no writer connection is configured (GRIDSCOPE_WRITER_DSN); the dashboard reads only")
    return _open(replace(settings, dsn=settings.writer_dsn))


NOW_STEP_MINUTES = 5
""""Now" moves in steps of this many minutes: every session asks the same questions (and shares
their cached answers) within a step; overdue counts are at most this many minutes old."""


def data_now() -> datetime:
    """The reference time for "overdue": the current time, down to :data:`NOW_STEP_MINUTES`."""
    now = datetime.now()
    return now.replace(minute=now.minute - now.minute % NOW_STEP_MINUTES, second=0, microsecond=0)
