"""A guest's ICP reward answer without an interrogation.

We cannot see a guest's host, recharge or reward history, so only what decides
most cases is asked: whether it is their first filing with us (I3), where the
filing stands (I7) and their tier (the amount, I9). The answer is then a
qualified yes that names each condition we could not check (I1, I2, I4, I5, I6,
I8); a condition the guest did state is used like any other fact.
Pure: the texts live in the domain; this module picks them."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions import facts

#: the slots asked of a guest; the rest are conditions named with the answer
ASKED_OF_GUESTS = ("first_with_provider", "filing_status", "customer_tier")
#: missing slot -> the response naming that condition
CONDITIONS = {
    "host_subscription": "utter_icp_condition_I1",
    "used_for_website": "utter_icp_condition_I2",
    "accumulated_recharge": "utter_icp_condition_I4",
    "icp_reward_received": "utter_icp_condition_I5",
    "host_status": "utter_icp_condition_I6",
    "customer_delay_days": "utter_icp_condition_I8",
}
#: facts a qualified yes does without (the credit date is said as "within N days")
UNNEEDED = ("approved_at",)


def guest_questions(asked: List[str]) -> List[str]:
    """Of the policy's questions, the ones a guest is asked."""
    return [slot for slot in asked if slot in ASKED_OF_GUESTS]


def open_conditions(decision: Dict[str, Any]) -> Optional[List[str]]:
    """The slots of the conditions still open when the answer is a qualified yes;
    None when it is not (a rule failed, or a decisive fact is missing)."""
    if decision.get("decision") != "undetermined" or decision.get("rules_failed"):
        return None
    slots = facts.slots_to_ask(decision.get("missing") or [])
    if any(slot not in CONDITIONS and slot not in UNNEEDED for slot in slots):
        return None
    return [slot for slot in slots if slot in CONDITIONS]


def provisional_responses(conditions: List[str], waiting: bool) -> List[str]:
    """Headline (approved, or still waiting for approval), then each open condition."""
    out = ["utter_icp_waiting_approval", "utter_icp_provisional_when_approved"] if waiting \
        else ["utter_icp_eligible_provisional"]
    if conditions:
        out.append("utter_icp_conditions_intro")
        out += [CONDITIONS[slot] for slot in conditions]
    return out


def reward_figure(tier: Any) -> str:
    """The policy figure's name for this tier's reward (I9)."""
    return "icp_reward_vip" if tier == "vip" else "icp_reward_common"
