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


async def test_a_daily_cost_said_in_words_is_a_detail_too():
    tracker = make_tracker({LAST_CHECK: REMEMBERED}, intent="inform", text="sorry, it was 48 a day not 84")
    assert (await reopen_last_check(tracker))[-1]["name"] == "fault_form"


async def test_another_product_after_an_answer_is_the_same_check_on_that_record(store, dispatcher, domain):
    # C1002: the RDS was refused; "then the OBS package" checks the OBS, not the RDS again
    rds = next(o.order_id for o in store.orders("C1002") if o.product == "RDS")
    last = {"form": "refund_form", "slots": {"refund_item": rds, "customer_tier": "vip"}}
    tracker = make_tracker({LAST_CHECK: last}, customer="C1002", intent="out_of_scope", text="then the OBS package",
                           entities=[{"entity": "product", "value": "OBS"}])
    slots = events_by_name(await reopen_last_check(tracker))
    obs = next(o.order_id for o in store.orders("C1002") if o.product == "OBS")
    assert slots["refund_item"] == obs and slots["customer_tier"] == "vip"


async def test_the_same_product_again_is_a_correction_of_that_record(store, dispatcher, domain):
    rds = next(o.order_id for o in store.orders("C1002") if o.product == "RDS")
    last = {"form": "refund_form", "slots": {"refund_item": rds}}
    tracker = make_tracker({LAST_CHECK: last}, customer="C1002", intent="inform", text="the RDS has no invoice",
                           entities=[{"entity": "product", "value": "RDS"}])
    assert events_by_name(await reopen_last_check(tracker))["refund_item"] == rds


async def test_a_guest_asking_about_another_product_starts_afresh(dispatcher, domain):
    last = {"form": "refund_form", "slots": {"billing": "yearly", "customer_tier": "common"}}
    tracker = make_tracker({LAST_CHECK: last}, intent="out_of_scope", text="what about the OBS then",
                           entities=[{"entity": "product", "value": "OBS"}])
    slots = events_by_name(await reopen_last_check(tracker))
    assert "billing" not in slots and slots["customer_tier"] == "common"


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


async def test_the_corrected_time_is_taken_and_the_one_taken_back_is_not(dispatcher, domain):
    text = "wait sorry, it came back at 15:00, not 16:00"
    entities = [{"entity": "time", "value": "2026-11-26T15:00:00+08:00", "start": 28, "end": 33},
                {"entity": "time", "value": "2026-11-26T16:00:00+08:00", "start": 39, "end": 44}]
    tracker = make_tracker({LAST_CHECK: REMEMBERED}, intent="inform", text=text, entities=entities)
    slots = events_by_name(await ActionRouteInform().run(dispatcher, tracker, domain))
    assert slots["fault_end"] == "2026-11-26T15:00:00+08:00" and slots["fault_start"] == "2026-11-26T14:00:00+08:00"
    assert "fault_when" not in slots


def test_a_value_after_not_is_taken_back():
    from actions.forms_base import negated

    text = "it came back at 15:00, not 16:00"
    assert negated(text, {"start": 27}) and not negated(text, {"start": 16})


