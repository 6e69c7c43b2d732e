"""ICP filing reward I1-I9 (docs/POLICY_RULES.md), one test per rule and boundary."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.policy import PolicyInputError, decide, next_facts
from policy_cases import fig, icp, money, num


def failed(case):
    d = decide(case)
    return d["decision"], d["rules_failed"]


def test_worked_example_i1_vip_gets_200():
    d = decide(icp())
    assert d["decision"] == "eligible"
    assert d["reward_amount"] == "200.00" and Decimal(d["reward_amount"]) == money("icp_reward_vip")
    assert d["credit_by"] == "2026-11-27T12:00:00+08:00"
    assert d["valid_until"] == "2027-11-27T12:00:00+08:00"
    assert d["withdrawable"] is False


def test_I9_common_customer_gets_the_common_reward():
    d = decide(icp(customer={"tier": "common"}))
    assert Decimal(d["reward_amount"]) == money("icp_reward_common")


def test_I9_tier_missing_is_missing_not_assumed():
    d = decide(icp(customer={"tier": ...}))
    assert d["decision"] == "undetermined" and d["missing"] == ["customer.tier"]
    assert d["reward_amount"] == "0.00"


def test_I9_credit_in_utc_plus_8_and_leap_day_validity():
    d = decide(icp(filing={"approved_at": "2028-02-21T23:30:00-05:00"}, now="2028-03-01T00:00:00+08:00"))
    assert d["credit_by"] == "2028-02-29T12:30:00+08:00"
    assert d["valid_until"] == "2029-02-28T12:30:00+08:00"


@pytest.mark.parametrize("sub,ok", [("monthly", True), ("yearly", True), ("hourly", False),
                                    ("pay_per_use", False), ("pay_per_use_package", False)])
def test_I1_monthly_or_yearly_subscription(sub, ok):
    assert failed(icp(host={"subscription": sub})) == (("eligible", []) if ok else ("ineligible", ["I1"]))


def test_I2_host_used_for_website():
    assert failed(icp(host={"used_for_website": False})) == ("ineligible", ["I2"])


def test_I3_first_filing_with_provider():
    assert failed(icp(filing={"first_with_provider": False})) == ("ineligible", ["I3"])


def test_I4_recharge_exactly_200_does_not_exceed():
    assert failed(icp(customer={"accumulated_recharge": fig("icp_min_recharge") + ".00"})) == ("ineligible", ["I4"])


def test_I4_recharge_200_01_exceeds():
    over = str(money("icp_min_recharge") + Decimal("0.01"))
    assert failed(icp(customer={"accumulated_recharge": over})) == ("eligible", [])


def test_I5_once_per_account():
    assert failed(icp(customer={"icp_reward_received": True})) == ("ineligible", ["I5"])


@pytest.mark.parametrize("status", ["terminated_early", "expired_not_renewed"])
def test_I6_terminated_or_lapsed_service(status):
    assert failed(icp(host={"status": status})) == ("ineligible", ["I6"])


def test_I7_rejected_filing_is_ineligible():
    assert failed(icp(filing={"status": "rejected"})) == ("ineligible", ["I7"])


@pytest.mark.parametrize("status", ["not_submitted", "in_progress", "submitted_to_authority"])
def test_I7_unfinished_filing_waits_for_approval(status):
    d = decide(icp(filing={"status": status, "approved_at": ...}))
    assert d["decision"] == "undetermined" and d["waiting_for"] == ["filing_approval"]
    assert d["missing"] == [] and d["reward_amount"] == "0.00"


def test_I7_approved_without_approved_at_is_undetermined():
    d = decide(icp(filing={"approved_at": ...}))
    assert d["decision"] == "undetermined" and d["missing"] == ["filing.approved_at"]


def test_I8_delay_9_days_keeps_the_reward():
    assert failed(icp(filing={"customer_delay_days": num("icp_delay_days") - 1})) == ("eligible", [])


def test_I8_delay_10_days_abandons_the_reward():
    assert failed(icp(filing={"customer_delay_days": num("icp_delay_days")})) == ("ineligible", ["I8"])


def test_every_failed_rule_is_listed():
    d = decide(icp(host={"subscription": "hourly", "used_for_website": False},
                   customer={"accumulated_recharge": "1", "icp_reward_received": True},
                   filing={"status": "rejected", "customer_delay_days": 99}))
    assert d["rules_failed"] == ["I1", "I2", "I4", "I5", "I7", "I8"]
    assert len(d["reasons"]) == 6


def test_guest_case_asks_facts_in_order():
    case = {"kind": "icp_reward", "customer": {}, "host": {}, "filing": {}}
    assert next_facts(case) == ["host.subscription", "host.used_for_website", "host.status",
                                "filing.first_with_provider", "filing.status", "filing.customer_delay_days",
                                "customer.accumulated_recharge", "customer.icp_reward_received",
                                "customer.tier"]
    case["filing"]["status"] = "approved"
    assert "filing.approved_at" in next_facts(case)


def test_approved_after_now_is_bad_input():
    with pytest.raises(PolicyInputError) as err:
        decide(icp(filing={"approved_at": "2026-11-28T00:00:00+08:00"}))
    assert err.value.field == "filing.approved_at"


def test_string_booleans_are_bad_input():
    with pytest.raises(PolicyInputError) as err:
        decide(icp(host={"used_for_website": "yes"}))
    assert err.value.field == "host.used_for_website"
