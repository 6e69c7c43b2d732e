"""decide(case): the one entry point that routes a case to its kind's rules."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from .compensation import decide_compensation
from .data import Policy, load_policy
from .errors import PolicyInputError
from .hotline import decide_hotline
from .icp import decide_icp
from .parse import shown, type_name
from .refund import decide_refund
from .scope import decide_scope

DECIDERS: dict[str, Callable[[Mapping[str, Any], Policy], dict[str, Any]]] = {
    "refund": decide_refund,
    "compensation": decide_compensation,
    "icp_reward": decide_icp,
    "support_scope": decide_scope,
    "hotline": decide_hotline,
}
KINDS = tuple(DECIDERS)


def decide(case: Mapping[str, Any], policy: Optional[Policy] = None) -> dict[str, Any]:
    """The decision for one case (docs/POLICY_RULES.md), as plain JSON-ready data.

    Pure: reads nothing but the policy data (no clock: `now` is in the case).
    Raises PolicyInputError for bad input."""
    if not (type(case) is dict or isinstance(case, Mapping)):
        raise PolicyInputError("case", f"must be a JSON object, got {type_name(case)}")
    kind = case.get("kind")
    if kind is None:
        raise PolicyInputError("kind", f"missing (one of: {', '.join(KINDS)})")
    decider = DECIDERS.get(kind) if isinstance(kind, str) else None
    if decider is None:
        raise PolicyInputError("kind", f"unknown value {shown(kind)} (expected one of: {', '.join(KINDS)})")
    return decider(case, policy or load_policy())
