"""The Store facade (ARCHITECTURE.md "Store"): synchronous, one engine per process,
a session per call, every write one transaction, every lookup scoped to its owner."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot import clock

from . import cases, guards, lifecycle, refs
from .engine import Sessions, database_url, downgrade, get_engine, upgrade
from .errors import LimitReached, NotEligible, NotFound, StoreError, TicketLimitReached
from .models import Claim, ClaimEvent, ClaimItem, IcpFiling, Incident, IncidentOrder, Order
from .types import to_money
from .views import (
    ClaimEventView,
    ClaimItemView,
    ClaimView,
    CustomerView,
    FilingView,
    IncidentView,
    OrderView,
)

_migrated: set[str] = set()
_migrate_lock = threading.Lock()
FILED_KINDS = ("refund", "compensation", "icp_reward")
MAX_KEY = 128
#: Guest ticket limits count the tickets opened within this rolling window.
GUEST_TICKET_WINDOW = timedelta(hours=24)


def _decide(case: dict[str, Any]) -> dict[str, Any]:
    from bot.policy import decide  # imported late: bot.policy is a sibling package

    return decide(case)


def _policy_version() -> str:
    from bot.policy import load_policy

    return str(load_policy().version)


class Store:
    """Accounts, orders, incidents, ICP filings and claims."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = Sessions(get_engine(url))

    @classmethod
    def from_env(cls) -> "Store":
        """DATABASE_URL, default the SQLite file var/assurance.db. A SQLite database
        is created and migrated on first use; PostgreSQL is migrated explicitly
        (`python -m bot.store migrate`), never by a replica starting up."""
        store = cls(database_url())
        if store.is_sqlite:
            store.ensure_migrated()
        return store

    @property
    def is_sqlite(self) -> bool:
        return self._db.is_sqlite

    # --- schema -----------------------------------------------------------
    def migrate(self, revision: str = "head") -> None:
        """alembic upgrade (head by default)."""
        upgrade(self.url, revision)
        with _migrate_lock:
            _migrated.add(self.url)

    def downgrade(self, revision: str = "base") -> None:
        """alembic downgrade (to an empty database by default)."""
        downgrade(self.url, revision)
        with _migrate_lock:
            _migrated.discard(self.url)

    def ensure_migrated(self) -> None:
        """Migrate once per process and URL (cheap after the first call)."""
        with _migrate_lock:
            if self.url in _migrated:
                return
        self.migrate()

    # --- reads ------------------------------------------------------------
    def customer(self, cid: str) -> Optional[CustomerView]:
        with self._db.read() as s:
            try:
                c = cases.get_customer(s, cid)
            except NotFound:
                return None
            return CustomerView(c.customer_id, c.name, c.tier, c.currency,
                                c.accumulated_recharge, c.icp_reward_received)

    def orders(self, cid: str) -> list[OrderView]:
        with self._db.read() as s:
            query = (
                select(Order)
                .options(selectinload(Order.discounts))
                .where(Order.customer_id == cases.norm_cid(cid))
                .order_by(Order.purchased_at.desc(), Order.order_id)
            )
            return [_order_view(o) for o in s.execute(query).scalars()]

    def find_order(self, cid: str, order_or_resource_id: str) -> Optional[OrderView]:
        with self._db.read() as s:
            order = cases.owned_order(s, cid, order_or_resource_id)
            return _order_view(order) if order else None

    def incidents(self, cid: str) -> list[IncidentView]:
        """Platform incidents that hit this customer's resources (and only theirs)."""
        with self._db.read() as s:
            rows = s.execute(
                select(Incident, Order.order_id, Order.resource_id)
                .join(IncidentOrder, IncidentOrder.incident_id == Incident.incident_id)
                .join(Order, Order.order_id == IncidentOrder.order_id)
                .where(Order.customer_id == cases.norm_cid(cid))
                .order_by(Incident.started_at.desc(), Incident.incident_id, Order.order_id)
            ).all()
        grouped: dict[str, tuple[Incident, list[str], list[str]]] = {}
        for incident, order_id, resource_id in rows:
            entry = grouped.setdefault(incident.incident_id, (incident, [], []))
            entry[1].append(order_id)
            entry[2].append(resource_id)
        return [
            IncidentView(i.incident_id, i.product, i.scenario, i.cause, i.started_at, i.rectified_at,
                         i.summary, tuple(o), tuple(r))
            for i, o, r in grouped.values()
        ]

    def filings(self, cid: str) -> list[FilingView]:
        with self._db.read() as s:
            return [_filing_view(f) for f in cases.filings_of(s, cid)]

    # --- policy cases -----------------------------------------------------
    def refund_case(self, cid: str, ids: Sequence[str], now: Optional[datetime] = None) -> dict[str, Any]:
        """The policy's refund case for these orders/resources of this customer."""
        with self._db.read() as s:
            return cases.build_refund_case(s, cid, ids, now or clock.now())

    def compensation_case(self, cid: str, incident_id: Optional[str] = None, order_id: Optional[str] = None,
                          now: Optional[datetime] = None, **facts: Any) -> dict[str, Any]:
        """The policy's compensation case: the incident record's scenario, cause
        and times, the order's daily cost; `facts` fill only what no record holds."""
        with self._db.read() as s:
            return cases.build_compensation_case(s, cid, incident_id, order_id, now or clock.now(), facts)

    def icp_case(self, cid: str, filing_id: Optional[str] = None, now: Optional[datetime] = None) -> dict[str, Any]:
        with self._db.read() as s:
            return cases.build_icp_case(s, cid, filing_id, now or clock.now())

    # --- claims -----------------------------------------------------------
    def claims(self, cid: Optional[str], kind: Optional[str] = None, *,
               conversation_id: Optional[str] = None) -> list[ClaimView]:
        """The owner's claims, newest first (a guest's tickets by conversation id)."""
        owner = _owner(cid, conversation_id)
        with self._db.read() as s:
            query = _claim_query().where(Claim.owner_key == owner)
            if kind is not None:
                query = query.where(Claim.kind == kind)
            query = query.order_by(Claim.created_at.desc(), Claim.id.desc())
            return [_claim_view(c) for c in s.execute(query).scalars()]

    def claim(self, cid: Optional[str], reference: str, *,
              conversation_id: Optional[str] = None) -> Optional[ClaimView]:
        """One claim of this owner; another account's reference reads as absent."""
        owner = _owner(cid, conversation_id)
        ref = refs.normalize(reference)
        if ref is None:
            return None
        with self._db.read() as s:
            found = s.execute(
                _claim_query().where(Claim.owner_key == owner, Claim.reference == ref)
            ).scalar_one_or_none()
            return _claim_view(found) if found else None

    def submit_claim(self, cid: str, kind: str, case: dict[str, Any], decision: dict[str, Any],
                     idempotency_key: str, details: Optional[dict[str, Any]] = None) -> ClaimView:
        """File a refund request, compensation or ICP reward application.

        One transaction: lock the customer row, return the claim already filed under
        this idempotency key if any, rebuild the case from stored facts at the
        current time, re-run the policy (R3 counted under the lock), then insert the
        claim, its items and its first history row together."""
        if kind not in FILED_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FILED_KINDS)} (tickets: open_ticket)")
        key = _key(idempotency_key)
        if not isinstance(case, dict) or not isinstance(decision, dict):
            raise TypeError("case and decision must be the dicts the policy module uses")
        details = dict(details or {})
        conversation_id = _conversation(details.get("conversation_id"))
        owner = cases.norm_cid(cid)
        wanted: list[str] = []

        def write(s: Session) -> Claim:
            customer = cases.get_customer(s, cid, lock=True)
            existing = _by_key(s, owner, key)
            if existing is not None:
                return _same_kind(existing, kind)
            now = clock.now()
            fresh_case, fresh, filing_id = _redecide(s, customer.customer_id, kind, case, details, now)
            # after the re-run (an ineligible compensation / ICP reward says why), before
            # the refund items (a standing request is named, not the R3 count it feeds)
            wanted[:] = _wanted_targets(s, customer.customer_id, kind, case, details)
            held = guards.conflict(s, customer.customer_id, kind, wanted)
            if held is not None:
                raise held  # one standing claim per order / incident / filing
            claim = Claim(kind=kind, owner_key=owner, customer_id=customer.customer_id,
                          conversation_id=conversation_id, idempotency_key=key,
                          status=lifecycle.INITIAL[kind], created_at=now, updated_at=now,
                          case=fresh_case, decision=fresh, rules_failed=list(fresh.get("rules_failed", [])),
                          currency=customer.currency, policy_version=_policy_version(), details=details)
            if kind == "refund":
                items = _refund_items(s, customer.customer_id, decision, fresh)
                claim.items = items
                claim.amount = _refund_amount(items, fresh)
            elif kind == "compensation":
                claim.amount = _amount(fresh.get("compensation"))
                claim.incident_id = _upper(details.get("incident_id"))
                if details.get("order_id"):
                    order = cases.owned_order(s, customer.customer_id, details["order_id"])
                    claim.items = [ClaimItem(order_id=order.order_id, decision=fresh["decision"],
                                             amount=claim.amount)] if order else []
            else:
                claim.amount = _amount(fresh.get("reward_amount"))
                claim.filing_id = filing_id
            guards.attach(claim)
            return _insert(s, claim, f"customer:{customer.customer_id}", "filed by the assistant", now)

        return self._write_claim(write, owner, key, kind,
                                 held=lambda s: guards.conflict(s, owner, kind, wanted))

    def submit_guest_claim(self, conversation_id: str, kind: str, case: dict[str, Any], decision: dict[str, Any],
                           idempotency_key: str, *, currency: str = "CNY", client_key: Optional[str] = None,
                           max_per_conversation: Optional[int] = None, max_per_client: Optional[int] = None,
                           window: timedelta = GUEST_TICKET_WINDOW) -> ClaimView:
        """A guest's refund request or compensation application, filed from what the
        guest stated (no account is read: the case and decision are the check's own).

        It is owned by the conversation, holds no order or incident (nothing can be
        verified yet) and is marked `unverified` in its details: staff match it to the
        account the customer names when they sign in or call. It counts against the
        same guest limits as tickets (per conversation and per client address)."""
        if kind not in ("refund", "compensation"):
            raise ValueError("a guest can file a refund request or a compensation application")
        if not isinstance(case, dict) or not isinstance(decision, dict):
            raise TypeError("case and decision must be the dicts the policy module uses")
        owner = _owner(None, conversation_id)
        conversation_id = _conversation(conversation_id) or conversation_id  # _owner checked it
        key = _key(idempotency_key)
        if client_key is not None and (not isinstance(client_key, str) or not 1 <= len(client_key) <= 64):
            raise ValueError("client_key must be a string of 1 to 64 characters")
        amount = _guest_refund_amount(decision) if kind == "refund" else _amount(decision.get("compensation"))

        def write(s: Session) -> Claim:
            existing = _by_key(s, owner, key)
            if existing is not None:
                return _same_kind(existing, kind)
            now = clock.now()
            _check_guest_ticket_limits(s, owner, client_key, now - window, max_per_conversation, max_per_client)
            claim = Claim(kind=kind, owner_key=owner, customer_id=None, conversation_id=conversation_id,
                          idempotency_key=key, client_key=client_key, status=lifecycle.INITIAL[kind],
                          created_at=now, updated_at=now, case=case, decision=decision,
                          rules_failed=list(decision.get("rules_failed", [])), amount=amount,
                          currency=str(currency).upper()[:3],
                          policy_version=_policy_version(),
                          details={"conversation_id": conversation_id, "unverified": True})
            return _insert(s, claim, f"guest:{conversation_id}", "filed by the assistant for a guest", now)

        return self._write_claim(write, owner, key, kind)

    def open_ticket(self, cid: Optional[str], conversation_id: Optional[str], topic: str, summary: str,
                    idempotency_key: str, *, client_key: Optional[str] = None,
                    max_per_conversation: Optional[int] = None, max_per_client: Optional[int] = None,
                    window: timedelta = GUEST_TICKET_WINDOW) -> ClaimView:
        """A service ticket (handoff, H1). A guest's ticket has no customer and is
        owned by its conversation id.

        A guest (no `cid`) may open at most `max_per_conversation` tickets from this
        conversation and `max_per_client` from this `client_key` (the keyed client
        address the channel saw) within `window`; past either, TicketLimitReached.
        None means no such limit; a signed-in customer's tickets are never limited here.
        """
        owner = _owner(cid, conversation_id)
        conversation_id = _conversation(conversation_id)
        key = _key(idempotency_key)
        if not isinstance(topic, str) or not topic.strip() or len(topic) > 64:
            raise ValueError("topic must be a non-empty string of at most 64 characters")
        if not isinstance(summary, str) or len(summary) > 4000:
            raise ValueError("summary must be a string of at most 4000 characters")
        if client_key is not None and (not isinstance(client_key, str) or not 1 <= len(client_key) <= 64):
            raise ValueError("client_key must be a string of 1 to 64 characters")

        def write(s: Session) -> Claim:
            customer_id = cases.get_customer(s, cid, lock=True).customer_id if cid else None
            existing = _by_key(s, owner, key)
            if existing is not None:
                return _same_kind(existing, "ticket")
            now = clock.now()
            if customer_id is None:
                _check_guest_ticket_limits(s, owner, client_key, now - window,
                                           max_per_conversation, max_per_client)
            claim = Claim(kind="ticket", owner_key=owner, customer_id=customer_id,
                          conversation_id=conversation_id, idempotency_key=key,
                          client_key=client_key if customer_id is None else None,
                          status=lifecycle.INITIAL["ticket"], created_at=now, updated_at=now,
                          topic=topic.strip(), summary=summary, details={}, rules_failed=[])
            actor = f"customer:{customer_id}" if customer_id else f"guest:{conversation_id}"
            return _insert(s, claim, actor, "handoff requested", now)

        return self._write_claim(write, owner, key, "ticket")

    def transition(self, cid: Optional[str], reference: str, new_status: str, actor: str, *,
                   note: Optional[str] = None, conversation_id: Optional[str] = None) -> ClaimView:
        """Move a claim along its lifecycle (lifecycle.py); illegal moves raise
        IllegalTransition, another owner's claim NotFound."""
        owner = _owner(cid, conversation_id)
        ref = refs.normalize(reference)
        if ref is None:
            raise NotFound(f"no claim {reference!r}")
        if not isinstance(actor, str) or not actor.strip():
            raise ValueError("actor must say who or what changes the status")
        with self._db.write() as s:
            claim = s.execute(
                _claim_query().where(Claim.owner_key == owner, Claim.reference == ref).with_for_update()
            ).scalar_one_or_none()
            if claim is None:
                raise NotFound(f"no claim {reference!r} for this account")
            lifecycle.check(claim.kind, claim.status, new_status)
            now = clock.now()
            claim.events.append(ClaimEvent(at=now, from_status=claim.status, to_status=new_status,
                                           actor=actor.strip()[:128], note=note))
            claim.status = new_status
            claim.updated_at = now
            guards.release(claim)  # rejected / withdrawn: the target may be claimed again
            if claim.kind == "icp_reward" and new_status == "credited" and claim.customer_id:
                cases.get_customer(s, claim.customer_id).icp_reward_received = True  # I5
            s.flush()
            return _claim_view(claim)

    def open_claims(self, cid: str, kind: str) -> dict[str, ClaimView]:
        """This customer's standing claims of `kind` (refund, compensation, icp_reward)
        by what each holds: order id, incident id or ICP filing id. None of these
        targets can be claimed again until its claim is rejected or withdrawn."""
        if kind not in lifecycle.GUARDED_KINDS:
            raise ValueError(f"kind must be one of {', '.join(lifecycle.GUARDED_KINDS)}")
        with self._db.read() as s:
            return {t: _claim_view(c) for t, c in guards.standing(s, cases.norm_cid(cid), kind)}

    def open_claim(self, cid: str, kind: str, target: Optional[str] = None) -> Optional[ClaimView]:
        """The standing claim holding `target` (an ICP reward without a filing id:
        the filing `icp_case` would pick), or None."""
        with self._db.read() as s:
            owner = cases.norm_cid(cid)
            if kind == "icp_reward" and not target:
                target = _chosen_filing(s, owner)
            wanted = _upper(target)
            if kind not in lifecycle.GUARDED_KINDS or not wanted:
                return None
            held = guards.standing(s, owner, kind, [wanted])
            return _claim_view(held[0][1]) if held else None

    # --- internals --------------------------------------------------------
    def _write_claim(self, write: Callable[[Session], Claim], owner: str, key: str, kind: str,
                     held: Optional[Callable[[Session], Optional[StoreError]]] = None) -> ClaimView:
        try:
            with self._db.write() as s:
                return _claim_view(write(s))
        except IntegrityError:
            # A concurrent twin won the unique (owner, idempotency key) race, or
            # (without the customer lock) another claim took the target first.
            with self._db.read() as s:
                existing = _by_key(s, owner, key)
                if existing is not None:
                    return _claim_view(_same_kind(existing, kind))
                error = held(s) if held else None
            if error is not None:
                raise error from None
            raise

