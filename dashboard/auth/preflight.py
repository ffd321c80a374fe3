"""``python -m dashboard.auth.preflight``: check the sign-in configuration before the server
starts (``scripts/run.sh``): exit 0 when it may start, else print why (zh and en) and exit 2."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping

from dashboard.auth.config import read_secrets, refusal_text, resolve, secrets_files


def main() -> int:
    """Check the sign-in configuration before the server starts: 0 when it may start, else
    the message (zh and en) on stderr and 2."""
    try:
        secrets = read_secrets(secrets_files())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"gridscope: .streamlit/secrets.toml cannot be read: {exc}", file=sys.stderr)
        return 2
    mode = os.environ.get("GRIDSCOPE_AUTH", str(secrets.get("GRIDSCOPE_AUTH", "demo")))
    auth = secrets.get("auth")
    config = resolve(mode, auth if isinstance(auth, Mapping) else None)
    if config.kind == "refused":
        print(f"gridscope: {refusal_text(config, 'zh')}\ngridscope: {refusal_text(config, 'en')}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
