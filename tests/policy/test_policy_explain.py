"""explain(decision): the hotline agent's reading, from the same data as the
assistant's sentences (the decision's reasons and notes, the rule table)."""
from __future__ import annotations

from datetime import timedelta

from bot.policy import decide, explain, load_policy
from policy_cases import NOW_DT, apply_window, compensation, fig, icp, item, refund

P = load_policy()


def test_explain_lists_every_failed_rule_with_id_clause_and_why():
    d = decide(refund([item(id="A1", invoice="issued", resource_state="grace"), item(id="B2")]))
    text = explain(d)
    assert text.splitlines()[0] == "Refund case r: PARTIALLY ELIGIBLE"
    assert "Refund total: 300.00" in text
    for rid in ("R4", "R6"):
        rule = P.rule(rid)
        assert f"  {rid} {rule.title}" in text
        assert f'Published clause: "{rule.clause}"' in text
    for reason in d["reasons"]:  # the assistant's sentence, without the repeated clause
        assert reason.split(" The policy says:")[0] in text
    assert P.rule("R6").note in text and P.rule("R8").note in text


def test_explain_lists_missing_facts_in_asking_order_and_waiting_events():
    d = decide(compensation(cause="unknown", daily_cost=..., fault_start=...))
    text = explain(d)
    assert "UNDETERMINED" in text and "Compensation: not known yet" in text
    assert text.index("(fault_start)") < text.index("(daily_cost)")
    assert P.raw["waiting"]["cause_review"]["text"] in text


def test_explain_cap_compensation_says_at_most():
    d = decide(compensation(scenario="billing_error"))
    text = explain(d)
    assert "Compensation: at most" in text and f"x{fig('fault_cap_multiplier')} (a ceiling)" in text


def test_explain_ineligible_compensation_names_C5():
    end = NOW_DT - apply_window() - timedelta(hours=1)
    d = decide(compensation(fault_start=(end - timedelta(hours=1)).isoformat(), fault_end=end.isoformat()))
    text = explain(d)
    assert "INELIGIBLE" in text and "Compensation: 0.00" in text and "C5 " + P.rule("C5").title in text


def test_explain_icp_waiting_for_approval():
    d = decide(icp(filing={"status": "submitted_to_authority", "approved_at": ...}))
    text = explain(d)
    assert "Reward: 0.00" in text and P.raw["waiting"]["filing_approval"]["text"] in text


def test_explain_hotline_and_scope():
    text = explain(decide({"id": "h", "kind": "hotline", "now": "2026-11-28T20:00:00+08:00"}))
    assert "CLOSED" in text and fig("hotline_number") in text and "next opens at 2026-11-30T09:00:00+08:00" in text
    text = explain(decide({"id": "s", "kind": "support_scope", "topic": "code_development"}))
    assert "NOT PROVIDED" in text and P.rule("S2").clause in text


def test_explain_of_an_error_line():
    assert explain({"id": "x", "error": "items: is an empty list"}) == "Case x: BAD INPUT - items: is an empty list"


def test_ineligible_refund_missing_facts_are_shown_as_not_changing_the_outcome():
    text = explain(decide(refund([item(invoice="issued", amount_paid=...)])))
    assert "they cannot change the outcome" in text
