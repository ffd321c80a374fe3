"""``python -m dashboard.auth.preflight [streamlit options]``: check the sign-in configuration
before the server starts (``scripts/run.sh``, ``scripts/replicas.sh``): exit 0 when it may
start, else print why (zh and en) and exit 2.

Besides :func:`~dashboard.auth.config.resolve`'s refusals, demo mode (no sign-in, everyone an
administrator) is refused on an address other machines reach (``--server.address`` among the
options, else ``STREAMLIT_SERVER_ADDRESS``; Streamlit's default is every interface) unless
``GRIDSCOPE_AUTH=demo`` is set on purpose."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping

from dashboard.auth.config import AuthConfig, open_demo, read_secrets, refusal_text, resolve, secrets_files


def server_address(argv: list[str]) -> str | None:
    """The address the server will listen on: ``--server.address`` in ``argv``, else
    ``STREAMLIT_SERVER_ADDRESS``, else ``server.address`` of ``.streamlit/config.toml``, else
    ``None`` (Streamlit's default: every interface).

    >>> server_address(["--server.port", "8600", "--server.address=0.0.0.0"])
    '0.0.0.0'
    """
    for i, arg in enumerate(argv):
        if arg.startswith("--server.address="):
            return arg.split("=", 1)[1]
        if arg == "--server.address" and i + 1 < len(argv):
            return argv[i + 1]
    if os.environ.get("STREAMLIT_SERVER_ADDRESS"):
        return os.environ["STREAMLIT_SERVER_ADDRESS"]
    try:
        with open(".streamlit/config.toml", "rb") as fh:
            address = tomllib.load(fh).get("server", {}).get("address")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return str(address) if address else None


def main(argv: list[str] | None = None) -> int:
    """Check the sign-in configuration before the server starts: 0 when it may start, else
    the message (zh and en) on stderr and 2."""
    try:
        secrets = read_secrets(secrets_files())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"gridscope: .streamlit/secrets.toml cannot be read: {exc}", file=sys.stderr)
        return 2
    chosen = os.environ.get("GRIDSCOPE_AUTH", secrets.get("GRIDSCOPE_AUTH"))
    mode = str(chosen or "demo")
    auth = secrets.get("auth")
    config = resolve(mode, auth if isinstance(auth, Mapping) else None)
    address = server_address(sys.argv[1:] if argv is None else argv)
    if config.kind == "demo" and open_demo(str(chosen or ""), address):
        config = AuthConfig("refused", problem="auth_refused_open_demo", detail=address or "*")
    if config.kind == "refused":
        print(f"gridscope: {refusal_text(config, 'zh')}\ngridscope: {refusal_text(config, 'en')}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