# --- helpers ---------------------------------------------------------------
def _redecide(s: Session, cid: str, kind: str, case: dict[str, Any], details: dict[str, Any],
              now: datetime) -> tuple[dict[str, Any], dict[str, Any], Optional[str]]:
    """Rebuild the case from the store at `now` and decide it again; returns the
    case, the decision and (ICP) the filing it is about."""
    filing_id: Optional[str] = None
    if kind == "refund":
        # ids as stored (strings; anything else is NotFound in build_refund_case)
        ids: list[Any] = [item.get("id") for item in case.get("items") or [] if isinstance(item, dict)]
        if not ids:
            raise NotEligible("a refund request needs at least one order or resource")
        fresh_case = cases.build_refund_case(s, cid, ids, now)
    elif kind == "compensation":
        typed = {k: case[k] for k in cases.COMPENSATION_FACTS if case.get(k) is not None}
        fresh_case = cases.build_compensation_case(
            s, cid, details.get("incident_id"), details.get("order_id"), now, typed)
    else:
        fresh_case = cases.build_icp_case(s, cid, details.get("filing_id"), now)
        filing_id = _upper(details.get("filing_id")) or _chosen_filing(s, cid)
    fresh = _decide(fresh_case)
    if kind != "refund" and fresh.get("decision") == "ineligible":
        raise NotEligible(_reasons(fresh))
    return fresh_case, fresh, filing_id


