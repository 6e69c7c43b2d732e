"""Fault compensation C1-C6 (docs/POLICY_RULES.md), one test per rule and boundary."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from bot.policy import PolicyInputError, decide, load_policy, next_facts
from policy_cases import NOW_DT, ago, apply_window, compensation, num

EXCLUDED = load_policy().compensation["excluded_causes"]


def test_worked_example_c1_pays_316_67():
    d = decide(compensation())
    assert d["decision"] == "eligible"
    assert (d["multiplier"], d["multiplier_is_cap"]) == (num("fault_multiplier"), False)
    assert d["duration_minutes"] == "95.00"
    assert d["compensation"] == "316.67"
    assert d["apply_by"] == "2026-12-03T15:35:00+08:00"
    assert any(n.startswith("C6:") for n in d["notes"])  # final amount confirmed in review


@pytest.mark.parametrize("scenario", ["service_unavailable", "website_inaccessible"])
def test_C1_unavailability_scenarios_use_the_full_multiplier(scenario):
    d = decide(compensation(scenario=scenario))
    assert (d["multiplier"], d["multiplier_is_cap"], d["scenario_rule"]) == (num("fault_multiplier"), False, "C1")


@pytest.mark.parametrize("scenario", ["provisioning_failure", "config_change_failure", "billing_error"])
def test_C2_scenarios_use_the_cap_multiplier_as_a_ceiling(scenario):
    d = decide(compensation(scenario=scenario))
    assert (d["multiplier"], d["multiplier_is_cap"], d["scenario_rule"]) == (num("fault_cap_multiplier"), True, "C2")
    expected = Fraction(48) / 24 / 60 * 95 * num("fault_cap_multiplier")
    assert Decimal(d["compensation"]) == Decimal(round(expected * 100)) / 100
    assert any(n.startswith("C2:") for n in d["notes"])


def test_C3_95_minutes_30_seconds_counts_the_seconds():
    d = decide(compensation(fault_end="2026-11-26T15:35:30+08:00"))
    assert d["duration_minutes"] == "95.50"
    exact = Fraction(48) / 24 / 60 * Fraction(955, 10) * num("fault_multiplier")
    assert d["compensation"] == "318.33" and abs(Fraction(d["compensation"]) - exact) <= Fraction(1, 200)


@pytest.mark.parametrize("cost,minutes", [("0.03", 36), ("0.11", 108), ("0.19", 180)])
def test_C3_half_cent_rounds_half_up_where_28_digit_division_would_not(cost, minutes):
    """C3 (docs/POLICY_RULES.md): dividing left to right at 28 digits rounds some half-cent cases
    the wrong way (0.03/24/60 x 36 x 100 gives 0.0749999... at 28 digits)."""
    from decimal import ROUND_HALF_UP, Context

    mult = num("fault_multiplier")
    exact = Fraction(Decimal(cost)) / 24 / 60 * minutes * mult
    assert (exact * 200).denominator == 1 and (exact * 200).numerator % 2 == 1  # exactly half a cent
    ctx = Context(prec=28)
    naive = ctx.multiply(ctx.multiply(ctx.divide(ctx.divide(Decimal(cost), 24), 60), minutes), mult)
    right = Decimal(int((exact * 100 * 2 + 1) // 2)) / 100
    assert naive.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) != right  # the trap is real
    start = datetime(2026, 11, 26, 14, tzinfo=NOW_DT.tzinfo)
    d = decide(compensation(daily_cost=cost, fault_start=start.isoformat(),
                            fault_end=(start + timedelta(minutes=minutes)).isoformat()))
    assert d["compensation"] == str(right.quantize(Decimal("0.01")))


def test_C3_zero_length_fault_is_eligible_with_zero():
    d = decide(compensation(fault_end="2026-11-26T14:00:00+08:00"))
    assert d["decision"] == "eligible" and d["compensation"] == "0.00" and d["duration_minutes"] == "0.00"


def test_C3_end_before_start_is_bad_input():
    with pytest.raises(PolicyInputError) as err:
        decide(compensation(fault_end="2026-11-26T13:59:59+08:00"))
    assert err.value.field == "fault_end"


@pytest.mark.parametrize("cause", EXCLUDED)
def test_C4_every_excluded_cause_is_ineligible(cause):
    d = decide(compensation(cause=cause))
    assert d["decision"] == "ineligible" and d["rules_failed"] == ["C4"]
    assert d["compensation"] == "0.00"
    assert d["multiplier"] == num("fault_multiplier")  # reported whatever the decision
    assert d["reasons"][0].startswith("C4 (")
    assert d["reasons"][0].endswith(load_policy().compensation["cause_clauses"][cause] + '"')  # its own bullet


def test_C4_excluded_cause_list_matches_policy_md():
    assert set(EXCLUDED) == {"force_majeure", "unexpected_event", "scheduled_maintenance", "carrier_fault",
                             "internet_backbone", "attack_or_virus", "user_network_or_device",
                             "user_improper_operation", "user_negligence", "terms_violation",
                             "unforeseeable_other"}


@pytest.mark.parametrize("cause", ["unknown", None, ...])
def test_C4_unknown_or_absent_cause_waits_for_review(cause):
    d = decide(compensation(cause=cause))
    assert d["decision"] == "undetermined" and d["waiting_for"] == ["cause_review"]
    assert d["missing"] == [] and d["compensation"] == "316.67"  # provisional figure


def test_C5_exactly_168h_after_rectification_is_eligible():
    end = NOW_DT - apply_window()
    d = decide(compensation(fault_start=(end - timedelta(hours=1)).isoformat(), fault_end=end.isoformat()))
    assert d["decision"] == "eligible"


def test_C5_168h_plus_1s_after_rectification_is_ineligible():
    end = NOW_DT - apply_window() - timedelta(seconds=1)
    d = decide(compensation(fault_start=(end - timedelta(hours=1)).isoformat(), fault_end=end.isoformat()))
    assert d["decision"] == "ineligible" and d["rules_failed"] == ["C5"]
    assert d["compensation"] == "0.00"


def test_C5_counts_from_rectification_not_from_start():
    start = NOW_DT - apply_window() - timedelta(days=3)
    end = NOW_DT - timedelta(hours=1)
    assert decide(compensation(fault_start=start.isoformat(), fault_end=end.isoformat()))["decision"] == "eligible"


def test_C5_open_fault_waits_for_rectification():
    d = decide(compensation(fault_end=None))
    assert d["decision"] == "undetermined" and d["waiting_for"] == ["fault_rectified"]
    assert d["missing"] == [] and d["apply_by"] is None and d["compensation"] is None


def test_C5_absent_fault_end_is_missing_not_open():
    d = decide(compensation(fault_end=...))
    assert d["missing"] == ["fault_end"] and d["waiting_for"] == []


def test_C4_and_C5_both_listed():
    end = NOW_DT - apply_window() * 2
    d = decide(compensation(cause="carrier_fault", fault_start=(end - timedelta(hours=1)).isoformat(),
                            fault_end=end.isoformat()))
    assert d["rules_failed"] == ["C4", "C5"] and len(d["reasons"]) == 2


def test_failed_rule_beats_missing_facts():
    d = decide(compensation(cause="force_majeure", daily_cost=..., scenario=...))
    assert d["decision"] == "ineligible" and d["missing"] == ["scenario", "daily_cost"]
    assert next_facts(compensation(cause="force_majeure", daily_cost=...)) == []


def test_missing_facts_in_asking_order_and_never_zero():
    case = {"kind": "compensation", "now": "2026-11-27T10:00:00+08:00"}
    assert next_facts(case) == ["scenario", "fault_start", "fault_end", "daily_cost"]
    d = decide(compensation(daily_cost=...))
    assert d["decision"] == "undetermined" and d["compensation"] is None and d["missing"] == ["daily_cost"]
    d = decide(compensation(fault_start=...))
    assert d["missing"] == ["fault_start"] and d["duration_minutes"] is None


def test_C6_eligible_answer_says_amount_is_confirmed_in_review():
    assert "C6" in load_policy().rule("C6").id
    d = decide(compensation())
    assert any(load_policy().rule("C6").note in n for n in d["notes"])


def test_fault_in_the_future_is_bad_input():
    with pytest.raises(PolicyInputError) as err:
        decide(compensation(fault_start=ago(timedelta(seconds=-5)), fault_end=None))
    assert err.value.field == "fault_start"
