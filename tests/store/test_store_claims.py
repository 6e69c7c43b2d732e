"""Claims: filing (policy re-run, R3, idempotency), lifecycles, history, privacy,
tickets, and no half claim when the database drops mid-write."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from bot.policy import decide, load_policy
from bot.store import IllegalTransition, LimitReached, NotEligible, NotFound, Store, StoreUnavailable
from bot.store.models import Claim, ClaimEvent, ClaimItem
from bot.store.refs import PATTERN, normalize

from store_helpers import eligible_refund_orders, file_refund, refund_limit


def _count(store: Store, model) -> int:
    with store._db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_refund_claim_keeps_decision_amount_policy_version_and_history(demo: Store, pinned_now: datetime) -> None:
    order_id = eligible_refund_orders(demo, "C1001")[0]
    claim = file_refund(demo, "C1001", [order_id], "conv-1:refund:1")
    assert PATTERN.match(claim.reference) and claim.reference.startswith("RF-")
    assert claim.kind == "refund" and claim.status == "submitted" and claim.customer_id == "C1001"
    assert claim.policy_version == str(load_policy().version)
    assert claim.decision["decision"] == "eligible" and claim.rules_failed == ()
    assert claim.amount == demo.find_order("C1001", order_id).amount_paid - demo.find_order(
        "C1001", order_id).unrecoverable_discounts  # R7
    assert [i.order_id for i in claim.items] == [order_id]
    assert claim.case["items"][0]["id"] == order_id
    assert claim.created_at == pinned_now
    (first,) = claim.history
    assert (first.from_status, first.to_status, first.actor) == (None, "submitted", "customer:C1001")
    assert demo.claim("C1001", claim.reference) == claim
    assert demo.claims("C1001", "refund") == [claim]


def test_refunds_this_year_counts_filed_items(demo: Store) -> None:
    orders = eligible_refund_orders(demo, "C1001")
    before = demo.refund_case("C1001", orders)["customer"]["refunds_this_year"]
    file_refund(demo, "C1001", orders[:1], "k1")
    assert demo.refund_case("C1001", orders)["customer"]["refunds_this_year"] == before + 1


def test_double_submission_returns_the_same_claim(demo: Store) -> None:
    order_id = eligible_refund_orders(demo, "C1001")[0]
    first = file_refund(demo, "C1001", [order_id], "same-key")
    again = file_refund(demo, "C1001", [order_id], "same-key")
    assert again.reference == first.reference
    assert len(demo.claims("C1001", "refund")) == 1
    with pytest.raises(ValueError, match="idempotency key"):
        demo.open_ticket("C1001", "conv", "refund", "help", "same-key")


def test_second_request_for_the_same_order_is_refused(demo: Store) -> None:
    order_id = eligible_refund_orders(demo, "C1001")[0]
    first = file_refund(demo, "C1001", [order_id], "a")
    with pytest.raises(NotEligible, match=first.reference):
        file_refund(demo, "C1001", [order_id], "b")


def test_ineligible_refund_is_not_filed(demo: Store) -> None:
    pay_per_use = [o.order_id for o in demo.orders("C1001") if o.billing == "pay_per_use"]
    case = demo.refund_case("C1001", pay_per_use)
    with pytest.raises(NotEligible, match="R5"):
        demo.submit_claim("C1001", "refund", case, decide(case), "k")
    assert demo.claims("C1001") == []


def test_limit_reached_for_the_customer_with_a_full_year(demo: Store) -> None:
    # C1003 has filed refund_limit refunds this year (seed): R3 blocks the next one.
    fresh = [o.order_id for o in demo.orders("C1003") if o.description == "bought yesterday"]
    case = demo.refund_case("C1003", fresh)
    assert case["customer"]["refunds_this_year"] == refund_limit()
    decision = decide(case)
    assert "R3" in decision["rules_failed"]
    with pytest.raises(LimitReached):
        demo.submit_claim("C1003", "refund", case, decision, "k")


def test_stale_eligible_decision_hits_the_limit_inside_the_transaction(demo: Store) -> None:
    # The customer was told "eligible" before the count moved: the re-run decides.
    fresh = [o.order_id for o in demo.orders("C1003") if o.description == "bought yesterday"]
    case = demo.refund_case("C1003", fresh)
    case["customer"]["refunds_this_year"] = 0
    shown = decide(case)
    assert shown["decision"] == "eligible"
    with pytest.raises(LimitReached):
        demo.submit_claim("C1003", "refund", case, shown, "k")
    assert demo.claims("C1003", "refund") and all(c.reference.startswith("RF-DEM") for c in demo.claims("C1003"))


def test_submitting_another_accounts_order_is_refused(demo: Store) -> None:
    theirs = eligible_refund_orders(demo, "C1001")[0]
    forged = demo.refund_case("C1001", [theirs])
    with pytest.raises(NotFound):
        demo.submit_claim("C1002", "refund", forged, decide(forged), "k")
    with pytest.raises(NotFound):
        demo.submit_claim("C9999", "refund", forged, decide(forged), "k")


def test_a_customer_never_reads_another_customers_claim(demo: Store) -> None:
    claim = file_refund(demo, "C1001", eligible_refund_orders(demo, "C1001")[:1], "k")
    assert demo.claim("C1002", claim.reference) is None
    assert demo.claim("C1002", claim.reference.lower()) is None
    assert demo.claims("C1002") == []
    with pytest.raises(NotFound):
        demo.transition("C1002", claim.reference, "withdrawn", "customer:C1002")
    assert demo.claim(None, claim.reference, conversation_id="conv-x") is None
    with pytest.raises(ValueError):
        demo.claim(None, claim.reference)  # no owner at all: refused, never "any owner"
    assert demo.claim("C1001", claim.reference).status == "submitted"


def test_reference_normalisation_for_spoken_or_typed_references() -> None:
    assert normalize("rf 7kq2m9") == "RF-7KQ2M9"
    assert normalize("RF-7KQ2MO") == "RF-7KQ2M0"  # O read as zero
    assert normalize("XX-7KQ2M9") is None and normalize("RF-7KQ2") is None and normalize(None) is None


def test_refund_lifecycle_r9_and_history(demo: Store) -> None:
    claim = file_refund(demo, "C1001", eligible_refund_orders(demo, "C1001")[:1], "k")
    for status in ("under_review", "receipt_issued", "completed"):
        claim = demo.transition("C1001", claim.reference, status, "reviewer:ops-7", note=f"to {status}")
    assert [(e.from_status, e.to_status) for e in claim.history] == [
        (None, "submitted"), ("submitted", "under_review"), ("under_review", "receipt_issued"),
        ("receipt_issued", "completed")]
    assert claim.history[-1].actor == "reviewer:ops-7" and claim.history[-1].note == "to completed"
    with pytest.raises(IllegalTransition):
        demo.transition("C1001", claim.reference, "withdrawn", "customer:C1001")  # completed is final
    assert demo.claim("C1001", claim.reference).status == "completed"


@pytest.mark.parametrize("path, illegal", [
    ((), "completed"),                       # submitted → completed skips R9's review and receipt
    ((), "receipt_issued"),
    (("under_review", "rejected"), "under_review"),
    (("withdrawn",), "submitted"),
    ((), "approved"),                        # not a refund status at all
])
def test_illegal_refund_transitions_are_refused(demo: Store, path: tuple, illegal: str) -> None:
    claim = file_refund(demo, "C1001", eligible_refund_orders(demo, "C1001")[:1], "k")
    for status in path:
        demo.transition("C1001", claim.reference, status, "ops")
    with pytest.raises(IllegalTransition):
        demo.transition("C1001", claim.reference, illegal, "ops")
    assert len(demo.claim("C1001", claim.reference).history) == 1 + len(path)


def test_compensation_claim_from_the_incident_record(demo: Store) -> None:
    incident = [i for i in demo.incidents("C1001") if i.cause == "platform" and i.scenario == "service_unavailable"][0]
    case = demo.compensation_case("C1001", incident_id=incident.incident_id)
    decision = decide(case)
    assert decision["decision"] == "eligible"
    claim = demo.submit_claim("C1001", "compensation", case, decision, "comp-1",
                              details={"incident_id": incident.incident_id})
    assert claim.reference.startswith("CP-") and claim.incident_id == incident.incident_id
    assert str(claim.amount) == decision["compensation"]
    for status in ("under_review", "approved", "credited"):
        claim = demo.transition("C1001", claim.reference, status, "finance")
    with pytest.raises(IllegalTransition):
        demo.transition("C1001", claim.reference, "rejected", "finance")


def test_excluded_cause_compensation_is_not_filed(demo: Store) -> None:
    incident = [i for i in demo.incidents("C1001") if i.cause == "carrier_fault"][0]
    case = demo.compensation_case("C1001", incident_id=incident.incident_id)
    with pytest.raises(NotEligible, match="C4"):
        demo.submit_claim("C1001", "compensation", case, decide(case), "k",
                          details={"incident_id": incident.incident_id})


def test_icp_reward_claim_and_credit_marks_reward_received(demo: Store) -> None:
    case = demo.icp_case("C1001")
    decision = decide(case)
    assert decision["decision"] == "eligible"
    claim = demo.submit_claim("C1001", "icp_reward", case, decision, "icp-1")
    assert claim.reference.startswith("IR-") and claim.filing_id == demo.filings("C1001")[0].filing_id
    for status in ("under_review", "approved", "credited"):
        demo.transition("C1001", claim.reference, status, "finance")
    assert demo.customer("C1001").icp_reward_received is True  # I5: once per account
    with pytest.raises(NotEligible, match="I5"):
        case = demo.icp_case("C1001")
        demo.submit_claim("C1001", "icp_reward", case, decide(case), "icp-2")


def test_guest_ticket_scoped_by_conversation(demo: Store) -> None:
    ticket = demo.open_ticket(None, "conv-guest-1", "refund", "wants a person", "handoff-1")
    assert ticket.reference.startswith("TK-") and ticket.customer_id is None and ticket.status == "open"
    assert demo.open_ticket(None, "conv-guest-1", "refund", "again", "handoff-1").reference == ticket.reference
    assert demo.claim(None, ticket.reference, conversation_id="conv-guest-1") == ticket
    assert demo.claim(None, ticket.reference, conversation_id="conv-guest-2") is None
    assert demo.claim("C1001", ticket.reference) is None
    assert demo.claims(None, conversation_id="conv-guest-2") == []
    moved = demo.transition(None, ticket.reference, "in_progress", "agent:7", conversation_id="conv-guest-1")
    assert moved.status == "in_progress"
    demo.transition(None, ticket.reference, "resolved", "agent:7", conversation_id="conv-guest-1")
    with pytest.raises(IllegalTransition):
        demo.transition(None, ticket.reference, "open", "agent:7", conversation_id="conv-guest-1")
    with pytest.raises(ValueError):
        demo.open_ticket(None, None, "refund", "no owner", "k")


def test_guest_tickets_are_limited_per_conversation_and_per_client(demo: Store, monkeypatch) -> None:
    """A guest cannot open unlimited tickets (docs/SECURITY.md, guarantee 7). Within the window, at
    most `max_per_conversation` per guest conversation and `max_per_client` per client
    address (keyed, never the raw address); a repeated idempotency key is no new ticket."""
    from bot.store import TicketLimitReached

    limits = {"max_per_conversation": 2, "max_per_client": 3}

    def guest(conv: str, key: str, client: str = "a" * 32):
        return demo.open_ticket(None, conv, "handoff", "help", key, client_key=client, **limits)

    first = guest("conv-a", "t1")
    guest("conv-a", "t2")
    with pytest.raises(TicketLimitReached) as err:
        guest("conv-a", "t3")
    assert err.value.scope == "conversation"
    assert guest("conv-a", "t1").reference == first.reference  # a retry, not a new ticket
    guest("conv-b", "t1")  # same client, another conversation: its third ticket
    with pytest.raises(TicketLimitReached) as err:
        guest("conv-c", "t1")  # rotating conversation ids does not help
    assert err.value.scope == "client"
    guest("conv-d", "t1", client="b" * 32)  # someone else
    guest("conv-e", "t1", client=None)  # no known address: the conversation limit only
    assert len(demo.claims(None, conversation_id="conv-a")) == 2
    with demo._db.read() as s:
        keys = {c for (c,) in s.execute(select(Claim.client_key).where(Claim.kind == "ticket"))}
    assert keys == {"a" * 32, "b" * 32, None}
    # the window is rolling: a day later the same client may open tickets again
    monkeypatch.setenv("ASSURANCE_NOW", "2026-11-28T10:00:01+08:00")
    guest("conv-c", "t1")
    # signed-in customers are not limited this way
    for i in range(6):
        demo.open_ticket("C1002", "conv-9", "handoff", "call me", f"c-{i}", client_key="a" * 32, **limits)
    assert len(demo.claims("C1002", "ticket")) == 6


def test_customer_ticket(demo: Store) -> None:
    ticket = demo.open_ticket("C1002", "conv-9", "compensation", "call me", "t-1")
    assert ticket.customer_id == "C1002" and ticket.conversation_id == "conv-9"
    assert demo.claims("C1002", "ticket") == [ticket]
    with pytest.raises(NotFound):
        demo.open_ticket("C9999", "conv-9", "x", "y", "t-1")


def test_bad_input_is_refused_clearly(demo: Store) -> None:
    case = demo.refund_case("C1001", eligible_refund_orders(demo, "C1001")[:1])
    with pytest.raises(ValueError):
        demo.submit_claim("C1001", "refund", case, decide(case), "")
    with pytest.raises(ValueError):
        demo.submit_claim("C1001", "ticket", case, decide(case), "k")
    with pytest.raises(NotFound):
        demo.refund_case("C1001", ["CS0000000000"])
    with pytest.raises(ValueError):
        demo.compensation_case("C1001", colour="blue")
    assert demo.claims("C1001") == []


def _drop_connection_mid_write(store: Store) -> None:
    """Make the database go away right after the claim row is inserted."""
    engine = store._db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _drop(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("INSERT INTO CLAIM_EVENTS"):
            event.remove(engine, "before_cursor_execute", _drop)
            if engine.dialect.name == "postgresql":
                pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as killer:
                    killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            else:
                raise OperationalError(statement, params, Exception("disk I/O error (simulated)"))


def test_database_dropping_mid_write_leaves_no_half_claim(demo: Store) -> None:
    orders = eligible_refund_orders(demo, "C1001")[:1]
    claims_before, items_before, events_before = (_count(demo, m) for m in (Claim, ClaimItem, ClaimEvent))
    _drop_connection_mid_write(demo)
    with pytest.raises(StoreUnavailable):
        file_refund(demo, "C1001", orders, "k-drop")
    assert (_count(demo, Claim), _count(demo, ClaimItem), _count(demo, ClaimEvent)) == (
        claims_before, items_before, events_before)
    # The store recovers (new connection) and the retry with the same key files once.
    claim = file_refund(demo, "C1001", orders, "k-drop")
    assert file_refund(demo, "C1001", orders, "k-drop").reference == claim.reference
    assert _count(demo, Claim) == claims_before + 1


def test_oversized_conversation_id_is_refused_before_writing(demo: Store) -> None:
    with pytest.raises(ValueError, match="conversation_id"):
        demo.open_ticket(None, "x" * 129, "refund", "help", "k")
    case = demo.refund_case("C1001", eligible_refund_orders(demo, "C1001")[:1])
    with pytest.raises(ValueError, match="conversation_id"):
        demo.submit_claim("C1001", "refund", case, decide(case), "k", details={"conversation_id": 42})
    assert demo.claims("C1001") == []
