"""Tables of the store (typed declarative classes, SQLAlchemy 1.4 in 2.0 style).

The migration in migrations/versions/ creates exactly these tables; a test
compares the two so they cannot drift apart.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, List, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declarative_base, relationship

from bot.policy import load_policy

from .lifecycle import GUARDED_KINDS
from .types import Money, UTCDateTime

# Vocabularies: the policy's enums are the one source (bot/policy/policy.yaml);
# a change there makes the migration check in tests/store fail until a migration
# follows. Products are the ARCHITECTURE.md identifier vocabulary.
_ENUMS = load_policy().enums
TIERS = _ENUMS["tier"]
PRODUCTS = ("ECS", "EVS", "OBS", "RDS", "CDN", "VPC", "ELB")
BILLING = _ENUMS["billing"]
RESOURCE_STATES = _ENUMS["resource_state"]
INVOICES = _ENUMS["invoice"]
SCENARIOS = _ENUMS["scenario"]
#: C4 excluded causes, plus `platform` (passes) and `unknown` (waits for review).
CAUSES = _ENUMS["cause"]
FILING_STATUSES = _ENUMS["filing_status"]
HOST_STATUSES = _ENUMS["host_status"]
DISCOUNT_KINDS = ("discount", "reward", "coupon")
CLAIM_KINDS = ("refund", "compensation", "icp_reward", "ticket")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING))


def one_of(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """A CHECK that keeps an enum column inside its vocabulary on both databases."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (one_of("tier", TIERS, "tier"),)

    customer_id: Mapped[str] = Column(String(8), primary_key=True)
    name: Mapped[str] = Column(String(120), nullable=False)
    tier: Mapped[str] = Column(String(16), nullable=False)
    currency: Mapped[str] = Column(String(3), nullable=False)
    accumulated_recharge: Mapped[Decimal] = Column(Money(), nullable=False)
    icp_reward_received: Mapped[bool] = Column(Boolean, nullable=False, default=False)

    orders: Mapped[List["Order"]] = relationship("Order", back_populates="customer")


class Order(Base):
    """An order and the one cloud resource it bought (R3 counts either)."""

    __tablename__ = "orders"
    __table_args__ = (
        one_of("product", PRODUCTS, "product"),
        one_of("billing", BILLING, "billing"),
        one_of("resource_state", RESOURCE_STATES, "resource_state"),
        one_of("invoice", INVOICES, "invoice"),
    )

    order_id: Mapped[str] = Column(String(16), primary_key=True)
    customer_id: Mapped[str] = Column(
        String(8), ForeignKey("customers.customer_id", ondelete="CASCADE"), nullable=False, index=True
    )
    resource_id: Mapped[str] = Column(String(16), nullable=False, unique=True)
    product: Mapped[str] = Column(String(8), nullable=False)
    billing: Mapped[str] = Column(String(24), nullable=False)
    purchased_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    amount_paid: Mapped[Decimal] = Column(Money(), nullable=False)
    daily_cost: Mapped[Decimal] = Column(Money(), nullable=False)
    resource_state: Mapped[str] = Column(String(16), nullable=False)
    invoice: Mapped[str] = Column(String(16), nullable=False)
    description: Mapped[Optional[str]] = Column(String(200))

    customer: Mapped[Customer] = relationship("Customer", back_populates="orders")
    discounts: Mapped[List["Discount"]] = relationship(
        "Discount", back_populates="order", cascade="all, delete-orphan", order_by="Discount.id"
    )


