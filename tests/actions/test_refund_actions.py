"""Refund dialog actions (R1-R9) with real trackers, dispatcher, domain, policy
and the seeded demo store (docs/STORE.md: C1001 has one order per refund rule)."""
from __future__ import annotations

import pytest

from actions.refund import (ActionAskRefundConfirmed, ActionAskRefundItem, ActionRefundStatus,
                            ActionRefundSubmit, ValidateRefundForm)
from bot.policy import load_policy
from tests.actions.conftest import make_tracker, rendered, responses


def order(store, cid, product, billing, **extra):
    for o in store.orders(cid):
        if o.product == product and o.billing == billing and all(getattr(o, k) == v for k, v in extra.items()):
            return o
    raise AssertionError(f"no {product} {billing} order for {cid} in the seed")


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_known_customer_order_goes_straight_to_the_r8_question(store, dispatcher, domain):
    ecs = order(store, "C1001", "ECS", "monthly")
    tracker = make_tracker({"requested_slot": None}, customer="C1001", intent="request_refund",
                           new_slots={"refund_item": ecs.order_id}, active_loop="refund_form")
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["refund_item"] == ecs.order_id
    assert slots["requested_slot"] == "refund_confirmed"  # nothing to ask: the store knows it all


async def test_r8_question_shows_amount_with_deduction_and_warning(store, dispatcher, domain):
    ecs = order(store, "C1001", "ECS", "monthly")
    tracker = make_tracker({"refund_item": ecs.order_id}, customer="C1001", active_loop="refund_form")
    await ActionAskRefundConfirmed().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_refund_eligible_deducted", "utter_refund_warning", "utter_ask_refund_confirmed"]
    text = " ".join(rendered(dispatcher, domain))
    assert "280.00" in text and "300.00" in text and "20.00" in text  # R7, STORE.md C1001
    assert f"{load_policy().figures()['refund_days']}-day" in text


async def test_confirmed_refund_is_filed_once_with_reference_and_steps(store, dispatcher, domain):
    ecs = order(store, "C1001", "ECS", "monthly")
    tracker = make_tracker({"refund_item": ecs.order_id, "refund_confirmed": True}, customer="C1001", intent="affirm")
    events = await ActionRefundSubmit().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_refund_filed", "utter_refund_steps"]
    reference = dispatcher.messages[0]["reference"]
    assert reference.startswith("RF-")
    claims = store.claims("C1001", "refund")
    assert [c.reference for c in claims] == [reference] and claims[0].status == "submitted"
    # the form's answers are reset; the last check keeps them for a correction, not the yes
    assert all(e["value"] is None for e in events if e["name"] != "last_check")
    (last,) = [e["value"] for e in events if e["name"] == "last_check"]
    assert last["form"] == "refund_form" and "refund_confirmed" not in last["slots"]
    again = type(dispatcher)()
    await ActionRefundSubmit().run(again, tracker, domain)  # a retry files nothing new
    assert again.messages[0]["reference"] == reference
    assert len(store.claims("C1001", "refund")) == 1


async def test_declined_r8_files_nothing(store, dispatcher, domain):
    ecs = order(store, "C1001", "ECS", "monthly")
    tracker = make_tracker({"refund_item": ecs.order_id, "refund_confirmed": False}, customer="C1001", intent="deny")
    await ActionRefundSubmit().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_refund_not_filed"]
    assert store.claims("C1001", "refund") == []


async def test_grace_period_is_refused_with_deletion_offered(store, dispatcher, domain):
    rds = order(store, "C1001", "RDS", "monthly")
    tracker = make_tracker({"refund_item": rds.order_id}, customer="C1001")
    await ActionRefundSubmit().run(dispatcher, tracker, domain)
    assert "utter_refund_ineligible" in responses(dispatcher)
    assert "utter_refund_rule_R6" in responses(dispatcher)
    assert "delete" in " ".join(rendered(dispatcher, domain))
    assert store.claims("C1001", "refund") == []


async def test_r3_limit_for_c1003(store, dispatcher, domain):
    ecs = order(store, "C1003", "ECS", "monthly", description="bought yesterday")
    tracker = make_tracker({"refund_item": ecs.order_id}, customer="C1003")
    await ActionRefundSubmit().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_refund_ineligible", "utter_refund_rule_R3"]
    assert load_policy().figures()["refund_limit"] in rendered(dispatcher, domain)[1]


