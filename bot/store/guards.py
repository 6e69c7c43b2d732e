"""One standing claim per target (docs/STORE.md "One standing claim"): a refund holds
each of its orders, a compensation application its incident, an ICP reward
application its filing, from filing until it is rejected or withdrawn.

The `claim_guards` primary key (customer, kind, target) is the guarantee on both
databases; `conflict` is the friendly check made first, inside the filing
transaction under the customer lock, so the customer hears which claim holds it."""
from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import lifecycle
from .errors import ClaimExists
from .models import Claim, ClaimGuard


def targets(claim: Claim) -> list[str]:
    """What this claim holds: its orders, its incident or its filing (may be none)."""
    if claim.kind == "refund":
        return sorted({item.order_id for item in claim.items})
    if claim.kind == "compensation":
        return [claim.incident_id] if claim.incident_id else []
    if claim.kind == "icp_reward":
        return [claim.filing_id] if claim.filing_id else []
    return []


def attach(claim: Claim) -> None:
    """Give a standing claim its guard rows (inserted with the claim)."""
    if claim.customer_id and lifecycle.holds(claim.kind, claim.status):
        claim.guards = [ClaimGuard(customer_id=claim.customer_id, kind=claim.kind, target_id=t)
                        for t in targets(claim)]


def release(claim: Claim) -> None:
    """Drop the guard rows of a claim that no longer stands (rejected, withdrawn)."""
    if not lifecycle.holds(claim.kind, claim.status):
        claim.guards = []


def standing(s: Session, cid: str, kind: str, wanted: Optional[Iterable[str]] = None) -> list[tuple[str, Claim]]:
    """(target, claim) for this customer's standing claims of `kind`, oldest first."""
    query = (select(ClaimGuard.target_id, Claim)
             .join(Claim, Claim.id == ClaimGuard.claim_id)
             .options(selectinload(Claim.items), selectinload(Claim.events))
             .where(ClaimGuard.customer_id == cid, ClaimGuard.kind == kind)
             .order_by(Claim.created_at, ClaimGuard.target_id))
    if wanted is not None:
        query = query.where(ClaimGuard.target_id.in_(list(wanted)))
    return [(target, claim) for target, claim in s.execute(query).all()]


def conflict(s: Session, cid: str, kind: str, wanted: Iterable[str]) -> Optional[ClaimExists]:
    """The error to raise when one of `wanted` is already held, else None."""
    wanted = [t for t in wanted if t]
    if not wanted or kind not in lifecycle.GUARDED_KINDS:
        return None
    held = standing(s, cid, kind, wanted)
    if not held:
        return None
    target, claim = held[0]
    return ClaimExists(kind, target, claim.reference, claim.created_at, claim.status)
