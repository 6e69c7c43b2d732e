"""Property-based tests (hypothesis) of the policy engine's invariants."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.policy import decide, load_policy
from policy_cases import NOW_DT, num

P = load_policy()
E = P.enums
FAST = settings(max_examples=150, deadline=None)
CENT = Decimal("0.01")

amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
fine_amounts = st.one_of(amounts, st.decimals(min_value=0, max_value=1000, places=4,
                                              allow_nan=False, allow_infinity=False))
offsets = st.sampled_from([timedelta(hours=8), timedelta(0), timedelta(hours=-5), timedelta(hours=5, minutes=30)])
seconds_back = st.integers(min_value=0, max_value=60 * 86400)


def when(back: int, offset: timedelta) -> str:
    from datetime import timezone

    return (NOW_DT - timedelta(seconds=back)).astimezone(timezone(offset)).isoformat()


def maybe(strategy):
    return st.one_of(st.just(...), strategy)


@st.composite
def refund_items(draw):
    item = {"id": draw(st.text(min_size=1, max_size=6)),
            "billing": draw(maybe(st.sampled_from(E["billing"]))),
            "purchased_at": draw(maybe(st.builds(when, seconds_back, offsets))),
            "invoice": draw(maybe(st.sampled_from(E["invoice"]))),
            "resource_state": draw(maybe(st.sampled_from(E["resource_state"]))),
            "amount_paid": draw(maybe(st.one_of(fine_amounts, fine_amounts.map(str)))),
            "unrecoverable_discounts": draw(maybe(st.one_of(fine_amounts, fine_amounts.map(str))))}
    return {k: v for k, v in item.items() if v is not ...}


@st.composite
def refund_cases(draw):
    customer = {"tier": draw(maybe(st.sampled_from(E["tier"]))),
                "refunds_this_year": draw(maybe(st.integers(0, num("refund_limit") + 3)))}
    return {"id": "p", "kind": "refund", "now": NOW_DT.isoformat(),
            "customer": {k: v for k, v in customer.items() if v is not ...},
            "items": draw(st.lists(refund_items(), min_size=1, max_size=4))}


SCENARIOS = st.sampled_from(E["scenario"])


@st.composite
def compensation_cases(draw, scenario=SCENARIOS):
    end_back = draw(st.integers(0, 20 * 86400))
    length = draw(st.integers(0, 3 * 86400))
    case = {"id": "p", "kind": "compensation", "now": NOW_DT.isoformat(),
            "scenario": draw(maybe(scenario)),
            "cause": draw(maybe(st.sampled_from(E["cause"]))),
            "daily_cost": draw(maybe(fine_amounts.map(str))),
            "fault_start": when(end_back + length, draw(offsets)),
            "fault_end": draw(st.one_of(st.just(when(end_back, draw(offsets))), st.just(None), st.just(...)))}
    return {k: v for k, v in case.items() if v is not ...}


@st.composite
def icp_cases(draw):
    def part(**fields):
        return {k: v for k, v in ((k, draw(maybe(s))) for k, s in fields.items()) if v is not ...}

    return {"id": "p", "kind": "icp_reward", "now": NOW_DT.isoformat(),
            "customer": part(tier=st.sampled_from(E["tier"]), accumulated_recharge=amounts.map(str),
                             icp_reward_received=st.booleans()),
            "host": part(subscription=st.sampled_from(E["billing"]), used_for_website=st.booleans(),
                         status=st.sampled_from(E["host_status"])),
            "filing": part(first_with_provider=st.booleans(), status=st.sampled_from(E["filing_status"]),
                           approved_at=st.builds(when, seconds_back, offsets),
                           customer_delay_days=st.integers(0, 30))}


def half_up(x: Fraction) -> Decimal:
    return Decimal(int((x * 100 * 2 + 1) // 2)) / 100


@FAST
@given(refund_cases())
def test_refund_never_exceeds_amount_paid(case):
    d = decide(case)
    for raw, item in zip(case["items"], d["items"], strict=True):
        if item["refund_amount"] is not None and "amount_paid" in raw:
            paid = Decimal(str(raw["amount_paid"])).quantize(CENT, ROUND_HALF_UP)
            assert Decimal(item["refund_amount"]) <= paid
    eligible = [Decimal(i["refund_amount"]) for i in d["items"] if i["decision"] == "eligible"]
    assert Decimal(d["refund_total"]) <= sum(eligible, Decimal(0)) + CENT * len(eligible)


@FAST
@given(st.one_of(refund_cases(), compensation_cases(), icp_cases()))
def test_ineligible_means_amount_zero(case):
    d = decide(case)
    if d["kind"] == "refund":
        for item in d["items"]:
            if item["decision"] == "ineligible":
                assert item["refund_amount"] == "0.00"
        if d["decision"] == "ineligible":
            assert d["refund_total"] == "0.00"
    elif d["decision"] == "ineligible":
        assert d.get("compensation", d.get("reward_amount")) == "0.00"
    if d["kind"] == "icp_reward" and d["decision"] != "eligible":
        assert d["reward_amount"] == "0.00"


@FAST
@given(cost=fine_amounts, minutes=st.integers(0, 5000), secs=st.integers(0, 59), k=st.integers(1, 50),
       scenario=st.sampled_from(E["scenario"]))
def test_compensation_is_linear_in_daily_cost_and_duration(cost, minutes, secs, k, scenario):
    start = NOW_DT - timedelta(days=5)

    def comp(c, duration):
        now = start + duration + timedelta(hours=1)  # always within C5's window
        d = decide({"kind": "compensation", "now": now.isoformat(), "scenario": scenario, "cause": "platform",
                    "daily_cost": str(c), "fault_start": start.isoformat(),
                    "fault_end": (start + duration).isoformat()})
        return Decimal(d["compensation"]), d["multiplier"]

    duration = timedelta(minutes=minutes, seconds=secs)
    one, mult = comp(cost, duration)
    exact = Fraction(cost) / 24 / 60 * Fraction(duration.total_seconds()) / 60 * mult
    assert one == half_up(exact)  # the formula, computed exactly, rounded once
    by_cost, _ = comp(cost * k, duration)
    by_time, _ = comp(cost, duration * k)
    assert by_cost == half_up(exact * k) == by_time
    assert abs(by_cost - one * k) <= CENT / 2 * (k + 1)


@FAST
@given(compensation_cases(scenario=st.sampled_from(
    [s for s, row in P.compensation["scenarios"].items() if row["cap"]])))
def test_cap_cases_never_exceed_the_formula_with_multiplier_2(case):
    d = decide(case)
    if "scenario" not in case:
        assert d["multiplier"] is None and "scenario" in d["missing"]
        return
    assert d["multiplier_is_cap"] is True and d["multiplier"] == num("fault_cap_multiplier")
    if d["compensation"] is not None and case.get("fault_end") and "daily_cost" in case:
        minutes = Fraction((datetime.fromisoformat(case["fault_end"]) -
                            datetime.fromisoformat(case["fault_start"])).total_seconds()) / 60
        ceiling = half_up(Fraction(Decimal(case["daily_cost"])) / 24 / 60 * minutes * num("fault_cap_multiplier"))
        assert Decimal(d["compensation"]) <= ceiling


FAILING_ITEM_FACTS = [("billing", "pay_per_use"), ("invoice", "issued"), ("resource_state", "grace"),
                      ("purchased_at", (NOW_DT - timedelta(days=30)).isoformat())]


@FAST
@given(refund_cases(), st.sampled_from(FAILING_ITEM_FACTS), st.data())
def test_adding_a_failing_fact_never_turns_a_refund_eligible(case, fact, data):
    before = decide(case)
    index = data.draw(st.integers(0, len(case["items"]) - 1))
    case["items"][index][fact[0]] = fact[1]
    after = decide(case)
    assert after["items"][index]["decision"] == "ineligible"
    assert after["decision"] != "eligible"
    if before["decision"] == "ineligible":
        assert after["decision"] == "ineligible"


@FAST
@given(st.one_of(compensation_cases(), icp_cases()), st.data())
def test_adding_a_failing_fact_never_turns_a_decision_eligible(case, data):
    before = decide(case)
    if case["kind"] == "compensation":
        case["cause"] = data.draw(st.sampled_from(P.compensation["excluded_causes"]))
    else:
        where, key, value = data.draw(st.sampled_from([
            ("host", "status", "terminated_early"), ("host", "used_for_website", False),
            ("filing", "status", "rejected"), ("customer", "icp_reward_received", True),
            ("filing", "customer_delay_days", int(num("icp_delay_days"))),
            ("customer", "accumulated_recharge", "0")]))
        case[where][key] = value
    after = decide(case)
    assert after["decision"] == "ineligible"
    assert before["decision"] != "ineligible" or set(before["rules_failed"]) <= set(after["rules_failed"])


@FAST
@given(st.one_of(refund_cases(), compensation_cases(), icp_cases(),
                 st.builds(lambda t: {"kind": "support_scope", "topic": t}, st.sampled_from(E["topic"])),
                 st.builds(lambda b, o: {"kind": "hotline", "now": when(b, o)}, seconds_back, offsets)))
def test_every_decision_survives_a_json_round_trip(case):
    d = decide(case)
    assert json.loads(json.dumps(d)) == d
    for key in ("id", "kind", "decision", "rules_failed", "reasons", "missing", "waiting_for"):
        assert key in d
    assert len(d["reasons"]) >= len(d["rules_failed"])
    for sentence in d["reasons"] + d["notes"]:  # every placeholder was filled from data
        assert not re.search(r"\{[a-z_]+\}", sentence), sentence


# --- any input at all: a decision or PolicyInputError, never another exception ---
from bot.policy import PolicyInputError  # noqa: E402

_FIELDS = ["id", "kind", "now", "customer", "items", "tier", "refunds_this_year", "billing", "purchased_at",
           "amount_paid", "resource_state", "invoice", "unrecoverable_discounts", "scenario", "cause",
           "daily_cost", "fault_start", "fault_end", "host", "filing", "topic", "subscription", "status",
           "approved_at", "accumulated_recharge", "icp_reward_received", "used_for_website",
           "first_with_provider", "customer_delay_days"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(),
                     st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                     st.sampled_from(["2026-11-27T10:00:00+08:00", "2026-11-26T10:00:00Z", "2026-11-27T10:00:00",
                                      "300.00", "-1", "monthly", "grace", "issued", "vip", "common", "platform",
                                      "unknown", "approved", "active", "console", "billing_error"]
                                     + [v for values in E.values() for v in values]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_FIELDS), inner, max_size=6)), max_leaves=20)


_loose = st.fixed_dictionaries({"kind": st.sampled_from(["refund", "compensation", "icp_reward",
                                                        "support_scope", "hotline"])},
                               optional={k: _values for k in _FIELDS if k != "kind"})
_shaped = st.one_of(  # right shapes, any leaves: reaches the rules, not only the shape checks
    st.builds(lambda c, i: {"kind": "refund", "now": NOW_DT.isoformat(), "customer": c, "items": i},
              st.dictionaries(st.sampled_from(["tier", "refunds_this_year"]), _values, max_size=2),
              st.lists(st.dictionaries(st.sampled_from(_FIELDS), _values, max_size=7), min_size=1, max_size=3)),
    st.builds(lambda d: {"kind": "compensation", "now": NOW_DT.isoformat(), **d},
              st.dictionaries(st.sampled_from(["scenario", "cause", "daily_cost", "fault_start", "fault_end"]),
                              _values, max_size=5)),
    st.builds(lambda c, h, f: {"kind": "icp_reward", "customer": c, "host": h, "filing": f},
              st.dictionaries(st.sampled_from(_FIELDS), _values, max_size=4),
              st.dictionaries(st.sampled_from(["subscription", "used_for_website", "status"]), _values, max_size=3),
              st.dictionaries(st.sampled_from(["first_with_provider", "status", "approved_at",
                                               "customer_delay_days"]), _values, max_size=4)))


@settings(max_examples=120, deadline=None)
@given(st.one_of(_loose, _shaped))
def test_any_case_gives_a_decision_or_a_policy_input_error(case):
    try:
        d = decide(case)
    except PolicyInputError as err:
        assert err.field and str(err).startswith(err.field + ": ")
        return
    json.dumps(d, default=str)  # plain data (ids are echoed as given)
    assert d["decision"]
