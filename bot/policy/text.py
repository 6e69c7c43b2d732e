"""Reason and note sentences, composed from the rule table in policy.yaml.

Why here: the assistant, the explain form and the JSON `reasons` all read these
sentences, so a rule's wording exists once (the data file) and is only filled in."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, Optional

from .data import Policy

CENT = Decimal("0.01")
#: Our own context: a caller's decimal context (precision, traps) never changes a result.
_MONEY_CONTEXT = Context(prec=64)


class _Vars(dict):
    """Case facts, then the policy figures; an unknown placeholder stays visible."""

    __slots__ = ("figures",)
    figures: dict[str, str]

    def __missing__(self, key: str) -> str:
        return self.figures.get(key, "{" + key + "}")


def fill(policy: Policy, template: str, facts: dict[str, Any]) -> str:
    if "{" not in template:
        return template
    values = _Vars(facts)
    values.figures = policy._figures
    return template.format_map(values)


def reason(policy: Policy, rule_id: str, subject: Optional[str] = None, **facts: Any) -> str:
    """'<subject>: R2 (Five-day refund window) is not met: <why>. The policy says: "<clause>"'.

    A rule with a `quote` template (C4) quotes only the part of its clause that
    applies (the excluded cause's own bullet) instead of the whole clause."""
    quote = policy.rule(rule_id).text("quote")
    if quote:
        rule = policy.rule(rule_id)
        why = fill(policy, rule.fail, facts)
        head = f"{subject}: " if subject else ""
        return f'{head}{rule_id} ({rule.title}) is not met: {why}. The policy says: "{fill(policy, quote, facts)}"'
    parts = policy._reason_parts.get(rule_id)
    if parts is None:
        rule = policy.rule(rule_id)
        parts = policy._reason_parts[rule_id] = (
            f"{rule_id} ({rule.title}) is not met: ", rule.fail, f'. The policy says: "{rule.clause}"')
    lead, template, tail = parts
    why = fill(policy, template, facts) if facts else template
    return f"{subject}: {lead}{why}{tail}" if subject else f"{lead}{why}{tail}"


def note(policy: Policy, rule_id: str, key: str = "note", **facts: Any) -> str:
    """A rule's note ('<ID>: <sentence>'), e.g. R8's back-up warning."""
    if not facts:
        cached = policy._notes.get((rule_id, key))
        if cached is None:
            cached = policy._notes[(rule_id, key)] = f"{rule_id}: {fill(policy, policy.rule(rule_id).text(key), {})}"
        return cached
    return f"{rule_id}: {fill(policy, policy.rule(rule_id).text(key), facts)}"


def money(amount: Decimal) -> str:
    """The one rounding: half-up to 0.01 (docs/POLICY_RULES.md)."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_MONEY_CONTEXT))


def iso(moment: datetime, policy: Policy) -> str:
    """A time as shown in decisions: ISO 8601 in the policy's zone."""
    return moment.astimezone(policy.tz).isoformat()


def span(delta: timedelta) -> str:
    """timedelta -> '5 days 0 hours 0 minutes 1 second' style, for reasons."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute"), (secs, "second")]
    shown = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(shown) or "0 seconds"
