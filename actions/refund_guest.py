"""A guest's refund answer without an interrogation.

A guest cannot file and we cannot see their order, so only the facts that decide
most refunds are asked: the billing type (R1, R5) and the purchase time (R2).
When those pass, the answer is a qualified yes that names every condition we could
not check (R3, R4, R6) and how the amount is counted (R7); a condition the guest
did state is used like any other fact (an issued invoice still refuses, R4).
Pure: the texts live in the domain; this module picks them."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions import facts

#: the slots asked of a guest; the rest are conditions named with the answer
ASKED_OF_GUESTS = ("billing", "purchased_at")
#: missing slot -> the response naming that condition (tier and count share R3)
CONDITIONS = {
    "invoice": "utter_refund_condition_invoice",
    "resource_state": "utter_refund_condition_resource_state",
    "customer_tier": "utter_refund_condition_limit",
    "refunds_this_year": "utter_refund_condition_limit",
}
AMOUNT_SLOTS = ("amount_paid", "unrecoverable_discounts")


def guest_questions(asked: List[str]) -> List[str]:
    """Of the policy's questions, the ones a guest is asked."""
    return [slot for slot in asked if slot in ASKED_OF_GUESTS]


def open_conditions(decision: Dict[str, Any]) -> Optional[List[str]]:
    """The slots of the conditions still open when the answer is a qualified yes;
    None when it is not (a rule failed, or a decisive fact is missing)."""
    if decision.get("decision") != "undetermined" or decision.get("rules_failed"):
        return None
    slots = facts.slots_to_ask(decision.get("missing") or [])
    if any(slot not in CONDITIONS and slot not in AMOUNT_SLOTS for slot in slots):
        return None
    return slots


def provisional_responses(slots: List[str], amount_paid: Any) -> List[str]:
    """The responses of a qualified yes, in order: headline, open conditions, amount."""
    out = ["utter_refund_eligible_provisional"]
    conditions = [CONDITIONS[s] for s in slots if s in CONDITIONS]
    if conditions:
        out.append("utter_refund_conditions_intro")
        out += list(dict.fromkeys(conditions))
    if any(s in AMOUNT_SLOTS for s in slots) or not slots:
        out.append("utter_refund_condition_amount_known" if amount_paid else "utter_refund_condition_amount")
    return out
