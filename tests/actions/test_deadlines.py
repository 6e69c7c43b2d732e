"""Deadlines that warn: R2 and C5 windows closing within a day are said
with the decision, and a "no" near the deadline hears it once."""
from __future__ import annotations

from datetime import datetime, timedelta

from actions.compensation import ActionAskFaultConfirmed, ActionFaultSubmit
from actions.deadline import closing_soon, in_about, show_deadline
from actions.refund import ActionAskRefundConfirmed, ActionRefundSubmit
from bot.clock import CST
from tests.actions.conftest import NOW, make_tracker, rendered, responses

DECLINE = "no, let me think about it until tomorrow"


def test_readable_deadline_in_the_policy_zone():
    assert show_deadline(NOW + timedelta(hours=1), NOW) == "today (Fri 27 Nov) at 11:00 (UTC+08:00), in about an hour"
    assert show_deadline(datetime(2026, 11, 28, 9, 30, tzinfo=CST), NOW).startswith("tomorrow (Sat 28 Nov) at 09:30 (UTC+08:00)")
    assert in_about(timedelta(minutes=20)) == "in about 20 minutes"
    assert in_about(timedelta(hours=5, minutes=10)) == "in about 5 hours"


def test_only_an_open_window_closing_within_a_day_is_soon():
    assert closing_soon((NOW + timedelta(hours=23)).isoformat(), NOW.isoformat())
    assert closing_soon((NOW + timedelta(hours=25)).isoformat(), NOW.isoformat()) is None
    assert closing_soon((NOW - timedelta(minutes=1)).isoformat(), NOW.isoformat()) is None
    assert closing_soon(None, NOW.isoformat()) is None


def c1004_last_hour_order(store):
    orders = [o for o in store.orders("C1004") if o.billing == "monthly" and o.product == "EVS"]
    return orders[0].order_id  # seed: bought refund_days x 24 - 1 hours ago


async def test_refund_decision_says_when_the_window_closes(store, dispatcher, domain):
    order = c1004_last_hour_order(store)
    await ActionAskRefundConfirmed().run(dispatcher, make_tracker({"refund_item": order}, customer="C1004"), domain)
    assert "utter_refund_closing_soon" in responses(dispatcher)
    text = " ".join(rendered(dispatcher, domain))
    assert "closes today (Fri 27 Nov) at 11:00 (UTC+08:00), in about an hour" in text


async def test_declining_near_the_refund_deadline_warns_once(store, dispatcher, domain):
    order = c1004_last_hour_order(store)
    slots = {"refund_item": order, "refund_confirmed": False}
    await ActionRefundSubmit().run(dispatcher, make_tracker(slots, customer="C1004", intent="deny", text=DECLINE), domain)
    assert responses(dispatcher) == ["utter_refund_not_filed", "utter_refund_declined_deadline"]
    assert "closes today (Fri 27 Nov) at 11:00" in rendered(dispatcher, domain)[1]
    assert store.claims("C1004", "refund") == []
    # the same "no" later in the conversation: not said again
    said = [{"event": "bot", "text": "...", "metadata": {"utter_action": "utter_refund_declined_deadline"}}]
    again = type(dispatcher)()
    await ActionRefundSubmit().run(again, make_tracker(slots, customer="C1004", intent="deny", text=DECLINE,
                                                       history=said), domain)
    assert responses(again) == ["utter_refund_not_filed"]


async def test_no_warning_far_from_the_deadline(store, dispatcher, domain):
    order = next(o for o in store.orders("C1001") if o.product == "ECS" and o.billing == "monthly").order_id
    await ActionRefundSubmit().run(dispatcher, make_tracker({"refund_item": order, "refund_confirmed": False},
                                                            customer="C1001", intent="deny", text=DECLINE), domain)
    assert responses(dispatcher) == ["utter_refund_not_filed"]  # 3 days left


FIXED_7_DAYS_LESS_2H_AGO = {"scenario": "service_unavailable", "fault_start": "2026-11-20T10:00:00+08:00",
                        "fault_end": "2026-11-20T12:00:00+08:00", "daily_cost": "48.00", "fault_cause": "platform"}


async def test_compensation_decision_says_when_c5_closes(store, dispatcher, domain):
    await ActionFaultSubmit().run(dispatcher, make_tracker(FIXED_7_DAYS_LESS_2H_AGO), domain)
    names = responses(dispatcher)
    assert "utter_fault_apply_by_soon" in names and "utter_fault_apply_by" not in names
    text = " ".join(rendered(dispatcher, domain))
    assert "closes today (Fri 27 Nov) at 12:00 (UTC+08:00), in about 2 hours" in text


