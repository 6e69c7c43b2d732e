"""The one clock: every reader of "now" comes here, so ASSURANCE_NOW can pin it."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

#: China Standard Time, the zone the published policy counts days and hours in.
CST = timezone(timedelta(hours=8), "UTC+08:00")

ENV_VAR = "ASSURANCE_NOW"


class ClockError(ValueError):
    """ASSURANCE_NOW is set but is not an ISO 8601 time with an offset."""


def parse_pinned(value: str) -> datetime:
    """Parse an ASSURANCE_NOW value; an offset is required (no guessing a zone)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ClockError(f"{ENV_VAR}={value!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ClockError(f"{ENV_VAR}={value!r} has no UTC offset")
    return moment


def now() -> datetime:
    """The current instant in UTC+08:00, or the pinned ASSURANCE_NOW instant."""
    pinned = os.environ.get(ENV_VAR)
    if pinned:
        return parse_pinned(pinned).astimezone(CST)
    return datetime.now(CST)
