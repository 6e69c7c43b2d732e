"""What a guest is asked, and what a guest's qualified yes names instead.

We cannot see a guest's orders, host or history, so a guest's check asks only the
facts that decide most cases and, when those pass, answers with a qualified yes that
names each condition we could not check. The refund and ICP checks describe
themselves with a `GuestCheck` (actions/refund_guest.py, actions/icp_guest.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple

from actions import facts


@dataclass(frozen=True)
class GuestCheck:
    #: the slots asked of a guest, in the policy's order
    asked: Tuple[str, ...]
    #: missing slot -> the response naming that condition
    conditions: Mapping[str, str]
    #: missing slots the answer covers without a condition line (amounts, dates)
    covered: Tuple[str, ...] = ()

    def questions(self, asked: List[str]) -> List[str]:
        """Of the policy's questions, the ones a guest is asked."""
        return [slot for slot in asked if slot in self.asked]

    def open_slots(self, decision: Dict[str, Any]) -> Optional[List[str]]:
        """The missing slots when the answer is a qualified yes; None when it is not
        (a rule failed, or a decisive fact is missing)."""
        if decision.get("decision") != "undetermined" or decision.get("rules_failed"):
            return None
        slots = facts.slots_to_ask(decision.get("missing") or [])
        if any(slot not in self.conditions and slot not in self.covered for slot in slots):
            return None
        return slots

    def condition_responses(self, slots: List[str]) -> List[str]:
        """The condition lines for these slots, each once, in order."""
        return list(dict.fromkeys(self.conditions[s] for s in slots if s in self.conditions))