def _wanted_targets(s: Session, cid: str, kind: str, case: dict[str, Any], details: dict[str, Any]) -> list[str]:
    """What the claim being filed would hold (guards.targets before it exists)."""
    if kind == "refund":
        ids = [item.get("id") for item in case.get("items") or [] if isinstance(item, dict)]
        orders = [cases.owned_order(s, cid, i) for i in ids if isinstance(i, str)]
        return sorted({o.order_id for o in orders if o is not None})
    if kind == "compensation":
        return [t for t in [_upper(details.get("incident_id"))] if t]
    return [t for t in [_upper(details.get("filing_id")) or _chosen_filing(s, cid)] if t]


def _guest_refund_amount(decision: dict[str, Any]) -> Optional[Decimal]:
    """What a guest's refund request would pay back: its item's amount when the
    stated facts give one (a qualified yes has no refund total yet), else None."""
    amounts = [_amount(i.get("refund_amount")) for i in decision.get("items") or [] if isinstance(i, dict)]
    known = [a for a in amounts if a is not None]
    return sum(known, Decimal("0")) if known else None


def _check_guest_ticket_limits(s: Session, owner: str, client_key: Optional[str], since: datetime,
                               max_per_conversation: Optional[int], max_per_client: Optional[int]) -> None:
    """Raise TicketLimitReached when this guest ticket (or guest claim: they count
    together) would be one too many. On
    PostgreSQL a transaction-scoped advisory lock per client makes concurrent
    conversations of one client count one after another (SQLite writes are serial)."""
    if client_key is not None and max_per_client is not None and s.bind.dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"ticket-client:{client_key}"))))
    guest_tickets = (select(func.count()).select_from(Claim)
                     .where(Claim.customer_id.is_(None), Claim.created_at >= since))
    if max_per_conversation is not None:
        count = s.execute(guest_tickets.where(Claim.owner_key == owner)).scalar_one()
        if count >= max_per_conversation:
            raise TicketLimitReached(
                f"this conversation already opened {count} tickets (limit {max_per_conversation})",
                "conversation")
    if client_key is not None and max_per_client is not None:
        count = s.execute(guest_tickets.where(Claim.client_key == client_key)).scalar_one()
        if count >= max_per_client:
            raise TicketLimitReached(
                f"this client already opened {count} tickets (limit {max_per_client})", "client")


