"""GridScope entry point: language switch, backend status, navigation (a router only)."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import can, is_demo_mode
from dashboard.auth.gate import gate, render_demo_banner
from dashboard.auth.trail import begin_page, record_page_view
from dashboard.components import url_state as url
from dashboard.components.url_state import get_choice
from dashboard.i18n import LANGUAGES, keep_choices_across_language, t
from dashboard.page_style import render_page_style
from dashboard.status import render_backend_status, show_store_errors

st.set_page_config(page_title="网格智观 GridScope", page_icon="⬢", layout="wide")


def _pick_language() -> None:
    # Clicking the selected option again reports None: keep the language then.
    if st.session_state.get("lang_picker") in LANGUAGES and st.session_state["lang_picker"] != st.session_state["lang"]:
        keep_choices_across_language()  # before the language changes: the widgets still read the old labels
        st.session_state["lang"] = st.session_state["lang_picker"]


# "lang" is the app's own state (read by i18n); the widget has a key of its own, so the
# language can be set from the URL or a test before the widget exists on any run.
if st.session_state.get("lang") not in LANGUAGES:
    st.session_state["lang"] = get_choice("lang", LANGUAGES, fold_case=True) or LANGUAGES[0]
st.session_state["lang_picker"] = st.session_state["lang"]
st.sidebar.segmented_control(
    t("language"),
    LANGUAGES,
    key="lang_picker",
    on_change=_pick_language,
    format_func={"zh": "中文", "en": "English"}.get,
)
# The address is written once per run, after the page (dashboard/components/url_state.py).
url.begin_run()
url.stage({"lang": st.session_state["lang"]})
render_page_style()  # after the language is known: the uploader strings follow it
st.sidebar.title(t("app_title"))
st.sidebar.caption(t("app_subtitle"))

# Streamlit serves the default page only at "/" (its url_path is reserved, not served):
# "/overview" would open an English "Page not found" dialog. A hidden page answers that
# path and hands over to the default page, with the address's parameters.
OVERVIEW = st.Page(
    "dashboard/pages/overview.py", title=t("nav_overview"), icon=":material/dashboard:", url_path="home", default=True
)


def _overview_path() -> None:
    st.switch_page(OVERVIEW, query_params=st.query_params.to_dict())


PAGES = [
    OVERVIEW,
    st.Page(
        "dashboard/pages/hotspots.py",
        title=t("nav_hotspots"),
        icon=":material/local_fire_department:",
        url_path="hotspots",
    ),
    st.Page("dashboard/pages/chain.py", title=t("nav_chain"), icon=":material/account_tree:", url_path="chain"),
    st.Page("dashboard/pages/trends.py", title=t("nav_trends"), icon=":material/trending_up:", url_path="trends"),
    st.Page("dashboard/pages/sensors.py", title=t("nav_sensors"), icon=":material/sensors:", url_path="sensors"),
    st.Page("dashboard/pages/event.py", title=t("nav_event"), icon=":material/search:", url_path="event"),
    st.Page("dashboard/pages/weekly.py", title=t("nav_weekly"), icon=":material/event_note:", url_path="weekly"),
    st.Page(_overview_path, title=t("nav_overview"), url_path="overview", visibility="hidden"),
]
# (page, the right it needs): a page a role may not use is not in its navigation at all
# (dashboard/auth; the page itself refuses too).
RESTRICTED = [
    (
        st.Page(
            "dashboard/pages/data_import.py", title=t("import_nav"), icon=":material/upload_file:", url_path="import"
        ),
        "import",
    ),
    (
        st.Page("dashboard/pages/audit.py", title=t("nav_audit"), icon=":material/history:", url_path="audit"),
        "view_audit",
    ),
    (
        st.Page("dashboard/pages/users.py", title=t("nav_users"), icon=":material/group:", url_path="users"),
        "manage_users",
    ),
]
# Sign-in (dashboard/auth/gate.py): a refused configuration, the sign-in page or the
# no-access page stops the run here (answering every page's address with itself, no menu);
# nothing below (the navigation, store reads) runs for them.
user = None
with show_store_errors():
    user = gate([p.url_path for p in PAGES] + [p.url_path for p, _ in RESTRICTED])
if user is None:
    st.stop()
page = st.navigation(PAGES + [p for p, right in RESTRICTED if can(user, right)])
with show_store_errors():
    if is_demo_mode():
        render_demo_banner()
    render_backend_status()
    begin_page(page.url_path)
    page.run()
url.flush()
with show_store_errors():
    record_page_view(page.url_path, st.query_params.to_dict())  # once per page and address (全程留痕)
