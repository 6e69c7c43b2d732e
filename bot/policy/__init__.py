"""The service-assurance policy engine (docs/POLICY_RULES.md), pure: no I/O besides
its own data file (policy.yaml), no clock, no Rasa, no database.

    from bot.policy import decide, next_facts, explain, load_policy, PolicyInputError
"""
from .data import Policy, Rule, load_policy
from .engine import KINDS, decide
from .errors import PolicyInputError
from .explain import explain
from .facts import next_facts

__all__ = ["decide", "next_facts", "explain", "load_policy", "PolicyInputError", "Policy", "Rule", "KINDS"]


def calendar_year(moment) -> int:
    """The calendar year of an aware datetime in the policy's zone (R3 counts per
    calendar year in UTC+08:00): 2026-12-31T20:00:00-05:00 -> 2027."""
    from .refund import calendar_year as _year

    return _year(moment, load_policy())


__all__.append("calendar_year")