class Discount(Base):
    """A discount or reward on an order; R7 deducts the unrecoverable ones."""

    __tablename__ = "discounts"
    __table_args__ = (one_of("kind", DISCOUNT_KINDS, "kind"),)

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = Column(
        String(16), ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = Column(String(16), nullable=False)
    description: Mapped[str] = Column(String(200), nullable=False)
    amount: Mapped[Decimal] = Column(Money(), nullable=False)
    recoverable: Mapped[bool] = Column(Boolean, nullable=False)

    order: Mapped[Order] = relationship("Order", back_populates="discounts")


class Incident(Base):
    """A platform fault record (C1-C5): what broke, when, why; rectified_at NULL = open."""

    __tablename__ = "incidents"
    __table_args__ = (
        one_of("product", PRODUCTS, "product"),
        one_of("scenario", SCENARIOS, "scenario"),
        one_of("cause", CAUSES, "cause"),
    )

    incident_id: Mapped[str] = Column(String(16), primary_key=True)
    product: Mapped[str] = Column(String(8), nullable=False)
    scenario: Mapped[Optional[str]] = Column(String(32))
    cause: Mapped[str] = Column(String(32), nullable=False, default="unknown")
    started_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    rectified_at: Mapped[Optional[datetime]] = Column(UTCDateTime())
    summary: Mapped[str] = Column(String(300), nullable=False)


class IncidentOrder(Base):
    """Which customers' orders an incident hit (scopes incidents to accounts)."""

    __tablename__ = "incident_orders"

    incident_id: Mapped[str] = Column(
        String(16), ForeignKey("incidents.incident_id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[str] = Column(
        String(16), ForeignKey("orders.order_id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IcpFiling(Base):
    """An ICP filing and the host it is for (I1-I9)."""

    __tablename__ = "icp_filings"
    __table_args__ = (
        one_of("status", FILING_STATUSES, "status"),
        one_of("host_status", HOST_STATUSES, "host_status"),
    )

    filing_id: Mapped[str] = Column(String(16), primary_key=True)
    customer_id: Mapped[str] = Column(
        String(8), ForeignKey("customers.customer_id", ondelete="CASCADE"), nullable=False, index=True
    )
    domain: Mapped[str] = Column(String(200), nullable=False)
    first_with_provider: Mapped[bool] = Column(Boolean, nullable=False)
    status: Mapped[str] = Column(String(32), nullable=False)
    submitted_at: Mapped[Optional[datetime]] = Column(UTCDateTime())
    approved_at: Mapped[Optional[datetime]] = Column(UTCDateTime())
    customer_delay_days: Mapped[int] = Column(Integer, nullable=False, default=0)
    host_order_id: Mapped[Optional[str]] = Column(
        String(16), ForeignKey("orders.order_id", ondelete="SET NULL")
    )
    host_used_for_website: Mapped[bool] = Column(Boolean, nullable=False)
    host_status: Mapped[str] = Column(String(32), nullable=False)

    host_order: Mapped[Optional[Order]] = relationship("Order")


class Claim(Base):
    """A refund request, compensation application, ICP reward application or
    service ticket. `owner_key` is the customer id, or `guest:<conversation id>`
    for a guest's ticket; idempotency keys are unique per owner."""

    __tablename__ = "claims"
    __table_args__ = (
        one_of("kind", CLAIM_KINDS, "kind"),
        UniqueConstraint("owner_key", "idempotency_key", name="uq_claims_owner_idempotency"),
        Index("ix_claims_customer_kind_created", "customer_id", "kind", "created_at"),
        Index("ix_claims_kind_client_created", "kind", "client_key", "created_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = Column(String(16), nullable=False, unique=True)
    kind: Mapped[str] = Column(String(16), nullable=False)
    owner_key: Mapped[str] = Column(String(160), nullable=False)
    customer_id: Mapped[Optional[str]] = Column(
        String(8), ForeignKey("customers.customer_id", ondelete="CASCADE")
    )
    conversation_id: Mapped[Optional[str]] = Column(String(128))
    #: A guest ticket's client address, keyed (HMAC, never the address itself): the
    #: per-address ticket limit counts by it (bot.channels.common.address_key).
    client_key: Mapped[Optional[str]] = Column(String(64))
    idempotency_key: Mapped[str] = Column(String(128), nullable=False)
    status: Mapped[str] = Column(String(24), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    case: Mapped[Optional[dict]] = Column(JSON)
    decision: Mapped[Optional[dict]] = Column(JSON)
    rules_failed: Mapped[Optional[list]] = Column(JSON)
    amount: Mapped[Optional[Decimal]] = Column(Money())
    currency: Mapped[Optional[str]] = Column(String(3))
    policy_version: Mapped[Optional[str]] = Column(String(64))
    incident_id: Mapped[Optional[str]] = Column(
        String(16), ForeignKey("incidents.incident_id", ondelete="SET NULL")
    )
    filing_id: Mapped[Optional[str]] = Column(
        String(16), ForeignKey("icp_filings.filing_id", ondelete="SET NULL")
    )
    topic: Mapped[Optional[str]] = Column(String(64))
    summary: Mapped[Optional[str]] = Column(Text)
    details: Mapped[Optional[dict]] = Column(JSON)

    items: Mapped[List["ClaimItem"]] = relationship(
        "ClaimItem", cascade="all, delete-orphan", order_by="ClaimItem.id"
    )
    events: Mapped[List["ClaimEvent"]] = relationship(
        "ClaimEvent", cascade="all, delete-orphan", order_by="ClaimEvent.id"
    )
    guards: Mapped[List["ClaimGuard"]] = relationship("ClaimGuard", cascade="all, delete-orphan")


class ClaimItem(Base):
    """One order a claim covers; a refund request's items are what R3 counts."""

    __tablename__ = "claim_items"

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = Column(
        Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True
    )
    order_id: Mapped[str] = Column(
        String(16), ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False, index=True
    )
    decision: Mapped[str] = Column(String(24), nullable=False)
    amount: Mapped[Optional[Decimal]] = Column(Money())


class ClaimGuard(Base):
    """What a standing claim holds: one row per (customer, kind, target), the target
    being the order (refund, one row per item), the incident (compensation) or the
    ICP filing (ICP reward). The primary key is the guarantee "one standing claim per
    target" on both databases; the row is deleted when its claim is rejected or
    withdrawn (lifecycle.RELEASED), which gives the target back."""

    __tablename__ = "claim_guards"
    __table_args__ = (one_of("kind", GUARDED_KINDS, "kind"),)

    customer_id: Mapped[str] = Column(
        String(8), ForeignKey("customers.customer_id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = Column(String(16), primary_key=True)
    target_id: Mapped[str] = Column(String(16), primary_key=True)
    claim_id: Mapped[int] = Column(
        Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ClaimEvent(Base):
    """Status history: what changed, when, and who or what changed it."""

    __tablename__ = "claim_events"

    id: Mapped[int] = Column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = Column(
        Integer, ForeignKey("claims.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = Column(UTCDateTime(), nullable=False)
    from_status: Mapped[Optional[str]] = Column(String(24))
    to_status: Mapped[str] = Column(String(24), nullable=False)
    actor: Mapped[str] = Column(String(128), nullable=False)
    note: Mapped[Optional[str]] = Column(Text)