async def test_order_buttons_leave_out_what_the_policy_rules_out(store, dispatcher, domain):
    tracker = make_tracker({}, customer="C1001", intent="request_refund", active_loop="refund_form")
    await ActionAskRefundItem().run(dispatcher, tracker, domain)
    buttons = dispatcher.messages[0]["buttons"]
    shown = {b["payload"].split('"')[3] for b in buttons}
    assert order(store, "C1001", "ECS", "monthly").order_id in shown
    assert order(store, "C1001", "OBS", "pay_per_use").order_id not in shown  # R5
    assert order(store, "C1001", "RDS", "monthly").order_id not in shown  # R6


async def test_another_accounts_order_is_not_found(store, dispatcher, domain):
    other = order(store, "C1002", "ECS", "hourly")
    tracker = make_tracker({"requested_slot": "refund_item"}, customer="C1001",
                           new_slots={"refund_item": other.order_id}, active_loop="refund_form")
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["refund_item"] is None
    assert "utter_order_not_found" in responses(dispatcher)


async def test_guest_is_asked_only_what_the_policy_needs_and_long_message_counts(store, dispatcher, domain):
    # "monthly, no invoice, still active" in the first message: those are not asked again
    tracker = make_tracker({"requested_slot": None}, intent="request_refund", active_loop="refund_form",
                           new_slots={"billing": "monthly", "invoice": "none", "resource_state": "active"})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["billing"] == "monthly" and slots["invoice"] == "none"
    assert slots["requested_slot"] == "purchased_at"


async def test_guest_pay_per_use_stops_asking_and_explains(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "billing"}, active_loop="refund_form",
                           new_slots={"billing": "pay_per_use"})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["requested_slot"] is None  # ineligible: nothing can change it
    after = make_tracker({"billing": "pay_per_use"})
    await ActionRefundSubmit().run(dispatcher, after, domain)
    assert "utter_refund_rule_R5" in responses(dispatcher)
    assert "utter_guest_how_to_file" in responses(dispatcher)


async def test_guest_full_answers_give_amount_but_nothing_is_filed(store, dispatcher, domain):
    slots = {"billing": "monthly", "purchased_at": "2026-11-25T09:00:00+08:00", "invoice": "none",
             "resource_state": "active", "amount_paid": "300.00", "unrecoverable_discounts": "20.00",
             "customer_tier": "common", "refunds_this_year": 2}
    await ActionRefundSubmit().run(dispatcher, make_tracker(slots), domain)
    assert responses(dispatcher)[0] == "utter_refund_eligible_deducted"
    assert "280.00" in rendered(dispatcher, domain)[0]
    assert "utter_guest_how_to_file" in responses(dispatcher)


async def test_purchase_in_the_future_is_refused_clearly(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "purchased_at", "billing": "monthly"}, active_loop="refund_form",
                           new_slots={"purchased_at": "2026-11-29T09:00:00+08:00"})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert slot_events(events)["purchased_at"] is None
    assert "utter_invalid_fact" in responses(dispatcher)


async def test_correction_replaces_the_purchase_time(store, dispatcher, domain):
    """'no, it was the 24th' while another question is open."""
    tracker = make_tracker({"requested_slot": "invoice", "billing": "monthly", "purchased_at": "2026-11-23T10:00:00+08:00"},
                           active_loop="refund_form", new_slots={"purchased_at": "2026-11-24T10:00:00+08:00"})
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    slots = slot_events(events)
    assert slots["purchased_at"] == "2026-11-24T10:00:00+08:00"
    assert slots["requested_slot"] == "refund_confirmed"  # a guest: billing and purchase time, then whether to file


ANSWERED = {"purchased_at": "2026-11-25T09:00:00+08:00", "invoice": "none", "resource_state": "active"}


