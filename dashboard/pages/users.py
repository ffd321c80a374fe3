"""用户管理 / Users (administrators only): who may use the dashboard, their role and streets.

The same validated changes as ``gridscope users`` (``data/users.py``), written through the
writer store (never the PostGIS reader's connection); each handler checks ``manage_users``
itself, and each change is a ``user_change`` row of the audit trail.
"""

from __future__ import annotations

import streamlit as st

from dashboard.auth import allowed, require, role_label
from dashboard.auth.trail import audit
from dashboard.components import columns as col
from dashboard.components.names import street_names
from dashboard.i18n import t
from dashboard.safe_text import md
from dashboard.state import get_store, get_writer_store
from data.store import StoreReadOnly
from data.users import ROLES, UserError, add_user, list_users, remove_user, set_user, user_record, users_frame

KEY = "users"


def _reason(exc: UserError) -> str:
    """Why a change was refused, in the reader's language (user values escaped for Markdown)."""
    params = {k: md(v) for k, v in exc.params.items() if k != "field"}
    if "field" in exc.params:
        params["field"] = t(f"users_field_{exc.params['field']}")
    return t(f"users_err_{exc.code}", **params)


def _change(kind: str, run) -> None:  # noqa: ANN001 - a callable taking the writer store
    """Run one change through the writer store; say what happened or why not."""
    if not allowed("manage_users", page="users"):
        return
    try:
        before, after = run(get_writer_store())
    except UserError as exc:
        st.error(t("users_invalid", detail=_reason(exc)))
        return
    except StoreReadOnly:
        st.error(t("users_read_only"))
        return
    audit(
        "user_change",
        page="users",
        change=kind,
        before=user_record(before) if before else None,
        after=user_record(after) if after else None,
    )
    st.session_state[f"{KEY}_done"] = t(f"users_done_{kind}", who=md((after or before).subject))
    st.rerun()


def render() -> None:
    """The users table, then the add, change and remove forms."""
    require("manage_users", page="users")
    store = get_store()
    streets = street_names(store)
    st.title(t("users_title"))
    st.caption(t("users_intro"))
    done = st.session_state.pop(f"{KEY}_done", None)
    if done:
        st.success(done)
    users = list_users(store)
    table = users_frame(users).assign(
        role=[role_label(u.role) for u in users],
        streets=["、".join(streets.get(s, s) for s in u.streets) or t("users_whole_district") for u in users],
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=f"{KEY}_table",
        column_config={
            "subject": col.text(t("users_subject")),
            "email": col.text(t("users_email")),
            "display_name": col.text(t("users_name")),
            "role": col.text(t("users_role")),
            "streets": col.text(t("users_streets")),
        },
    )
    add, change = st.tabs([t("users_add"), t("users_change")])
    with add, st.form(f"{KEY}_add_form"):
        c1, c2, c3 = st.columns(3)
        email = c1.text_input(t("users_email"), key=f"{KEY}_add_email")
        subject = c2.text_input(t("users_subject"), key=f"{KEY}_add_subject", help=t("users_subject_help"))
        name = c3.text_input(t("users_name"), key=f"{KEY}_add_name")
        r1, r2 = st.columns([1, 2])
        role = r1.selectbox(t("users_role"), ROLES, format_func=role_label, key=f"{KEY}_add_role")
        chosen = r2.multiselect(t("users_streets"), list(streets), format_func=streets.get, key=f"{KEY}_add_streets")
        if st.form_submit_button(t("users_add_button"), type="primary"):
            _change(
                "add",
                lambda w: (
                    None,
                    add_user(w, role=role, subject=subject, email=email, display_name=name, streets=chosen),
                ),
            )
    with change:
        if not users:
            st.info(t("users_none"))
            return
        by_subject = {u.subject: u for u in users}
        who = st.selectbox(
            t("users_pick"),
            list(by_subject),
            format_func=lambda s: f"{by_subject[s].display_name or by_subject[s].email or s} · {s}",
            key=f"{KEY}_pick",
        )
        current = by_subject[who]
        with st.form(f"{KEY}_set_form"):
            r1, r2 = st.columns([1, 2])
            role = r1.selectbox(
                t("users_role"), ROLES, index=ROLES.index(current.role), format_func=role_label, key=f"{KEY}_set_role"
            )
            chosen = r2.multiselect(
                t("users_streets"),
                list(streets),
                default=[s for s in current.streets if s in streets],
                format_func=streets.get,
                key=f"{KEY}_set_streets_{who}",
            )
            # streets the picker cannot offer (gone since an areas import) are kept, never dropped:
            # dropping the last one would silently widen the user to the whole district
            unseen = [s for s in current.streets if s not in streets]
            if unseen:
                st.caption(t("users_unseen_streets", streets=md("、".join(unseen))))
            if st.form_submit_button(t("users_save"), type="primary"):
                _change("set", lambda w: set_user(w, who, role=role, streets=[*chosen, *unseen]))
        asked = f"{KEY}_remove_asked"
        if st.session_state.get(asked) != who:
            if st.button(t("users_remove"), key=f"{KEY}_remove_{who}", icon=":material/person_remove:"):
                st.session_state[asked] = who
                st.rerun()
            return
        st.warning(t("users_remove_confirm", who=md(current.display_name or current.email or who)))
        yes, no, _ = st.columns([1, 1, 4])
        if yes.button(t("users_remove_yes"), key=f"{KEY}_remove_yes_{who}", type="primary"):
            st.session_state.pop(asked, None)
            _change("remove", lambda w: (remove_user(w, who), None))
        if no.button(t("users_remove_cancel"), key=f"{KEY}_remove_no_{who}"):
            st.session_state.pop(asked, None)
            st.rerun()


render()