def _owner(cid: Optional[str], conversation_id: Optional[str]) -> str:
    if cid:
        return cases.norm_cid(cid)
    if isinstance(conversation_id, str) and conversation_id.strip():
        return f"guest:{_conversation(conversation_id)}"
    raise ValueError("a customer id or, for a guest, a conversation id is needed")


def _conversation(conversation_id: Any) -> Optional[str]:
    """A conversation id as stored (Rasa sender ids are short strings)."""
    if conversation_id is None:
        return None
    if not isinstance(conversation_id, str) or not conversation_id.strip() or len(conversation_id) > 128:
        raise ValueError("conversation_id must be a non-empty string of at most 128 characters")
    return conversation_id.strip()


def _key(idempotency_key: str) -> str:
    if not isinstance(idempotency_key, str) or not idempotency_key.strip() or len(idempotency_key) > MAX_KEY:
        raise ValueError(f"idempotency_key must be a non-empty string of at most {MAX_KEY} characters")
    return idempotency_key.strip()


def _upper(value: Any) -> Optional[str]:
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _amount(value: Any) -> Optional[Decimal]:
    return None if value is None else to_money(value)


def _reasons(decision: dict[str, Any]) -> str:
    reasons = decision.get("reasons") or []
    rules = ", ".join(decision.get("rules_failed") or [])
    return f"not eligible ({rules}): " + " ".join(str(r) for r in reasons)


