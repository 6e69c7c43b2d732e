"""next_facts(case): what a person should still be asked, in order.

The dialogue's forms ask exactly these. A fact is worth asking only while it can
still change the outcome: an ineligible decision needs nothing more, and the facts
of a refund item that is already ineligible are not asked."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from .data import Policy
from .engine import decide

#: Decisions no further fact can change.
SETTLED = frozenset({"eligible", "ineligible", "provided", "not_provided", "open", "closed"})


def next_facts(case: Mapping[str, Any], policy: Optional[Policy] = None) -> list[str]:
    """Missing facts (paths such as `items[0].invoice`, `host.status`), in the order
    to ask them. Raises PolicyInputError for bad input, like decide()."""
    return facts_of(decide(case, policy))


def facts_of(decision: Mapping[str, Any]) -> list[str]:
    """next_facts for an already computed decision."""
    if decision.get("decision") in SETTLED:
        return []
    missing = list(decision.get("missing") or [])
    if decision.get("kind") == "refund":
        dead = tuple(f"items[{i}]." for i, item in enumerate(decision.get("items") or [])
                     if item.get("decision") == "ineligible")
        missing = [f for f in missing if not f.startswith(dead)] if dead else missing
    return missing
