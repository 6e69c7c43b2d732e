"""Several orders in one refund request: each decided and answered on its own, the
refundable part filed as one request, the rest named with its rule (R3: each
order counts as a refund)."""
from __future__ import annotations

from actions.refund import ActionAskRefundConfirmed, ActionRefundSubmit, ValidateRefundForm
from actions.refund_items import chosen_items, shown_items
from tests.actions.conftest import make_tracker, rendered, responses
from tests.actions.test_refund_actions import order


def test_ids_said_together_are_kept_in_order_without_repeats():
    assert chosen_items(["CS2611250001", "cs2611260001", "CS2611250001"]) == ["CS2611250001", "CS2611260001"]
    assert chosen_items("CS2611250001 CS2611260001") == ["CS2611250001", "CS2611260001"]
    assert chosen_items(None) == [] and chosen_items("no idea") == []
    assert shown_items(["A", "B", "C"]) == "A, B and C" and shown_items(["A"]) == "A" and shown_items([]) == ""


async def test_two_order_ids_in_one_message_are_both_checked(store, dispatcher, domain):
    ecs, cdn = order(store, "C1001", "ECS", "monthly"), order(store, "C1001", "CDN", "yearly")
    tracker = make_tracker({}, customer="C1001", new_slots={"refund_item": [ecs.order_id, cdn.order_id]})
    got = await ValidateRefundForm().validate_refund_item([ecs.order_id, cdn.order_id], dispatcher, tracker, domain)
    assert got["refund_item"] == f"{ecs.order_id} {cdn.order_id}"


async def test_an_unknown_id_among_several_is_named_and_the_rest_kept(store, dispatcher, domain):
    ecs = order(store, "C1001", "ECS", "monthly")
    tracker = make_tracker({}, customer="C1001")
    got = await ValidateRefundForm().validate_refund_item([ecs.order_id, "CS2001010099"], dispatcher, tracker, domain)
    assert got["refund_item"] == ecs.order_id
    assert responses(dispatcher) == ["utter_order_not_found"]


async def test_partly_refundable_request_says_which_part_and_why(store, dispatcher, domain):
    ecs, cdn = order(store, "C1001", "ECS", "monthly"), order(store, "C1001", "CDN", "yearly")
    tracker = make_tracker({"refund_item": f"{ecs.order_id} {cdn.order_id}"}, customer="C1001")
    await ActionAskRefundConfirmed().run(dispatcher, tracker, domain)
    said = responses(dispatcher)
    assert said[:4] == ["utter_refund_eligible_deducted", "utter_refund_ineligible", "utter_refund_rule_R4",
                        "utter_refund_partial_total"]
    assert said[-1] == "utter_ask_refund_confirmed"
    text = " ".join(rendered(dispatcher, domain))
    assert ecs.order_id in text and cdn.order_id in text and "280.00" in text and "(R3)" in text


async def test_confirmed_partial_request_files_only_the_refundable_order(store, dispatcher, domain):
    ecs, cdn = order(store, "C1001", "ECS", "monthly"), order(store, "C1001", "CDN", "yearly")
    tracker = make_tracker({"refund_item": f"{ecs.order_id} {cdn.order_id}", "refund_confirmed": True},
                           customer="C1001", intent="affirm")
    await ActionRefundSubmit().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_refund_filed"
    claims = store.claims("C1001", "refund")
    assert len(claims) == 1
    assert [i.order_id for i in store.claim("C1001", claims[0].reference).items] == [ecs.order_id]


async def test_every_id_in_the_message_is_taken_though_rasa_keeps_one(store, dispatcher, domain):
    ecs, cdn = order(store, "C1001", "ECS", "monthly"), order(store, "C1001", "CDN", "yearly")
    entities = [{"entity": "order_id", "value": ecs.order_id}, {"entity": "order_id", "value": cdn.order_id}]
    tracker = make_tracker({"refund_item": ecs.order_id}, customer="C1001", intent="request_refund",
                           text=f"please refund {ecs.order_id} and {cdn.order_id}", entities=entities,
                           active_loop="refund_form")
    got = await ValidateRefundForm().extract_refund_item(dispatcher, tracker, domain)
    assert got == {"refund_item": f"{ecs.order_id} {cdn.order_id}"}


async def test_another_product_asked_about_at_the_confirmation_is_checked_instead(store, dispatcher, domain):
    from actions.refund import ValidateRefundForm

    evs = next(o for o in store.orders("C1002") if o.product == "EVS")
    rds = next(o for o in store.orders("C1002") if o.product == "RDS")
    text = "Thank you. Before anything is submitted: the yearly RDS instance is in its reservation period. Can that one be refunded?"
    asked = make_tracker({"refund_item": evs.order_id, "requested_slot": "refund_confirmed"}, customer="C1002",
                         intent="faq", text=text, entities=[{"entity": "product", "value": "RDS"}],
                         active_loop="refund_form")
    assert await ValidateRefundForm().extract_refund_item(dispatcher, asked, domain) == {
        "refund_item": rds.order_id, "refund_confirmed": None}
    fine = make_tracker({"refund_item": evs.order_id, "requested_slot": "refund_confirmed"}, customer="C1002",
                        intent="inform", text="the RDS is fine", entities=[{"entity": "product", "value": "RDS"}],
                        active_loop="refund_form")
    assert await ValidateRefundForm().extract_refund_item(dispatcher, fine, domain) == {}


async def test_a_fact_the_record_holds_said_at_the_confirmation_does_not_hold_up_the_yes(store, dispatcher, domain):
    from actions.refund import ValidateRefundForm

    ecs, cdn = "CS2611250001", "CS2611260001"
    text = ("ok, the invoice on the CDN was already issued, can't get it back from their finance dept. "
            "Just submit the ECS one then, data's backed up.")
    tracker = make_tracker({"refund_item": f"{ecs} {cdn}", "requested_slot": "refund_confirmed"}, customer="C1001",
                           intent="inform", text=text, active_loop="refund_form")
    events = await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert {"event": "slot", "timestamp": None, "name": "refund_confirmed", "value": True} in events
