"""GridScope entry point: language switch, backend status, navigation (a router only)."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import LANGUAGES, t
from dashboard.status import render_backend_status, show_store_errors

st.set_page_config(page_title="网格智观 GridScope", page_icon="⬢", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = st.query_params.get("lang", LANGUAGES[0])
st.sidebar.segmented_control(
    t("language"), LANGUAGES, key="lang", format_func={"zh": "中文", "en": "English"}.get,
)
if st.session_state.get("lang") is None:  # clicking the selected option clears it
    st.session_state["lang"] = LANGUAGES[0]
st.query_params["lang"] = st.session_state["lang"]
st.sidebar.title(t("app_title"))
st.sidebar.caption(t("app_subtitle"))

PAGES = [
    st.Page("dashboard/pages/overview.py", title=t("nav_overview"), icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("dashboard/pages/hotspots.py", title=t("nav_hotspots"), icon=":material/local_fire_department:", url_path="hotspots"),
    st.Page("dashboard/pages/chain.py", title=t("nav_chain"), icon=":material/account_tree:", url_path="chain"),
    st.Page("dashboard/pages/trends.py", title=t("nav_trends"), icon=":material/trending_up:", url_path="trends"),
    st.Page("dashboard/pages/sensors.py", title=t("nav_sensors"), icon=":material/sensors:", url_path="sensors"),
    st.Page("dashboard/pages/data_import.py", title=t("import_nav"), icon=":material/upload_file:", url_path="import"),
]
page = st.navigation(PAGES)
with show_store_errors():
    render_backend_status()
    page.run()
