"""Refunds R1-R9 (docs/POLICY_RULES.md), one test per rule and boundary."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.policy import decide, load_policy, next_facts
from policy_cases import NOW_DT, ago, fig, item, num, refund, refund_window


def only(case):
    d = decide(case)
    return d, d["items"][0]


def test_worked_example_r1_refunds_280():
    case = {"id": "r1", "kind": "refund", "now": "2026-11-27T10:00:00+08:00",
            "customer": {"tier": "common", "refunds_this_year": 3},
            "items": [{"id": "CS2611240001", "billing": "monthly",
                       "purchased_at": "2026-11-24T09:30:00+08:00", "amount_paid": "300.00",
                       "resource_state": "active", "invoice": "none",
                       "unrecoverable_discounts": "20.00"}]}
    d = decide(case)
    assert d["id"] == "r1" and d["kind"] == "refund"
    assert d["decision"] == "eligible"
    it = d["items"][0]
    assert (it["id"], it["decision"], it["rules_failed"], it["missing"], it["refund_amount"]) == \
        ("CS2611240001", "eligible", [], [], "280.00")
    assert d["refund_total"] == "280.00"
    assert d["rules_failed"] == d["missing"] == d["waiting_for"] == []
    assert any(n.startswith("R8:") for n in d["notes"])  # R8: back up first


@pytest.mark.parametrize("billing", ["hourly", "monthly", "yearly"])
def test_R1_prepaid_billing_is_in_scope(billing):
    assert only(refund([item(billing=billing)]))[1]["decision"] == "eligible"


@pytest.mark.parametrize("billing", ["pay_per_use", "pay_per_use_package"])
def test_R5_pay_per_use_is_not_refundable_and_not_R1(billing):
    d, it = only(refund([item(billing=billing)]))
    assert it["decision"] == "ineligible" and it["rules_failed"] == ["R5"]
    assert d["decision"] == "ineligible" and d["rules_failed"] == ["R5"]
    assert it["refund_amount"] == "0.00" and d["refund_total"] == "0.00"
    assert "R5" in d["reasons"][0] and load_policy().rule("R5").clause in d["reasons"][0]


def test_R2_exactly_120h_is_eligible():
    assert only(refund([item(purchased_at=ago(refund_window()))]))[1]["decision"] == "eligible"


def test_R2_120h_plus_1s_is_ineligible():
    d, it = only(refund([item(purchased_at=ago(refund_window() + timedelta(seconds=1)))]))
    assert it["decision"] == "ineligible" and it["rules_failed"] == ["R2"]
    assert fig("refund_window_hours") in d["reasons"][0]


def test_R2_window_is_an_instant_comparison_across_offsets():
    purchased = (NOW_DT - refund_window()).astimezone(__import__("datetime").timezone.utc)
    text = purchased.isoformat().replace("+00:00", "Z")
    assert only(refund([item(purchased_at=text)]))[1]["decision"] == "eligible"


def test_R2_purchase_after_now_is_bad_input():
    from bot.policy import PolicyInputError

    with pytest.raises(PolicyInputError) as err:
        decide(refund([item(purchased_at=ago(timedelta(seconds=-1)))]))
    assert err.value.field == "items[0].purchased_at"


def test_R3_common_customer_with_9_used_asking_3_items():
    limit = num("refund_limit")
    used = limit - 1
    items = [item(id=f"CS261127000{i}") for i in range(3)]
    d = decide(refund(items, used=used))
    assert [i["decision"] for i in d["items"]] == ["eligible", "ineligible", "ineligible"]
    assert d["items"][1]["rules_failed"] == ["R3"] and d["items"][2]["rules_failed"] == ["R3"]
    assert d["decision"] == "partially_eligible"
    assert d["rules_failed"] == ["R3"]
    assert d["refund_total"] == "300.00"


def test_R3_limit_reached_exactly_is_eligible_one_over_is_not():
    limit = num("refund_limit")
    assert only(refund(used=limit - 1))[1]["decision"] == "eligible"
    d, it = only(refund(used=limit))
    assert it["rules_failed"] == ["R3"] and d["decision"] == "ineligible"


def test_R3_vip_with_15_used_has_no_limit_and_is_told_so():
    used = num("refund_limit") + 5
    d = decide(refund([item(id="a"), item(id="b")], tier="vip", used=used))
    assert d["decision"] == "eligible" and d["rules_failed"] == []
    assert any(n.startswith("R3:") for n in d["notes"])


def test_R3_vip_needs_no_refunds_this_year():
    d = decide(refund(tier="vip", used=...))
    assert d["decision"] == "eligible" and d["missing"] == []


def test_R3_common_without_refunds_this_year_is_undetermined():
    d = decide(refund(used=...))
    assert d["decision"] == "undetermined"
    assert d["missing"] == ["customer.refunds_this_year"]
    assert d["items"][0]["refund_amount"] == "300.00"  # provisional: R3 still open


def test_R3_tier_missing_is_asked_before_refunds_this_year():
    d = decide(refund(tier=..., used=...))
    assert d["missing"] == ["customer.tier"]
    assert next_facts(refund(tier="common", used=...)) == ["customer.refunds_this_year"]


def test_R3_positions_skip_items_other_rules_made_ineligible():
    used = num("refund_limit") - 1
    items = [item(id="x", invoice="issued"), item(id="y")]
    d = decide(refund(items, used=used))
    assert [i["decision"] for i in d["items"]] == ["ineligible", "eligible"]
    assert d["items"][0]["rules_failed"] == ["R4"]


def test_R3_undetermined_item_still_takes_a_position():
    used = num("refund_limit") - 1
    items = [item(id="x", invoice=...), item(id="y")]
    d = decide(refund(items, used=used))
    assert [i["decision"] for i in d["items"]] == ["undetermined", "ineligible"]
    assert d["items"][1]["rules_failed"] == ["R3"]
    assert d["decision"] == "undetermined"


@pytest.mark.parametrize("invoice,ok", [("issued", False), ("none", True), ("returned", True)])
def test_R4_issued_invoice_not_returned(invoice, ok):
    _, it = only(refund([item(invoice=invoice)]))
    assert (it["decision"] == "eligible") is ok
    if not ok:
        assert it["rules_failed"] == ["R4"]


@pytest.mark.parametrize("state", ["grace", "reservation"])
@pytest.mark.parametrize("billing", ["hourly", "monthly", "yearly"])
def test_R6_grace_or_reservation_whatever_the_billing_offers_deletion(state, billing):
    d, it = only(refund([item(resource_state=state, billing=billing)]))
    assert it["rules_failed"] == ["R6"]
    assert any(n.startswith("R6:") and "deleted" in n for n in d["notes"])


def test_R7_unrecoverable_discounts_are_deducted_and_never_below_zero():
    assert only(refund([item(amount_paid="100.00", unrecoverable_discounts="120.00")]))[1]["refund_amount"] == "0.00"
    assert only(refund([item(amount_paid=300, unrecoverable_discounts=Decimal("0.5"))]))[1]["refund_amount"] == "299.50"


def test_R7_missing_amounts_are_missing_not_zero():
    d, it = only(refund([item(amount_paid=..., unrecoverable_discounts=...)]))
    assert it["decision"] == "undetermined" and it["refund_amount"] is None
    assert d["missing"] == ["items[0].amount_paid", "items[0].unrecoverable_discounts"]


def test_R7_rounding_half_up_once_per_item_and_total_from_exact_sum():
    items = [item(id="a", amount_paid="0.005"), item(id="b", amount_paid="0.005")]
    d = decide(refund(items))
    assert [i["refund_amount"] for i in d["items"]] == ["0.01", "0.01"]
    assert d["refund_total"] == "0.01"  # 0.010 exact, rounded once


def test_every_failed_rule_is_listed_not_only_the_first():
    d, it = only(refund([item(billing="pay_per_use", invoice="issued", resource_state="grace",
                              purchased_at=ago(refund_window() * 2))]))
    assert it["rules_failed"] == ["R2", "R4", "R5", "R6"]
    assert len(d["reasons"]) == 4
    assert all(reason.startswith(f"Item {it['id']}: {rid} (") for reason, rid in zip(d["reasons"], ["R5", "R2", "R4", "R6"], strict=True))


def test_failed_rule_beats_missing_fact():
    d, it = only(refund([item(invoice="issued", amount_paid=..., resource_state=...)]))
    assert it["decision"] == "ineligible" and d["decision"] == "ineligible"
    assert it["missing"] == ["items[0].resource_state", "items[0].amount_paid"]
    assert next_facts(refund([item(invoice="issued", amount_paid=...)])) == []


def test_case_decisions_all_kinds():
    good, bad, unknown = item(id="g"), item(id="b", invoice="issued"), item(id="u", invoice=...)
    assert decide(refund([good, good]))["decision"] == "eligible"
    assert decide(refund([good, bad]))["decision"] == "partially_eligible"
    assert decide(refund([good, unknown]))["decision"] == "partially_eligible"
    assert decide(refund([bad, unknown]))["decision"] == "undetermined"
    assert decide(refund([bad, bad]))["decision"] == "ineligible"


def test_case_rules_failed_is_union_of_items():
    d = decide(refund([item(id="a", invoice="issued"), item(id="b", resource_state="grace")]))
    assert d["rules_failed"] == ["R4", "R6"]


def test_case_without_items_asks_for_items_first():
    d = decide(refund(items=...))
    assert d["decision"] == "undetermined" and d["missing"][0] == "items"


def test_next_facts_skips_items_already_ineligible():
    case = refund([item(id="a", invoice="issued", billing=...), item(id="b", billing=...)])
    assert next_facts(case) == ["items[1].billing"]


def test_guest_case_asks_item_facts_in_order_then_tier():
    case = {"kind": "refund", "now": "2026-11-27T10:00:00+08:00", "customer": {}, "items": [{"id": "x"}]}
    assert next_facts(case) == ["items[0].billing", "items[0].purchased_at", "items[0].invoice",
                                "items[0].resource_state", "items[0].amount_paid",
                                "items[0].unrecoverable_discounts", "customer.tier"]


def test_R3_calendar_year_is_counted_in_utc_plus_8():
    # 2026-12-31T20:00:00-05:00 is 2027-01-01T09:00:00+08:00: already 2027 there.
    case = refund([item(purchased_at="2026-12-31T20:00:00-05:00")], now="2026-12-31T21:00:00-05:00")
    d = decide(case)
    assert d["calendar_year"] == 2027
    assert d["items"][0]["purchase_year"] == 2027
    assert d["items"][0]["purchased_at"] == "2027-01-01T09:00:00+08:00"
    assert d["now"] == "2027-01-01T10:00:00+08:00"


def test_R3_calendar_year_just_before_new_year_in_utc_plus_8():
    d = decide(refund([item(purchased_at="2026-12-31T10:59:59-05:00")], now="2026-12-31T10:59:59-05:00"))
    assert d["calendar_year"] == 2026 and d["items"][0]["purchase_year"] == 2026


def test_R7_amounts_with_many_digits_are_exact():
    paid, deducted = "123456789012345678.123456789012345678", "0.000000000000000001"
    d, it = only(refund([item(amount_paid=paid, unrecoverable_discounts=deducted)]))
    assert it["refund_amount"] == "123456789012345678.12"
    items = [item(id="a", amount_paid="0.004"), item(id="b", amount_paid="0.001")]
    assert decide(refund(items))["refund_total"] == "0.01"  # 0.005 exactly, half-up once


def test_R2_window_end_is_given_per_item_in_utc_plus_8():
    """The answer warns before R2 closes: the engine says when, whatever the outcome."""
    bought = "2026-11-22T11:00:00+00:00"
    d = decide(refund([item(purchased_at=bought)]))
    from datetime import datetime

    assert d["items"][0]["request_by"] == (datetime.fromisoformat(bought) + refund_window()).astimezone(
        datetime.fromisoformat(d["now"]).tzinfo).isoformat()
    assert d["items"][0]["request_by"].endswith("+08:00")
    assert decide(refund([item(purchased_at=...)]))["items"][0]["request_by"] is None
