"""Pieces every kind of decision shares: the decision skeleton, `now`, the
combination rule (docs/POLICY_RULES.md, conventions)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from . import parse
from .data import Policy
from .errors import PolicyInputError

ELIGIBLE, INELIGIBLE, UNDETERMINED = "eligible", "ineligible", "undetermined"


def skeleton(case: Mapping[str, Any], kind: str, policy: Policy) -> dict[str, Any]:
    """The contract fields every decision carries, in a stable order."""
    return {
        "id": case.get("id"),
        "kind": kind,
        "decision": None,
        "rules_failed": [],
        "reasons": [],
        "missing": [],
        "waiting_for": [],
        "notes": [],
        "policy_version": policy.version,
    }


def combine(failed: Iterable[str], missing: Iterable[str], waiting: Iterable[str]) -> str:
    """Any failed rule -> ineligible, even with facts missing; otherwise any missing
    fact or awaited event -> undetermined; otherwise eligible."""
    if any(True for _ in failed):
        return INELIGIBLE
    if any(True for _ in missing) or any(True for _ in waiting):
        return UNDETERMINED
    return ELIGIBLE


def required_now(case: Mapping[str, Any]) -> datetime:
    """The decision time. The package never reads a clock: the caller (or the CLI,
    from bot.clock) supplies it."""
    moment = parse.time_(case.get("now"), "now")
    if moment is None:
        raise PolicyInputError("now", "missing: the caller supplies the current time "
                               "(the command line fills it from bot.clock.now())")
    return moment


def not_after_now(moment: datetime, now: datetime, path: str) -> None:
    if moment > now:
        raise PolicyInputError(path, f"{moment.isoformat()} is after now ({now.isoformat()})")
