"""A guest's refund answer without an interrogation.

We cannot see a guest's order, so only the facts that decide
most refunds are asked: the billing type (R1, R5) and the purchase time (R2).
When those pass, the answer is a qualified yes that names every condition we could
not check (R3, R4, R6) and how the amount is counted (R7); a condition the guest
did state is used like any other fact (an issued invoice still refuses, R4).
Pure: the texts live in the domain; this module picks them."""
from __future__ import annotations

from typing import Any, List

from actions.guest_checks import GuestCheck

#: the billing type (R1, R5) and purchase time (R2) are asked; R3, R4, R6 are named
#: conditions (tier and count share R3); the R7 amount rule covers amount and discounts
REFUND = GuestCheck(
    asked=("billing", "purchased_at"),
    conditions={"invoice": "utter_refund_condition_invoice",
                "resource_state": "utter_refund_condition_resource_state",
                "customer_tier": "utter_refund_condition_limit",
                "refunds_this_year": "utter_refund_condition_limit"},
    covered=("amount_paid", "unrecoverable_discounts"),
)
guest_questions = REFUND.questions
open_conditions = REFUND.open_slots


def provisional_responses(slots: List[str], amount_paid: Any, refund_amount: Any = None,
                          discounts: Any = None) -> List[str]:
    """The responses of a qualified yes, in order: headline, open conditions, amount
    (the figure itself once the amount paid and the discounts are known, R7)."""
    out = ["utter_refund_eligible_provisional"]
    conditions = REFUND.condition_responses(slots)
    if conditions:
        out += ["utter_refund_conditions_intro"] + conditions
    if amount_paid and refund_amount is not None and discounts is not None:
        deducted = str(refund_amount) != str(amount_paid)
        out.append("utter_refund_condition_amount_deducted" if deducted else "utter_refund_condition_amount_full")
    elif amount_paid:
        out.append("utter_refund_condition_amount_known")
    elif any(s in REFUND.covered for s in slots) or not slots:
        out.append("utter_refund_condition_amount")
    return out