async def test_two_failed_answers_explain_then_ask_to_go_on(store, dispatcher, domain):
    first = make_tracker({"requested_slot": "billing", **ANSWERED}, active_loop="refund_form",
                         new_slots={"billing": "lots"})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, first, domain))
    assert slots["repeated_validation_failures"] == 1.0 and slots["requested_slot"] == "billing"
    second = make_tracker({"requested_slot": "billing", **ANSWERED, "repeated_validation_failures": 1.0},
                          active_loop="refund_form", new_slots={"billing": "many"})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, second, domain))
    assert any(r.startswith("utter_explain_") for r in responses(dispatcher))
    assert slots["requested_slot"] == "continue_form"
    third = make_tracker({"requested_slot": "continue_form", **ANSWERED, "form_paused": True},
                         active_loop="refund_form", new_slots={"continue_form": False})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, third, domain))
    assert slots["requested_slot"] is None
    done = type(dispatcher)()
    await ActionRefundSubmit().run(done, make_tracker({"continue_form": False, "billing": "monthly"}), domain)
    assert responses(done) == ["utter_form_stopped"]


async def test_status_lists_own_claims_only(store, dispatcher, domain):
    await ActionRefundStatus().run(dispatcher, make_tracker({}, customer="C1003", intent="refund_status"), domain)
    names = responses(dispatcher)
    assert names[0] == "utter_status_intro" and len(names) > 2
    text = " ".join(rendered(dispatcher, domain))
    assert "RF-DEM00" in text
    other = type(dispatcher)()
    await ActionRefundStatus().run(other, make_tracker({}, customer="C1001", intent="refund_status"), domain)
    assert responses(other) == ["utter_status_none"]


async def test_status_by_reference_is_scoped_to_the_owner(store, dispatcher, domain):
    ref = store.claims("C1003", "refund")[0].reference
    entities = [{"entity": "claim_ref", "value": ref}]
    await ActionRefundStatus().run(dispatcher, make_tracker({}, customer="C1001", intent="refund_status", entities=entities), domain)
    assert responses(dispatcher) == ["utter_status_unknown_reference"]


async def test_guest_status_reads_nothing(store, dispatcher, domain):
    await ActionRefundStatus().run(dispatcher, make_tracker({}, intent="refund_status"), domain)
    assert responses(dispatcher) == ["utter_status_guest"]


async def test_one_validation_run_reads_each_case_once(store, dispatcher, domain, monkeypatch):
    """rasa_sdk asks required_slots three times per run; the store is read once."""
    calls = []
    original = store.refund_case
    monkeypatch.setattr(store, "refund_case", lambda *a, **k: calls.append(a) or original(*a, **k))
    ecs = order(store, "C1001", "ECS", "monthly")
    tracker = make_tracker({"requested_slot": None}, customer="C1001", intent="request_refund",
                           new_slots={"refund_item": ecs.order_id}, active_loop="refund_form")
    await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert len(calls) == 1


async def test_no_refundable_order_names_the_rule_or_request_for_each_and_still_takes_an_id(store, dispatcher, domain):
    await ActionAskRefundItem().run(dispatcher, make_tracker({}, customer="C1003"), domain)  # R3 blocks all
    names = responses(dispatcher)
    assert names[0] == "utter_refund_none_qualify" and names[-1] == "utter_ask_refund_item_other"
    assert "buttons" not in dispatcher.messages[0] or not dispatcher.messages[0]["buttons"]
    lines = dict(zip((m.get("item") for m in dispatcher.messages), rendered(dispatcher, domain), strict=True))
    fresh = order(store, "C1003", "ECS", "monthly", description="bought yesterday").order_id
    policy = load_policy()
    assert f"{policy.rule('R3').title} (R3)" in lines[fresh]  # the rule, not a bare "none"
    held = store.open_claims("C1003", "refund")
    shown_held = [i for i in held if i in lines]
    assert shown_held and all(f"already requested in {held[i].reference}" in lines[i] for i in shown_held)
    others = [i for i in lines if i and i != fresh and i not in held]
    assert others and all(f"{policy.rule('R2').title} (R2)" in lines[i] for i in others)  # rejected/withdrawn: R2
    text = " ".join(lines.values())
    assert "_" not in text and "None" not in text


