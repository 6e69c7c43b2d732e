"""Nothing irreversible on a doubtful reading: ending a check,
switching checks, opening a ticket and filing need a clear request; a switch keeps
the facts the next check shares."""
from __future__ import annotations

from actions.handoff import ActionHandoff
from actions.refund import ValidateRefundForm
from actions.smalltalk import ActionCancelForm
from tests.actions.conftest import make_tracker, responses


def doubtful(tracker, confidence: float = 0.41):
    tracker.latest_message["intent"]["confidence"] = confidence
    user = next(e for e in reversed(tracker.events) if e["event"] == "user")
    user["parse_data"]["intent"]["confidence"] = confidence
    return tracker


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_a_doubtful_stop_asks_and_keeps_the_answers(dispatcher, domain):
    tracker = doubtful(make_tracker({"billing": "monthly"}, intent="stop", text="none so far",
                                    active_loop="refund_form"))
    assert await ActionCancelForm().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_stop_unsure"]


async def test_a_clear_stop_ends_the_check(dispatcher, domain):
    events = await ActionCancelForm().run(dispatcher, make_tracker({"billing": "monthly"}, intent="stop",
                                                                   active_loop="refund_form"), domain)
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert responses(dispatcher) == ["utter_form_cancelled"]


async def test_a_doubtful_switch_asks(dispatcher, domain):
    tracker = doubtful(make_tracker({}, intent="request_refund", active_loop="fault_form"))
    assert await ActionCancelForm().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_switch_unsure"]


async def test_a_switch_keeps_the_order_of_a_signed_in_customer(store, dispatcher, domain):
    tracker = make_tracker({"fault_order": "CS2611250001", "daily_cost": "10.00"}, intent="request_refund",
                           customer="C1001", active_loop="fault_form")
    slots = slot_events(await ActionCancelForm().run(dispatcher, tracker, domain))
    assert slots["refund_item"] == "CS2611250001" and slots["daily_cost"] is None
    assert responses(dispatcher) == ["utter_form_switched"]


async def test_a_doubtful_handoff_offers_a_ticket_instead_of_opening_one(store, dispatcher, domain):
    tracker = doubtful(make_tracker({}, intent="human_handoff", text="no, let me think about it until tomorrow",
                                    customer="C1001"))
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_offer"]
    assert [c for c in store.claims("C1001") if c.kind == "ticket"] == []


async def test_a_doubtful_yes_does_not_file(store, dispatcher, domain):
    tracker = doubtful(make_tracker({"requested_slot": "refund_confirmed"}, intent="affirm", text="hmm maybe",
                                    active_loop="refund_form", new_slots={"refund_confirmed": True}))
    out = ValidateRefundForm().validate_refund_confirmed(True, dispatcher, tracker, domain)
    assert out.get("refund_confirmed") is not True
    sure = make_tracker({"requested_slot": "refund_confirmed"}, intent="affirm", text="yes submit it",
                        active_loop="refund_form")
    assert ValidateRefundForm().validate_refund_confirmed(True, dispatcher, sure, domain) == {"refund_confirmed": True}


def test_complaints_are_heard():
    from actions.tone import is_complaint

    assert is_complaint("your garbage cloud killed my shop AGAIN during the sale")
    assert is_complaint("server DOWN since 8am!!! what are you going to do about it")
    assert is_complaint("你们这什么破服务器，又挂了")
    assert not is_complaint("my ECS was down yesterday from 2 to 3:35pm, what do I get?")
    assert not is_complaint("I'd like a refund for CS2611240001 please")


async def test_an_angry_fault_report_gets_empathy_once_before_the_check(store, dispatcher, domain):
    from actions.compensation import ValidateFaultForm

    text = "my damn server crashed AGAIN, this is UNACCEPTABLE"
    first = make_tracker({"requested_slot": None}, intent="report_fault", text=text, active_loop="fault_form",
                         history=[{"event": "active_loop", "name": "fault_form"}])
    await ValidateFaultForm().run(dispatcher, first, domain)
    assert responses(dispatcher)[0] == "utter_sorry_trouble"
    later = make_tracker({"requested_slot": "scenario"}, intent="inform", text="it's STILL DOWN!!", active_loop="fault_form",
                         history=[{"event": "active_loop", "name": "fault_form"},
                                  {"event": "slot", "name": "requested_slot", "value": "scenario"}])
    again = type(dispatcher)()
    await ValidateFaultForm().run(again, later, domain)
    assert "utter_sorry_trouble" not in responses(again)


async def test_going_back_to_a_check_left_for_another_brings_its_answers_back(store, dispatcher, domain):
    at_confirm = make_tracker({"refund_item": "CS2611250001", "requested_slot": "refund_confirmed"},
                              intent="report_fault", text="wait. first how much for the outage yesterday?",
                              customer="C1001", active_loop="refund_form")
    left = slot_events(await ActionCancelForm().run(dispatcher, at_confirm, domain))
    assert left["left_check"] == {"form": "refund_form", "slots": {"refund_item": "CS2611250001"}}
    history = [{"event": "slot", "name": "left_check", "value": left["left_check"]},
               {"event": "slot", "name": "last_check", "value": {"form": "fault_form", "slots": {}}}]
    back = make_tracker({}, intent="request_refund", text="whatever. back to the ECS refund", customer="C1001",
                        history=history, active_loop="refund_form")
    assert slot_events(ValidateRefundForm().answers_again(back)) == {"refund_item": "CS2611250001"}
    new = make_tracker({}, intent="request_refund", text="and I want a refund for the RDS too", customer="C1001",
                       history=history, active_loop="refund_form")
    assert ValidateRefundForm().answers_again(new) == []


def test_going_back_is_said_in_many_ways():
    from actions.forms_base import goes_back

    assert goes_back("ok back to the refund")
    assert goes_back("好，回到剛才重複扣費那個賠償，申請期限到哪一天？")
    assert goes_back("let's go back to the compensation")
    assert not goes_back("I want my money back")
    assert not goes_back("the server came back at 3pm")