async def test_a_guest_asking_the_same_check_again_keeps_the_answers(store, dispatcher, domain):
    """"如果我把发票退回去呢？" after the R4 answer: billing and purchase time are kept."""
    from actions.refund import ValidateRefundForm

    last = {"form": "refund_form", "slots": {"billing": "yearly", "purchased_at": "2026-11-23T10:00:00+08:00",
                                              "invoice": "issued"}}
    tracker = make_tracker({LAST_CHECK: last, "requested_slot": None}, intent="request_refund",
                           text="如果我把发票退回去呢？", active_loop="refund_form",
                           history=[{"event": "active_loop", "name": "refund_form"}],
                           new_slots={"invoice": "returned"})
    slots = events_by_name(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["billing"] == "yearly" and slots["invoice"] == "returned"
    assert slots["requested_slot"] == "refund_confirmed"  # no fact asked again, only whether to file


def test_a_corrected_period_in_clock_times_stays_on_its_day():
    from actions.fault_period import on_the_day_of

    said = {"fault_start": "2026-11-26T13:00:00+08:00", "fault_end": "2026-11-26T15:30:00+08:00"}
    assert on_the_day_of(said, "2026-11-24T13:00:00+08:00") == {
        "fault_start": "2026-11-24T13:00:00+08:00", "fault_end": "2026-11-24T15:30:00+08:00"}


async def test_a_time_right_after_the_hotline_hours_asks_about_the_hotline_then(dispatcher, domain):
    history = [{"event": "user", "text": "is the hotline open?", "parse_data": {"intent": {"name": "ask_hotline"}}},
               {"event": "bot", "text": "The hotline is open right now.",
                "metadata": {"utter_action": "utter_hotline_open_now"}}]
    tracker = make_tracker({}, intent="inform", text="09:00 then?", history=history,
                           entities=[{"entity": "time", "value": "2026-11-30T09:00:00+08:00"}])
    events = await ActionRouteInform().run(dispatcher, tracker, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "action_hotline"}]


async def test_the_hotline_follow_up_runs_once_a_turn(dispatcher, domain):
    history = [{"event": "user", "text": "is the hotline open?", "parse_data": {"intent": {"name": "ask_hotline"}}},
               {"event": "bot", "text": "The hotline is open right now.",
                "metadata": {"utter_action": "utter_hotline_open_now"}}]
    tracker = make_tracker({}, intent="inform", text="09:00 then?", history=history,
                           entities=[{"entity": "time", "value": "2026-11-30T09:00:00+08:00"}])
    tracker.events.append({"event": "action", "name": "action_hotline"})
    from actions.contact import hotline_just_answered

    assert not hotline_just_answered(tracker)


async def test_a_core_fallback_after_an_answer_this_turn_says_nothing_more(dispatcher, domain):
    from actions.smalltalk import ActionFallback

    tracker = make_tracker({}, intent="inform", text="09:00 then?")
    tracker.events.append({"event": "action", "name": "action_hotline"})
    tracker.events.append({"event": "bot", "text": "Yes, the hotline is open then.",
                           "metadata": {"utter_action": "utter_hotline_open_then"}})
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == [] and events == [{"event": "rewind", "timestamp": None}]


async def test_a_core_fallback_in_a_check_after_an_answer_only_asks_again(dispatcher, domain):
    from actions.smalltalk import ActionFallback

    tracker = make_tracker({"requested_slot": "refund_confirmed"}, intent="out_of_scope", active_loop="refund_form",
                           text="and if they only get round to it at 18:30 today?")
    tracker.events.append({"event": "action", "name": "action_hotline"})
    tracker.events.append({"event": "bot", "text": "No, the hotline is closed then.",
                           "metadata": {"utter_action": "utter_hotline_closed_then"}})
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_ask_refund_confirmed"]
    assert events == [{"event": "rewind", "timestamp": None}]


def test_a_new_fault_described_after_an_answer_is_not_a_correction_of_it():
    from actions.smalltalk import another_fault

    kept = {"fault_start": "2026-11-23T00:00:00+08:00", "fault_cause": "scheduled_maintenance"}
    yesterday = {"entity": "time", "text": "yesterday afternoon", "value": "2026-11-26T12:00:00+08:00"}
    new = {"text": "And yesterday afternoon the new instance I ordered took 3 hours to even show up.",
           "entities": [yesterday]}
    assert another_fault(new, kept)
    corrected = {"text": "sorry, I meant yesterday afternoon, the new instance took 3 hours to show up",
                 "entities": [yesterday]}
    assert not another_fault(corrected, kept)
    same_day_only = {"text": "it was yesterday afternoon", "entities": [yesterday]}
    assert not another_fault(same_day_only, kept)
