"""A guest's ICP reward answer without an interrogation.

We cannot see a guest's host, recharge or reward history, so only what decides
most cases is asked: whether it is their first filing with us (I3), where the
filing stands (I7) and their tier (the amount, I9). The answer is then a
qualified yes that names each condition we could not check (I1, I2, I4, I5, I6,
I8); a condition the guest did state is used like any other fact.
Pure: the texts live in the domain; this module picks them."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions.guest_checks import GuestCheck

#: first filing (I3), filing status (I7) and tier (the I9 amount) are asked; the rest
#: are named conditions; the credit date is said as "within N days" (approved_at)
ICP = GuestCheck(
    asked=("first_with_provider", "filing_status", "customer_tier"),
    conditions={"host_subscription": "utter_icp_condition_I1", "used_for_website": "utter_icp_condition_I2",
                "accumulated_recharge": "utter_icp_condition_I4", "icp_reward_received": "utter_icp_condition_I5",
                "host_status": "utter_icp_condition_I6", "customer_delay_days": "utter_icp_condition_I8"},
    covered=("approved_at",),
)
guest_questions = ICP.questions


def open_conditions(decision: Dict[str, Any]) -> Optional[List[str]]:
    """The open conditions' slots of a qualified yes; None when it is none."""
    slots = ICP.open_slots(decision)
    return None if slots is None else [s for s in slots if s in ICP.conditions]


def provisional_responses(conditions: List[str], waiting: bool) -> List[str]:
    """Headline (approved, or still waiting for approval), then each open condition."""
    out = ["utter_icp_waiting_approval", "utter_icp_provisional_when_approved"] if waiting \
        else ["utter_icp_eligible_provisional"]
    if conditions:
        out += ["utter_icp_conditions_intro"] + ICP.condition_responses(conditions)
    return out


def reward_figure(tier: Any) -> str:
    """The policy figure's name for this tier's reward (I9)."""
    return "icp_reward_vip" if tier == "vip" else "icp_reward_common"
