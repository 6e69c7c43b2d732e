"""Store errors: what a caller (a rasa_sdk action, the CLI) can tell a person."""
from __future__ import annotations

from datetime import datetime


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class NotFound(StoreError):
    """No such customer/order/incident/filing/claim *for this account* (privacy:
    another account's record is reported exactly like a missing one)."""


class IllegalTransition(StoreError):
    """A claim status change that its lifecycle does not allow."""


class LimitReached(StoreError):
    """R3: the refund would take a common customer past the yearly refund limit."""


class TicketLimitReached(StoreError):
    """A guest has opened as many service tickets as allowed in the window, from this
    conversation (`scope="conversation"`) or from this client address (`"client"`)."""

    def __init__(self, message: str, scope: str) -> None:
        super().__init__(message)
        self.scope = scope


class NotEligible(StoreError):
    """The policy decision re-run at filing time does not allow this claim
    (ineligible, or an order already has an open refund request)."""


class ClaimExists(NotEligible):
    """The order, incident or ICP filing already has a standing claim of this
    customer (one standing claim per target, docs/STORE.md). Carries that claim's
    `reference`, `created_at` (aware datetime), `status`, `kind` and `target`."""

    def __init__(self, kind: str, target: str, reference: str, created_at: datetime, status: str) -> None:
        super().__init__(f"already requested: {target} in {reference} ({kind}, {status}, "
                         f"filed {created_at.isoformat()})")
        self.kind = kind
        self.target = target
        self.reference = reference
        self.created_at = created_at
        self.status = status


class StoreUnavailable(StoreError):
    """The database could not be reached or dropped the connection; nothing was
    written (every write is one transaction)."""