async def test_declining_near_the_compensation_deadline_warns(store, dispatcher, domain, monkeypatch):
    inc = next(i for i in store.incidents("C1002") if i.cause == "platform" and i.scenario == "service_unavailable")
    # the clock set back to 3 hours before C5 closes for this (seed: long expired) outage
    monkeypatch.setenv("ASSURANCE_NOW", (inc.rectified_at + timedelta(days=7, hours=-3)).isoformat())
    ask = make_tracker({"fault_incident": inc.incident_id}, customer="C1002")
    await ActionAskFaultConfirmed().run(dispatcher, ask, domain)
    assert "utter_fault_apply_by_soon" in responses(dispatcher), responses(dispatcher)
    done = type(dispatcher)()
    slots = {"fault_incident": inc.incident_id, "fault_confirmed": False}
    await ActionFaultSubmit().run(done, make_tracker(slots, customer="C1002", intent="deny", text=DECLINE), domain)
    assert responses(done) == ["utter_fault_not_filed", "utter_fault_declined_deadline"]
    assert "in about 3 hours" in rendered(done, domain)[1]


async def test_stop_at_the_submit_question_is_a_no_with_the_warning(store, dispatcher, domain):
    """"no, let me think about it until tomorrow" read as stop: nothing filed, the window's end said."""
    from actions.smalltalk import ActionCancelForm

    order = c1004_last_hour_order(store)
    tracker = make_tracker({"refund_item": order, "requested_slot": "refund_confirmed"}, customer="C1004",
                           intent="stop", text=DECLINE, active_loop="refund_form")
    tracker.latest_message["intent"]["confidence"] = 0.45  # even a doubtful reading: declining loses nothing
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_refund_not_filed", "utter_refund_declined_deadline"]
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)
    assert store.claims("C1004", "refund") == []


async def test_stop_said_at_the_submit_question_ends_the_check_with_the_warning(store, dispatcher, domain):
    """"actually stop, forget the refund for now": the check ends there, nothing filed, the window's end said."""
    from actions.smalltalk import ActionCancelForm

    order = c1004_last_hour_order(store)
    tracker = make_tracker({"refund_item": order, "requested_slot": "refund_confirmed"}, customer="C1004",
                           intent="stop", text="actually stop, forget the refund for now", active_loop="refund_form")
    events = await ActionCancelForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_form_stopped", "utter_refund_declined_deadline"]
    assert any(e.get("event") == "active_loop" and e.get("name") is None for e in events)
    assert store.claims("C1004", "refund") == []


async def test_by_when_asked_in_the_check_gets_the_date_before_the_next_question(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm

    text = "And a second fault that was rectified on Friday 20 November at 11:00? By when exactly must that one be submitted?"
    fixed = "2026-11-20T11:00:00+08:00"
    tracker = make_tracker({"requested_slot": None}, intent="inform", text=text, active_loop="fault_form",
                           entities=[{"entity": "time", "text": "on Friday 20 November at 11:00", "start": 40,
                                      "end": 70, "value": fixed, "additional_info": {"grain": "minute"}}],
                           new_slots={"fault_when": fixed})
    events = await ValidateFaultForm().run(dispatcher, tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "fault_end", "value": fixed} in events
    assert responses(dispatcher) == ["utter_fault_apply_by_soon"]  # today 11:00, the check then asks what happened
    quiet = type(dispatcher)()
    plain = make_tracker({"requested_slot": None}, intent="inform", text="it was fixed on Friday 20 November at 11:00",
                         active_loop="fault_form", new_slots={"fault_when": fixed},
                         entities=[{"entity": "time", "text": "on Friday 20 November at 11:00", "start": 16, "end": 46,
                                    "value": fixed, "additional_info": {"grain": "minute"}}])
    await ValidateFaultForm().run(quiet, plain, domain)
    assert responses(quiet) == []


async def test_how_long_do_i_have_inside_the_refund_check_gets_its_window_end(store, dispatcher, domain):
    from actions.smalltalk import ActionOutOfScope

    order = c1004_last_hour_order(store)
    tracker = make_tracker({"refund_item": order, "requested_slot": "refund_confirmed"}, customer="C1004",
                           intent="out_of_scope", active_loop="refund_form",
                           text="And how long do I have to decide? I would like to ask my grandson on Sunday.")
    assert await ActionOutOfScope().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_refund_closing_soon"]
    assert "today (Fri 27 Nov) at 11:00" in rendered(dispatcher, domain)[0]
    other = type(dispatcher)()
    await ActionOutOfScope().run(other, make_tracker({"refund_item": order, "requested_slot": "refund_confirmed"},
                                                     customer="C1004", intent="out_of_scope", active_loop="refund_form",
                                                     text="what's the weather in Guangzhou?"), domain)
    assert responses(other) == ["utter_out_of_scope"]