def _chosen_filing(s: Session, cid: str) -> Optional[str]:
    filing = cases.pick_filing(cases.filings_of(s, cid))
    return filing.filing_id if filing else None


def _by_key(s: Session, owner: str, key: str) -> Optional[Claim]:
    return s.execute(
        _claim_query().where(Claim.owner_key == owner, Claim.idempotency_key == key)
    ).scalar_one_or_none()


def _same_kind(existing: Claim, kind: str) -> Claim:
    if existing.kind != kind:
        raise ValueError(f"idempotency key already used for {existing.reference} ({existing.kind})")
    return existing


def _eligible_items(decision: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(i.get("id")): i for i in decision.get("items") or [] if i.get("decision") == "eligible"}


def _refund_items(s: Session, cid: str, shown: dict[str, Any], fresh: dict[str, Any]) -> list[ClaimItem]:
    """The items the customer was told are eligible and still are under the lock.
    One lost to R3 → LimitReached; lost otherwise → NotEligible."""
    was, now_ok = _eligible_items(shown), _eligible_items(fresh)
    fresh_by_id = {str(i.get("id")): i for i in fresh.get("items") or []}
    lost = [i for i in was if i not in now_ok]
    if any("R3" in (fresh_by_id.get(i, {}).get("rules_failed") or []) for i in lost):
        raise LimitReached(f"the yearly refund limit (R3) is reached: {_reasons(fresh)}")
    if lost:
        raise NotEligible(f"no longer eligible: {', '.join(lost)}: {_reasons(fresh)}")
    if not was:
        if "R3" in (fresh.get("rules_failed") or []):
            raise LimitReached(f"the yearly refund limit (R3) is reached: {_reasons(fresh)}")
        raise NotEligible(_reasons(fresh))
    # an order already in a standing request: guards.conflict, before the re-decision
    return [ClaimItem(order_id=i, decision="eligible", amount=_amount(now_ok[i].get("refund_amount")))
            for i in was]


