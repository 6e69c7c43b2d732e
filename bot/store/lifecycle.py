"""Claim status lifecycles: which status may follow which (illegal → refused)."""
from __future__ import annotations

from .errors import IllegalTransition

#: R9 for refunds; docs/STORE.md explains the choices made for the other kinds.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "refund": {
        "submitted": frozenset({"under_review", "withdrawn"}),
        "under_review": frozenset({"receipt_issued", "rejected", "withdrawn"}),
        "receipt_issued": frozenset({"completed"}),
        "completed": frozenset(),
        "rejected": frozenset(),
        "withdrawn": frozenset(),
    },
    "compensation": {
        "submitted": frozenset({"under_review", "withdrawn"}),
        "under_review": frozenset({"approved", "rejected", "withdrawn"}),
        "approved": frozenset({"credited"}),
        "rejected": frozenset(),
        "credited": frozenset(),
        "withdrawn": frozenset(),
    },
    "ticket": {
        "open": frozenset({"in_progress", "closed"}),
        "in_progress": frozenset({"resolved", "closed"}),
        "resolved": frozenset({"closed", "in_progress"}),
        "closed": frozenset(),
    },
}
TRANSITIONS["icp_reward"] = TRANSITIONS["compensation"]

INITIAL = {"refund": "submitted", "compensation": "submitted", "icp_reward": "submitted", "ticket": "open"}


def statuses(kind: str) -> frozenset[str]:
    return frozenset(TRANSITIONS[kind])


#: Kinds that hold what they claim (an order, an incident, an ICP filing) while they stand.
GUARDED_KINDS = ("refund", "compensation", "icp_reward")
#: Final statuses that give the claimed order/incident/filing back: it may be claimed again.
RELEASED = frozenset({"rejected", "withdrawn"})
#: Statuses of a claim that still stands (docs/STORE.md "One standing claim"): every
#: status but the released ones, so a completed refund or a credited compensation
#: blocks a second claim too (it would pay the same thing twice).
STANDING = {kind: statuses(kind) - RELEASED for kind in GUARDED_KINDS}
#: Refund statuses of a request that still stands (a second request for the same
#: order is refused while one of these exists).
OPEN_REFUND = STANDING["refund"]


def holds(kind: str, status: str) -> bool:
    """True while a claim of this kind and status holds its target."""
    return status in STANDING.get(kind, frozenset())


def check(kind: str, current: str, new: str) -> None:
    """Raise IllegalTransition unless `current → new` is in the kind's lifecycle."""
    table = TRANSITIONS[kind]
    if new not in table:
        raise IllegalTransition(f"{new!r} is not a status of a {kind} claim")
    if new not in table[current]:
        allowed = ", ".join(sorted(table[current])) or "none (final status)"
        raise IllegalTransition(f"a {kind} claim cannot go from {current!r} to {new!r}; allowed: {allowed}")
