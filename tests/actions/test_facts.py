"""The pure answer parsers and fact<->slot mapping behind every validate_<slot>."""
from __future__ import annotations

from decimal import Decimal

import pytest

from actions import facts
from actions.fault_period import fault_when_target
from actions.handoff import transcript_summary
from actions.smalltalk import fallbacks_in_a_row
from bot.policy import decide, next_facts


@pytest.mark.parametrize("value, expected", [
    ({"value": 48, "unit": "CNY"}, "48.00"), (300, "300.00"), ("1,200.5 yuan", "1200.50"),
    ("0", "0.00"), (-5, None), ("abc", None), (True, None), (None, None), ([12.345], "12.345"),
])
def test_parse_amount(value, expected):
    assert facts.parse_amount(value) == expected


def test_parse_amount_does_not_leak_binary_floats():
    assert facts.parse_amount(12.35) == "12.35"  # via str(), not Decimal(12.35)
    assert Decimal(facts.parse_amount(316.67)) == Decimal("316.67")


@pytest.mark.parametrize("value, expected", [(3, 3), ("10", 10), (2.0, 2), (2.5, None), (-1, None), ("x", None)])
def test_parse_count(value, expected):
    assert facts.parse_count(value) == expected


def test_parse_time_needs_an_offset_and_takes_interval_ends():
    assert facts.parse_time("2026-11-24T09:30:00+08:00") == "2026-11-24T09:30:00+08:00"
    assert facts.parse_time("2026-11-24T01:30:00Z") == "2026-11-24T09:30:00+08:00"
    assert facts.parse_time("2026-11-24T09:30:00") is None  # never guess a zone (docs/POLICY_RULES.md)
    span = {"from": "2026-11-26T14:00:00+08:00", "to": "2026-11-26T15:35:00+08:00"}
    assert facts.parse_time(span) == "2026-11-26T14:00:00+08:00"
    assert facts.parse_time(span, "to") == "2026-11-26T15:35:00+08:00"
    assert facts.parse_time({"from": None, "to": "2026-11-26T15:35:00+08:00"}) == "2026-11-26T15:35:00+08:00"


def test_enums_and_free_text_statuses():
    assert facts.parse_enum("monthly", facts.BILLINGS) == "monthly"
    assert facts.parse_enum("pay-per-use", facts.BILLINGS) == "pay_per_use"
    assert facts.parse_enum("weekly", facts.BILLINGS) is None
    assert facts.parse_host_status("still active") == "active"
    assert facts.parse_host_status("I terminated it early") == "terminated_early"
    assert facts.parse_host_status("it expired and I did not renew") == "expired_not_renewed"
    assert facts.parse_filing_status("approved last week") == "approved"
    assert facts.parse_filing_status("not submitted yet") == "not_submitted"
    assert facts.parse_filing_status("submitted to the authority") == "submitted_to_authority"
    assert facts.parse_filing_status("it was rejected") == "rejected"
    assert facts.parse_filing_status("banana") is None


def test_fact_paths_map_to_slots():
    assert facts.slots_to_ask(["items[0].invoice", "customer.tier", "host.status", "filing.status", "cause"]) == [
        "invoice", "customer_tier", "host_status", "filing_status"]


def test_every_fact_the_policy_can_ask_has_a_slot():
    """Each guest case's missing facts (except C4's cause, left to review) map to slots."""
    cases = [facts.guest_refund_case("2026-11-27T10:00:00+08:00", None),
             facts.guest_compensation_case("2026-11-27T10:00:00+08:00"),
             facts.guest_icp_case("2026-11-27T10:00:00+08:00")]
    for case in cases:
        for fact in next_facts(case):
            assert facts.fact_slot(fact), fact


def test_fill_case_fills_only_missing_facts_and_records_win():
    base = {"kind": "compensation", "now": "2026-11-27T10:00:00+08:00", "daily_cost": "48.00"}
    slots = {"daily_cost": "99.00", "scenario": "service_unavailable",
             "fault_start": "2026-11-26T14:00:00+08:00", "fault_end": "2026-11-26T15:35:00+08:00"}
    case = facts.fill_case(base, slots, next_facts)
    assert case["daily_cost"] == "48.00"  # the record beats the typed answer
    assert decide(case)["compensation"] == "316.67"  # worked example c1 (docs/POLICY_RULES.md)


def test_fill_case_ignores_raw_unparsed_values():
    case = facts.fill_case(facts.guest_refund_case("2026-11-27T10:00:00+08:00", None),
                           {"billing": "weekly", "amount_paid": "lots"}, next_facts)
    assert "billing" not in case["items"][0] and "amount_paid" not in case["items"][0]


def test_open_fault_becomes_an_explicit_null():
    case = facts.fill_case(facts.guest_compensation_case("2026-11-27T10:00:00+08:00"),
                           {"fault_end": "open", "scenario": "service_unavailable",
                            "fault_start": "2026-11-27T08:00:00+08:00", "daily_cost": "10"}, next_facts)
    assert case["fault_end"] is None
    assert "fault_rectified" in decide(case)["waiting_for"]  # C5


def test_fault_when_target():
    span = {"from": "2026-11-26T14:00:00+08:00", "to": "2026-11-26T15:35:00+08:00"}
    assert fault_when_target(span, None, None) == {"fault_start": span["from"], "fault_end": span["to"]}
    t = "2026-11-26T15:35:00+08:00"
    assert fault_when_target(t, "fault_end", "x") == {"fault_end": t}
    assert fault_when_target(t, "fault_start", "x") == {"fault_start": t}  # a correction
    assert fault_when_target(t, None, None) == {"fault_start": t}
    assert fault_when_target("nonsense", None, None) == {}


def test_add_seconds_for_durations():
    assert facts.add_seconds("2026-11-26T10:00:00+08:00", 95 * 60) == "2026-11-26T11:35:00+08:00"


def test_transcript_summary_and_fallback_count():
    events = [
        {"event": "user", "text": "refund pls", "parse_data": {"intent": {"name": "request_refund"}}},
        {"event": "bot", "text": "Which order?"},
        {"event": "user", "text": "qwerty", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "bot", "text": "Sorry"},
        {"event": "user", "text": "asdf", "parse_data": {"intent": {"name": "nlu_fallback"}}},
    ]
    summary = transcript_summary(events)
    assert summary.splitlines()[0] == "customer: refund pls  [request_refund]"
    assert "assistant: Which order?" in summary
    assert fallbacks_in_a_row(events) == 2
    assert fallbacks_in_a_row(events[:3]) == 1
    assert fallbacks_in_a_row(events[:2]) == 0


def test_chinese_coupons_and_amounts_paid():
    from actions import facts

    said = "没有开发票. 服务器正常运行. 用了一张50元的优惠券, 客服说这张券是不能退回的."
    assert facts.discounts_in_text(said) == "50.00" and facts.paid_amount_in_text(said) is None
    assert facts.paid_amount_in_text("付了399元") == "399.00"
    assert facts.discounts_in_text("没用优惠券") == "0.00"