def _refund_amount(items: list[ClaimItem], fresh: dict[str, Any]) -> Optional[Decimal]:
    if len(items) == len(_eligible_items(fresh)) and fresh.get("refund_total") is not None:
        return to_money(fresh["refund_total"])
    return to_money(sum((i.amount or Decimal("0") for i in items), Decimal("0")))


def _insert(s: Session, claim: Claim, actor: str, note: str, now: datetime) -> Claim:
    """Give the claim an unused reference and its first history row, then insert."""
    while True:
        reference = refs.new_reference(claim.kind)
        if s.execute(select(Claim.id).where(Claim.reference == reference)).first() is None:
            break
    claim.reference = reference
    claim.events = [ClaimEvent(at=now, from_status=None, to_status=claim.status, actor=actor, note=note)]
    s.add(claim)
    s.flush()
    return claim


def _claim_query() -> Any:
    return select(Claim).options(selectinload(Claim.items), selectinload(Claim.events))


def _order_view(o: Order) -> OrderView:
    return OrderView(o.order_id, o.resource_id, o.product, o.billing, o.purchased_at, o.amount_paid,
                     o.resource_state, o.invoice, o.daily_cost, cases.unrecoverable(o), o.description)


def _filing_view(f: IcpFiling) -> FilingView:
    host = f.host_order
    return FilingView(f.filing_id, f.domain, f.status, f.first_with_provider, f.submitted_at, f.approved_at,
                      f.customer_delay_days, f.host_order_id, host.resource_id if host else None,
                      host.billing if host else None, f.host_used_for_website, f.host_status)


def _claim_view(c: Claim) -> ClaimView:
    return ClaimView(
        reference=c.reference, kind=c.kind, status=c.status, customer_id=c.customer_id,
        conversation_id=c.conversation_id, created_at=c.created_at, updated_at=c.updated_at,
        amount=c.amount, currency=c.currency, policy_version=c.policy_version,
        rules_failed=tuple(c.rules_failed or ()), decision=c.decision, case=c.case,
        items=tuple(ClaimItemView(i.order_id, i.decision, i.amount) for i in c.items),
        incident_id=c.incident_id, filing_id=c.filing_id, topic=c.topic, summary=c.summary,
        details=dict(c.details or {}),
        history=tuple(ClaimEventView(e.at, e.from_status, e.to_status, e.actor, e.note) for e in c.events),
    )
