"""Environment for endpoints.scale.yml.

Rasa expands ``${VAR}`` in endpoint files and refuses to start when one is unset,
so this module is the one place that knows the variables and their local
defaults. ``python -m bot.scaleout.env`` prints ``export`` lines for the ones not
already set, e.g. ``eval "$(python -m bot.scaleout.env)"``.
"""
from __future__ import annotations

import os
import shlex
from typing import Mapping
from urllib.parse import urlsplit

DEFAULTS: dict[str, str] = {
    "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook",
    "TRACKER_STORE_URL": "postgresql+psycopg2://postgres@127.0.0.1:5432/assurance",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "0",
    "REDIS_KEY_PREFIX": "assurance",
    # Rasa's ticket lock lifetime (s): how long a crashed replica's lock can block
    # a conversation before the survivor may serve it (docs/SCALEOUT.md).
    "TICKET_LOCK_LIFETIME": "60",
}


def redis_parts(url: str) -> dict[str, str]:
    """Split ``redis://host:port/db`` into the lock store's host/port/db variables."""
    parts = urlsplit(url)
    db = (parts.path or "/0").lstrip("/") or "0"
    return {
        "REDIS_HOST": parts.hostname or "127.0.0.1",
        "REDIS_PORT": str(parts.port or 6379),
        "REDIS_DB": db,
    }


def scale_env(overrides: Mapping[str, str] | None = None,
              base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables endpoints.scale.yml needs: ``overrides`` > ``base`` env > defaults."""
    base = os.environ if base is None else base
    env = {k: base.get(k, v) for k, v in DEFAULTS.items()}
    env.update(overrides or {})
    prefix = env["REDIS_KEY_PREFIX"]
    if not prefix.isalnum():
        # Rasa silently ignores a non-alphanumeric prefix; fail loudly instead.
        raise ValueError(f"REDIS_KEY_PREFIX must be letters/digits only, got {prefix!r}")
    return env


def main() -> None:
    """Print export lines for every variable that is not already set."""
    for key, value in scale_env().items():
        if key not in os.environ:
            print(f"export {key}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
