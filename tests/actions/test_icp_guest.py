"""A guest's ICP reward check: asked first filing, filing status and tier only, then
a qualified yes naming each condition we cannot see; a failed stated fact refuses."""
from __future__ import annotations

from actions.icp import ActionIcpResult, ValidateIcpForm
from actions.icp_guest import open_conditions
from tests.actions.conftest import make_tracker, rendered, responses


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_guest_is_asked_first_filing_status_and_tier_only(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": None}, intent="ask_icp_reward", active_loop="icp_form",
                           new_slots={"first_with_provider": True, "filing_status": "approved"})
    slots = slot_events(await ValidateIcpForm().run(dispatcher, tracker, domain))
    assert slots["requested_slot"] == "customer_tier"
    done = make_tracker({"requested_slot": "customer_tier", "first_with_provider": True, "filing_status": "approved"},
                        active_loop="icp_form", new_slots={"customer_tier": "common"})
    assert slot_events(await ValidateIcpForm().run(type(dispatcher)(), done, domain))["requested_slot"] is None


async def test_qualified_yes_gives_the_tiers_amount_and_every_open_condition(store, dispatcher, domain):
    slots = {"first_with_provider": True, "filing_status": "approved", "customer_tier": "vip"}
    await ActionIcpResult().run(dispatcher, make_tracker(slots), domain)
    said = responses(dispatcher)
    assert said[0] == "utter_icp_eligible_provisional"
    assert sorted(r for r in said if r.startswith("utter_icp_condition_")) == [
        f"utter_icp_condition_I{n}" for n in (1, 2, 4, 5, 6, 8)]
    text = " ".join(rendered(dispatcher, domain))
    assert "200" in text and "(I3, I7, I9)" in text


async def test_a_filing_in_progress_says_it_waits_and_what_comes(store, dispatcher, domain):
    slots = {"first_with_provider": True, "filing_status": "in_progress", "customer_tier": "common",
             "host_subscription": "monthly", "used_for_website": True}
    await ActionIcpResult().run(dispatcher, make_tracker(slots), domain)
    said = responses(dispatcher)
    assert said[:2] == ["utter_icp_waiting_approval", "utter_icp_provisional_when_approved"]
    assert "utter_icp_condition_I1" not in said and "utter_icp_condition_I2" not in said


async def test_not_a_first_filing_refuses_with_i3(store, dispatcher, domain):
    slots = {"first_with_provider": False, "filing_status": "approved", "customer_tier": "common"}
    await ActionIcpResult().run(dispatcher, make_tracker(slots), domain)
    said = responses(dispatcher)
    assert said[0] == "utter_icp_ineligible" and "utter_icp_rule_I3" in said


def test_a_missing_decisive_fact_is_no_qualified_yes():
    assert open_conditions({"decision": "undetermined", "rules_failed": [],
                            "missing": ["filing.first_with_provider"]}) is None
