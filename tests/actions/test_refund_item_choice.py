"""Which order a refund is about: an unknown order is said once, a product the
customer has one order of picks that order, a product with several still asks."""
from __future__ import annotations

from actions.refund import ValidateRefundForm
from tests.actions.conftest import make_tracker, responses, slot_events


async def test_unknown_order_is_said_once(store, dispatcher, domain):
    """'I can't find CS...' already says what was wrong: no extra 'couldn't use that answer'."""
    tracker = make_tracker({"requested_slot": "refund_item"}, customer="C1001", active_loop="refund_form",
                           entities=[{"entity": "order_id", "value": "CS2001010001"}],
                           new_slots={"refund_item": "CS2001010001"})
    await ValidateRefundForm().run(dispatcher, tracker, domain)
    assert responses(dispatcher).count("utter_order_not_found") == 1
    assert "utter_not_understood_slot" not in responses(dispatcher)


async def test_refund_for_my_product_picks_the_only_such_order(store, dispatcher, domain):
    """'refund for my RDS' (C1001 has one RDS order, in its grace period): that order
    is checked at once and refused under R6 with deletion offered, no buttons."""
    rds = [o for o in store.orders("C1001") if o.product == "RDS"]
    assert len(rds) == 1
    tracker = make_tracker({"requested_slot": None}, customer="C1001", intent="request_refund", active_loop="refund_form",
                           text="refund for my RDS", entities=[{"entity": "product", "value": "RDS"}])
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["refund_item"] == rds[0].order_id
    assert slots["requested_slot"] is None  # ineligible (R6): nothing left to ask


async def test_product_with_several_orders_still_asks(store, dispatcher, domain):
    products = [o.product for o in store.orders("C1003")]
    several = next(p for p in products if products.count(p) > 1)
    tracker = make_tracker({"requested_slot": None}, customer="C1003", intent="request_refund", active_loop="refund_form",
                           text=f"refund my {several}", entities=[{"entity": "product", "value": several}])
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots.get("refund_item") is None and slots["requested_slot"] == "refund_item"
