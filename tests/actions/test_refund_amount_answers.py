"""The refund amount (R7) from how people answer: a long message fills the amount
paid and the unrecoverable discounts it mentions, whatever was asked; "yes" to the
discount question keeps it open for the amount; "no" or "none" is zero."""
from __future__ import annotations

import pytest

from actions import facts
from actions.refund import ValidateRefundForm
from tests.actions.conftest import make_tracker, responses, slot_events

LONG = "monthly, bought 2 days ago, paid 300 yuan, no invoice, still running, no discounts"
LONG_BARE = "I bought it 2 days ago, paid 300, no invoice, still running, no discounts"
# what Rasa's own slot mappings extracted from LONG_BARE (billing already answered)
EXTRACTED = {"purchased_at": "2026-11-25T10:00:00+08:00", "invoice": "none", "resource_state": "active"}


@pytest.mark.parametrize("text, paid, discounts", [
    (LONG, "300.00", "0.00"),
    (LONG_BARE, "300.00", "0.00"),
    ("it cost me ¥300.50, I used a 20 yuan coupon", "300.50", "20.00"),
    ("discount of 12.5", None, "12.50"),
    ("I paid 2 days ago", None, None),  # a time, not money
    ("I paid monthly, didn't use any discount", None, "0.00"),
])
def test_money_phrases_in_a_long_message(text, paid, discounts):
    assert facts.paid_amount_in_text(text) == paid
    assert facts.discounts_in_text(text) == discounts


def test_bare_none_answers_the_discount_question_only_when_asked():
    assert facts.discounts_in_text("none", asked=True) == "0.00"
    assert facts.discounts_in_text("none", asked=False) is None


async def test_one_long_message_fills_amount_and_discounts_at_once(store, dispatcher, domain):
    """R7: 'paid 300' (a bare number) and 'no discounts' said while the purchase
    time was asked are both taken; neither is asked afterwards."""
    tracker = make_tracker({"requested_slot": "purchased_at", "billing": "monthly"}, active_loop="refund_form",
                           text=LONG_BARE, entities=[{"entity": "number", "value": 300}], new_slots=EXTRACTED)
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["amount_paid"] == "300.00"
    assert slots["unrecoverable_discounts"] == "0.00"
    assert slots["requested_slot"] not in ("amount_paid", "unrecoverable_discounts", "purchased_at")
    assert "utter_not_understood_slot" not in responses(dispatcher)


async def test_long_answer_to_the_billing_question_fills_discounts(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "billing"}, active_loop="refund_form", text=LONG,
                           new_slots={"billing": "monthly", "amount_paid": "300", **EXTRACTED})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["unrecoverable_discounts"] == "0.00" and slots["amount_paid"] == "300.00"
    assert slots["requested_slot"] != "unrecoverable_discounts"


async def test_a_question_mentioning_discounts_fills_nothing(store, dispatcher, domain):
    tracker = make_tracker({"requested_slot": "amount_paid", "billing": "monthly", **EXTRACTED},
                           active_loop="refund_form", intent="faq", text="what if I had no discount?")
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots.get("unrecoverable_discounts") is None


ASKED_DISCOUNTS = {"requested_slot": "unrecoverable_discounts", "billing": "monthly", "amount_paid": "300.00", **EXTRACTED}


async def test_yes_to_the_discount_question_is_kept_not_misread(store, dispatcher, domain):
    tracker = make_tracker(ASKED_DISCOUNTS, active_loop="refund_form", intent="affirm", text="yes",
                           new_slots={"unrecoverable_discounts": "yes"})
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["discount_used"] is True
    assert slots["unrecoverable_discounts"] is None
    # a guest is not asked the amount: the answer names the R7 deduction rule instead
    assert slots["requested_slot"] == "refund_confirmed"
    assert responses(dispatcher) == []  # no "Sorry, I couldn't use that answer."
    ask = domain["responses"]["utter_ask_unrecoverable_discounts"]
    how_much = [r for r in ask if r.get("condition")]
    assert how_much and how_much[0]["condition"][0]["name"] == "discount_used" and "How much" in how_much[0]["text"]


@pytest.mark.parametrize("intent, text, new_slots", [
    ("deny", "no", {"unrecoverable_discounts": "0"}),
    ("inform", "none", {}),
])
async def test_no_or_none_to_the_discount_question_is_zero(store, dispatcher, domain, intent, text, new_slots):
    tracker = make_tracker(ASKED_DISCOUNTS, active_loop="refund_form", intent=intent, text=text, new_slots=new_slots)
    slots = slot_events(await ValidateRefundForm().run(dispatcher, tracker, domain))
    assert slots["unrecoverable_discounts"] == "0.00"
