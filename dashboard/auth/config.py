"""How the dashboard signs people in, from ``GRIDSCOPE_AUTH`` and ``[auth]`` in the secrets.

``GRIDSCOPE_AUTH``:

* ``demo`` (default): sign-in through the OIDC provider configured in
  ``.streamlit/secrets.toml`` (``[auth]``: ``redirect_uri``, ``cookie_secret``,
  ``client_id``, ``client_secret``, ``server_metadata_url``); without one, the explicit demo
  mode (no sign-in; every page says so).
* ``required``: sign-in is mandatory; without a provider the dashboard refuses to start.

An ``[auth]`` section that is there but incomplete is refused in both modes (someone meant to
turn sign-in on). A refusal is a clear message, never a traceback: the app shows it instead
of any page, and ``python -m dashboard.auth.preflight`` (run by ``scripts/run.sh`` before the
server starts) prints it and exits with status 2.
"""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MODES: tuple[str, ...] = ("demo", "required")
"""Values of ``GRIDSCOPE_AUTH``."""

TOP_KEYS: tuple[str, ...] = ("redirect_uri", "cookie_secret")
"""Keys ``[auth]`` itself needs."""

PROVIDER_KEYS: tuple[str, ...] = ("client_id", "client_secret", "server_metadata_url")
"""Keys of the provider: in ``[auth]`` (the default provider) or one ``[auth.NAME]`` table."""

MIN_COOKIE_SECRET = 32
"""Shortest ``cookie_secret`` accepted: Streamlit signs the identity cookie with it, so a short
or example value would let anyone forge a sign-in."""

LOOPBACK: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
"""Addresses only this machine reaches: demo mode (no sign-in, everyone an administrator) is
served on these unless ``GRIDSCOPE_AUTH=demo`` is set on purpose."""


def weak_cookie_secret(value: object) -> bool:
    """True for a ``cookie_secret`` that must not sign cookies: shorter than
    :data:`MIN_COOKIE_SECRET` or the example's ``change-me`` placeholder.

    >>> weak_cookie_secret("change-me-to-64-random-hex-characters"), weak_cookie_secret("9f" * 32)
    (True, False)
    """
    text = str(value or "").strip()
    return len(text) < MIN_COOKIE_SECRET or text.lower().startswith("change-me")


def open_demo(mode_set: str | None, address: str | None) -> bool:
    """True when demo mode would be served beyond this machine without being asked for:
    ``address`` (the server's, ``None``/empty = Streamlit's default, every interface) is not
    a loopback address and ``GRIDSCOPE_AUTH`` was not set to ``demo`` explicitly (``mode_set``)."""
    return (mode_set or "").strip().lower() != "demo" and (address or "").strip().lower() not in LOOPBACK


@dataclass(frozen=True)
class AuthConfig:
    """The resolved sign-in configuration.

    ``kind``: ``demo`` (no sign-in), ``signin`` (``st.login(provider)``; ``provider`` ``None``
    = the default provider in ``[auth]``) or ``refused`` (the app must not start; ``problem``
    is a locale key and ``detail`` its ``{detail}``)."""

    kind: str
    provider: str | None = None
    problem: str = ""
    detail: str = ""


def _authlib_installed() -> bool:
    return importlib.util.find_spec("authlib") is not None


def resolve(mode: str, auth: Mapping[str, object] | None, authlib: bool | None = None) -> AuthConfig:
    """The configuration for setting ``mode`` and the secrets' ``[auth]`` section ``auth``.

    >>> resolve("demo", None).kind, resolve("required", None).problem
    ('demo', 'auth_refused_no_provider')
    """
    mode = (mode or "demo").strip().lower()
    if mode not in MODES:
        return AuthConfig("refused", problem="auth_refused_mode", detail=mode)
    if not auth:
        return AuthConfig("demo") if mode == "demo" else AuthConfig("refused", problem="auth_refused_no_provider")
    missing = [k for k in TOP_KEYS if not auth.get(k)]
    provider: str | None = None
    if not all(auth.get(k) for k in PROVIDER_KEYS):
        named = sorted(
            name
            for name, table in auth.items()
            if isinstance(table, Mapping) and "_" not in name and all(table.get(k) for k in PROVIDER_KEYS)
        )
        if named:
            provider = named[0]
        else:
            missing += [k for k in PROVIDER_KEYS if not auth.get(k)]
    if missing:
        return AuthConfig("refused", problem="auth_refused_incomplete", detail=", ".join(missing))
    if weak_cookie_secret(auth.get("cookie_secret")):
        return AuthConfig("refused", problem="auth_refused_cookie_secret", detail=str(MIN_COOKIE_SECRET))
    if not (_authlib_installed() if authlib is None else authlib):
        return AuthConfig("refused", problem="auth_refused_authlib")
    return AuthConfig("signin", provider=provider)


def secrets_files(root: Path | None = None) -> list[Path]:
    """Streamlit's default secrets files: ``~/.streamlit/secrets.toml``, then the project's
    ``.streamlit/secrets.toml`` (the later one wins, as in Streamlit)."""
    return [Path.home() / ".streamlit" / "secrets.toml", (root or Path.cwd()) / ".streamlit" / "secrets.toml"]


def read_secrets(files: list[Path]) -> dict[str, object]:
    """The secrets merged from ``files`` (missing files skipped; a later file's keys win,
    ``[auth]`` merged key by key)."""
    merged: dict[str, object] = {}
    for path in files:
        if path.is_file():
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            auth = {**dict(merged.get("auth") or {}), **dict(data.get("auth") or {})}  # type: ignore[call-overload]
            merged.update(data)
            if auth:
                merged["auth"] = auth
    return merged


def refusal_text(config: AuthConfig, lang: str = "en") -> str:
    """The refusal's message in ``lang`` (from ``dashboard/locales/auth.toml``)."""
    from dashboard.i18n import all_strings

    entry = all_strings()[config.problem]
    return entry.get(lang, entry["en"]).format(detail=config.detail)
