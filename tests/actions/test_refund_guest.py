"""A guest's refund: asked the billing type and purchase time only, then a qualified
yes naming each condition we cannot see (R3, R4, R6) and the R7 amount rule; a
condition the guest stated is used (R4 still refuses)."""
from __future__ import annotations

from actions.refund import ActionRefundSubmit, ValidateRefundForm
from actions.refund_guest import open_conditions, provisional_responses
from tests.actions.conftest import make_tracker, rendered, responses

BOUGHT = "2026-11-25T09:00:00+08:00"


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_guest_with_billing_and_date_is_asked_only_whether_to_file(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": None}, intent="request_refund", active_loop="refund_form",
                           new_slots={"billing": "yearly", "purchased_at": BOUGHT})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["requested_slot"] == "refund_confirmed"  # only whether to file it


async def test_qualified_yes_names_every_condition_and_the_amount_rule(store, dispatcher, domain):
    await ActionRefundSubmit().run(dispatcher, make_tracker({"billing": "yearly", "purchased_at": BOUGHT}), domain)
    said = responses(dispatcher)
    assert said == ["utter_refund_eligible_provisional", "utter_refund_conditions_intro",
                    "utter_refund_condition_invoice", "utter_refund_condition_resource_state",
                    "utter_refund_condition_limit", "utter_refund_condition_amount", "utter_refund_warning",
                    "utter_guest_how_to_file"]
    text = " ".join(rendered(dispatcher, domain))
    for rule in ("(R1, R2)", "(R4)", "(R6)", "(R3", "(R7)", "(R8)"):
        assert rule in text


async def test_stated_conditions_are_not_repeated_and_the_amount_is_shown(store, dispatcher, domain):
    slots = {"billing": "monthly", "purchased_at": BOUGHT, "invoice": "none", "customer_tier": "vip",
             "amount_paid": "1200.00"}
    await ActionRefundSubmit().run(dispatcher, make_tracker(slots), domain)
    said = responses(dispatcher)
    assert "utter_refund_condition_invoice" not in said and "utter_refund_condition_limit" not in said
    assert "utter_refund_condition_amount_known" in said
    assert "1,200.00" in " ".join(rendered(dispatcher, domain))


async def test_a_stated_issued_invoice_still_refuses(store, dispatcher, domain):
    slots = {"billing": "monthly", "purchased_at": BOUGHT, "invoice": "issued"}
    await ActionRefundSubmit().run(dispatcher, make_tracker(slots), domain)
    said = responses(dispatcher)
    assert said[0] == "utter_refund_ineligible" and "utter_refund_rule_R4" in said
    assert "utter_refund_eligible_provisional" not in said


def test_a_missing_decisive_fact_is_no_qualified_yes():
    undetermined = {"decision": "undetermined", "rules_failed": [], "missing": ["items[0].purchased_at"]}
    assert open_conditions(undetermined) is None
    assert open_conditions({"decision": "ineligible", "rules_failed": ["R2"], "missing": []}) is None
    assert provisional_responses([], None) == ["utter_refund_eligible_provisional", "utter_refund_condition_amount"]


def test_a_known_amount_and_discount_give_the_figure():
    assert provisional_responses(["invoice"], "399.00", "349.00", "50.00")[-1] == "utter_refund_condition_amount_deducted"
    assert provisional_responses([], "150.00", "150.00", "0")[-1] == "utter_refund_condition_amount_full"
    assert provisional_responses([], "150.00", "150.00", None)[-1] == "utter_refund_condition_amount_known"
