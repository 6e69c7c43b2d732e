"""A detail or correction after the answer ("sorry, it came back at 15:00, not 16:00")
re-opens the check that just ended with its answers kept; "stop" forgets them."""
from __future__ import annotations

from actions.forms_base import LAST_CHECK, forget_and_remember
from actions.smalltalk import ActionCancelForm, ActionRouteInform, reopen_last_check
from tests.actions.conftest import make_tracker, responses

REMEMBERED = {"form": "fault_form", "slots": {"scenario": "service_unavailable", "daily_cost": "48.00",
                                                "fault_start": "2026-11-26T14:00:00+08:00",
                                                "fault_end": "2026-11-26T16:00:00+08:00"}}


def events_by_name(events):
    return {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}


def test_ending_a_check_keeps_its_answers_but_not_the_yes():
    tracker = make_tracker({"billing": "monthly", "refund_confirmed": True, "requested_slot": None})
    got = events_by_name(forget_and_remember("refund_form", tracker, ("billing", "refund_confirmed")))
    assert got["billing"] is None and got["refund_confirmed"] is None
    assert got[LAST_CHECK] == {"form": "refund_form", "slots": {"billing": "monthly"}}


async def test_a_correction_after_the_answer_reopens_the_check(dispatcher, domain):
    tracker = make_tracker({LAST_CHECK: REMEMBERED}, intent="inform", text="wait sorry, it came back at 15:00, not 16:00",
                           entities=[{"entity": "time", "value": "2026-11-26T15:00:00+08:00"}])
    events = await ActionRouteInform().run(dispatcher, tracker, domain)
    slots = events_by_name(events)
    assert slots["daily_cost"] == "48.00" and slots[LAST_CHECK] is None
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "fault_form"
    assert responses(dispatcher) == []


def test_a_daily_cost_said_in_words_is_a_detail_too():
    tracker = make_tracker({LAST_CHECK: REMEMBERED}, intent="inform", text="sorry, it was 48 a day not 84")
    assert reopen_last_check(tracker)[-1]["name"] == "fault_form"


async def test_nothing_to_reopen_falls_back(dispatcher, domain):
    events = await ActionRouteInform().run(dispatcher, make_tracker({}, intent="inform", text="hmm"), domain)
    assert "utter_default" in responses(dispatcher) or events


async def test_stop_forgets_the_last_check_too(dispatcher, domain):
    tracker = make_tracker({LAST_CHECK: REMEMBERED}, intent="stop", text="stop", active_loop="fault_form")
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    assert events_by_name(events)[LAST_CHECK] is None


async def test_a_claim_reference_alone_asks_its_status(dispatcher, domain):
    tracker = make_tracker({}, intent="inform", text="And RF-DEM00A?",
                           entities=[{"entity": "claim_ref", "value": "RF-DEM00A"}])
    events = await ActionRouteInform().run(dispatcher, tracker, domain)
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_refund_status"
