"""Support scope S1-S2: is a topic covered by after-sales support?"""
from __future__ import annotations

from typing import Any, Mapping

from . import parse, text
from .common import skeleton
from .data import Policy
from .errors import PolicyInputError


def decide_scope(case: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    out = skeleton(case, "support_scope", policy)
    topic = parse.enum(case.get("topic"), policy.enums["topic"], "topic")
    out["rule"] = None
    if topic is None:  # S1/S2 (docs/POLICY_RULES.md): no topic is undetermined
        out.update(decision="undetermined", missing=["topic"])
        return out
    label = policy.scope["labels"][topic]
    out["topic_label"] = label
    if topic in policy.scope["provided"]:
        out.update(decision="provided", rule="S1")
        out["notes"].append(text.note(policy, "S1", topic_label=label))
    elif topic in policy.scope["not_provided"]:
        out.update(decision="not_provided", rule="S2", rules_failed=["S2"])
        out["reasons"].append(text.reason(policy, "S2", topic_label=label))
    else:  # an enum value the data forgot to classify
        raise PolicyInputError("topic", f"{topic!r} is not classified in the policy data")
    return out
