"""The dashboard's store: opened once per process, demo city built on the first start."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from data.demo import generate_city, load_city
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


def get_store() -> Store:
    """The store the settings select (raises ``StoreUnavailable`` when it cannot be reached)."""
    return _open(current_settings())


def data_now() -> datetime:
    """The reference time for "overdue": the current time, to the minute."""
    return datetime.now().replace(second=0, microsecond=0)
