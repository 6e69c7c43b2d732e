"""Accounts and claims store: see docs/STORE.md and ARCHITECTURE.md "Store"."""
from .errors import (
    ClaimExists,
    IllegalTransition,
    LimitReached,
    NotEligible,
    NotFound,
    StoreError,
    StoreUnavailable,
    TicketLimitReached,
)
from .store import Store
from .views import (
    ClaimEventView,
    ClaimItemView,
    ClaimView,
    CustomerView,
    FilingView,
    IncidentView,
    OrderView,
)

__all__ = [
    "Store",
    "StoreError",
    "NotFound",
    "IllegalTransition",
    "LimitReached",
    "NotEligible",
    "ClaimExists",
    "StoreUnavailable",
    "TicketLimitReached",
    "CustomerView",
    "OrderView",
    "IncidentView",
    "FilingView",
    "ClaimView",
    "ClaimItemView",
    "ClaimEventView",
]
