"""Money is shown with the conversation's currency, rendered in one place."""
from __future__ import annotations

import re

from actions.compensation import ActionAskFaultConfirmed
from actions.money import render_amounts, show_money, stated_currency
from actions.refund import ActionRefundSubmit
from tests.actions.conftest import make_tracker, rendered, user_event

#: a figure written without a currency next to it (the multiplier "100 times" is not money)
BARE = re.compile(r"(?<![¥$\w.,])\d[\d,]*\.\d{2}\b")


def test_show_money_signs_and_separators():
    assert show_money("280", "CNY") == "¥280.00"
    assert show_money("280.00", "USD") == "US$280.00"
    assert show_money("17520.00", "CNY") == "¥17,520.00"
    assert show_money("20.005", "CNY") == "¥20.005"  # never rounded here
    assert show_money("9.5", "EUR") == "EUR 9.50"
    assert show_money("", "USD") == "" and show_money(None, "USD") == ""


def test_only_money_variables_are_rendered():
    out = render_amounts({"refund_amount": "280.00", "refund_days": "5", "item": "CS1", "amount": ""}, "USD")
    assert out == {"refund_amount": "US$280.00", "refund_days": "5", "item": "CS1", "amount": ""}


def test_a_guest_names_a_currency():
    assert stated_currency(["I paid 30 dollars", "no invoice"]) == "USD"
    assert stated_currency(["paid $30", "actually it was 30 yuan"]) == "CNY"
    assert stated_currency(["paid 30", None]) is None


GUEST_REFUND = {"billing": "monthly", "purchased_at": "2026-11-26T09:00:00+08:00", "invoice": "none",
                "resource_state": "active", "amount_paid": "300.00", "unrecoverable_discounts": "20.00",
                "customer_tier": "common", "refunds_this_year": 0}


async def test_guest_amounts_in_the_policy_currency(store, dispatcher, domain):
    await ActionRefundSubmit().run(dispatcher, make_tracker(GUEST_REFUND), domain)
    text = rendered(dispatcher, domain)[0]
    assert "You'd get back ¥280.00: the ¥300.00 you paid minus ¥20.00" in text


async def test_guest_who_said_dollars_gets_dollars(store, dispatcher, domain):
    history = [user_event("I paid 300 dollars for a monthly server")]
    await ActionRefundSubmit().run(dispatcher, make_tracker(GUEST_REFUND, history=history), domain)
    assert "US$280.00" in rendered(dispatcher, domain)[0]


async def test_usd_account_sees_us_dollars(store, dispatcher, domain):
    """C1005 is a USD account: its billing-error compensation is in US$, no bare figure."""
    billing = next(i for i in store.incidents("C1005") if i.scenario == "billing_error")
    await ActionAskFaultConfirmed().run(dispatcher, make_tracker({"fault_incident": billing.incident_id},
                                                                 customer="C1005"), domain)
    text = " ".join(rendered(dispatcher, domain))
    assert "up to US$" in text and "¥" not in text
    assert not BARE.findall(text.replace("US$", "$")), text