async def test_the_purchase_said_instead_of_one_taken_back_is_kept(store, dispatcher, domain):
    """"purchased sunday 22:10, not saturday. the saturday one was a different order": Rasa's
    mapping keeps the last time said (saturday); the purchase is the one not taken back."""
    text = "it was purchased sunday 22:10, not saturday. the saturday one was a different order"
    said = [("sunday 22:10", "2026-11-22T22:10:00+08:00"), ("saturday", "2026-11-21T00:00:00+08:00"),
            ("saturday", "2026-11-21T00:00:00+08:00")]
    entities, at = [], 0
    for words, value in said:
        start = text.index(words, at)
        entities.append({"entity": "time", "value": value, "start": start, "end": start + len(words)})
        at = start + len(words)
    tracker = make_tracker({"requested_slot": None, "billing": "monthly"}, active_loop="refund_form", text=text,
                           entities=entities, new_slots={"purchased_at": said[-1][1]})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["purchased_at"] == "2026-11-22T22:10:00+08:00"


async def test_a_yes_after_a_question_at_the_filing_question_is_a_yes(store, dispatcher, domain):
    """"And the files get deleted? There's nothing on it. Yes, go ahead please." read as an FAQ."""
    tracker = make_tracker({"requested_slot": "refund_confirmed", "refund_item": "CS2611250001"}, customer="C1001",
                           intent="faq", active_loop="refund_form",
                           text="Oh, the coupon, yes I remember now. And the files get deleted? There's nothing on it, "
                                "it's empty. Yes, go ahead please.")
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["refund_confirmed"] is True


async def test_a_question_with_hold_on_at_the_filing_question_is_no_no(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "refund_confirmed", "refund_item": "CS2611250001"}, customer="C1001",
                           intent="ask_hotline", active_loop="refund_form",
                           text="hold on, what's your hotline number again")
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots.get("refund_confirmed") is None


NOW_SAID = {"entity": "time", "value": "2026-11-27T10:00:00+08:00", "text": "现在", "start": 17, "end": 19}
YEAR_SAID = {"entity": "time", "text": "before this year", "start": 80, "end": 96,
             "value": {"from": None, "to": "2026-01-01T00:00:00+08:00", "approximate": True},
             "additional_info": {"to": {"grain": "year"}, "type": "interval"}}


@pytest.mark.parametrize("text,entity", [
    ("我是普通用户，今年没有退过款，服务器现在正常在运行，没有开发票。", NOW_SAID),
    ("no invoice no discount its running normally im a normal customer and no refunds before this year", YEAR_SAID),
])
async def test_the_present_or_a_whole_year_is_no_purchase_time(text, entity, store, dispatcher, domain):
    from actions.refund import ValidateRefundForm

    bought = "2026-11-25T00:00:00+08:00"
    said = entity["value"] if isinstance(entity["value"], str) else entity["value"]["to"]
    history = [{"event": "slot", "name": "purchased_at", "value": bought}]
    tracker = make_tracker({"purchased_at": bought, "requested_slot": "invoice"}, text=text, entities=[entity],
                           history=history, active_loop="refund_form", new_slots={"purchased_at": said})
    assert await ValidateRefundForm().validate_purchased_at(said, dispatcher, tracker, domain) == {"purchased_at": bought}


async def test_a_purchase_day_said_beside_a_whole_year_is_the_purchase_time(store, dispatcher, domain):
    from actions.refund import ValidateRefundForm

    day = {"entity": "time", "start": 26, "end": 44, "text": "on 22.11. at 09:30", "value": "2026-11-22T09:30:00+08:00",
           "additional_info": {"grain": "minute"}}
    year = {"entity": "time", "start": 150, "end": 157, "text": "in 2026", "value": "2026-01-01T00:00:00+08:00",
            "additional_info": {"grain": "year"}}
    text = "I purchased a monthly ECS on 22.11. at 09:30 ... I had 2 refunds in 2026 until now."
    tracker = make_tracker({}, text=text, entities=[day, year], active_loop="refund_form",
                           new_slots={"purchased_at": year["value"]})
    out = await ValidateRefundForm().validate_purchased_at(year["value"], dispatcher, tracker, domain)
    assert out["purchased_at"] == "2026-11-22T09:30:00+08:00"
    part = {"entity": "time", "start": 10, "end": 26, "text": "Sunday afternoon", "additional_info": {"grain": "hour"},
            "value": {"from": "2026-11-22T12:00:00+08:00", "to": "2026-11-22T19:00:00+08:00", "approximate": True}}
    tracker = make_tracker({}, text="bought it Sunday afternoon", entities=[part], active_loop="refund_form",
                           new_slots={"purchased_at": part["value"]})
    await ValidateRefundForm().validate_purchased_at(part["value"], dispatcher, tracker, domain)  # no error
