"""Frozen views handed to callers: plain values only (Decimal, aware datetime in
UTC+08:00, str), so nothing outside the store touches a Session."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional


@dataclass(frozen=True)
class CustomerView:
    customer_id: str
    name: str
    tier: str
    currency: str
    accumulated_recharge: Decimal
    icp_reward_received: bool


@dataclass(frozen=True)
class OrderView:
    order_id: str
    resource_id: str
    product: str
    billing: str
    purchased_at: datetime
    amount_paid: Decimal
    resource_state: str
    invoice: str
    daily_cost: Decimal
    unrecoverable_discounts: Decimal
    description: Optional[str] = None


@dataclass(frozen=True)
class IncidentView:
    incident_id: str
    product: str
    scenario: Optional[str]
    cause: str
    started_at: datetime
    rectified_at: Optional[datetime]  # None: the fault is still open
    summary: str
    order_ids: tuple[str, ...]  # this customer's orders it hit (never another's)
    resource_ids: tuple[str, ...]


@dataclass(frozen=True)
class FilingView:
    filing_id: str
    domain: str
    status: str
    first_with_provider: bool
    submitted_at: Optional[datetime]
    approved_at: Optional[datetime]
    customer_delay_days: int
    host_order_id: Optional[str]
    host_resource_id: Optional[str]
    host_subscription: Optional[str]
    host_used_for_website: bool
    host_status: str


@dataclass(frozen=True)
class ClaimEventView:
    at: datetime
    from_status: Optional[str]
    to_status: str
    actor: str
    note: Optional[str]


@dataclass(frozen=True)
class ClaimItemView:
    order_id: str
    decision: str
    amount: Optional[Decimal]


@dataclass(frozen=True)
class ClaimView:
    reference: str
    kind: str
    status: str
    customer_id: Optional[str]
    conversation_id: Optional[str]
    created_at: datetime
    updated_at: datetime
    amount: Optional[Decimal]  # refund_total / compensation / reward_amount
    currency: Optional[str]
    policy_version: Optional[str]
    rules_failed: tuple[str, ...]
    decision: Optional[dict[str, Any]]  # the decision it was filed with
    case: Optional[dict[str, Any]]  # the facts that decision was made on
    items: tuple[ClaimItemView, ...]
    incident_id: Optional[str]
    filing_id: Optional[str]
    topic: Optional[str]
    summary: Optional[str]
    details: dict[str, Any] = field(default_factory=dict)
    history: tuple[ClaimEventView, ...] = ()
