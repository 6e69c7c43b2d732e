"""explain(decision): the decision as a hotline agent reads it out.

Built only from the decision and the rule table (clauses, reasons, notes all come
from policy.yaml), so the agent's reading and the assistant's sentences agree."""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from .data import Policy, load_policy
from .facts import facts_of

_INDEX = re.compile(r"\[(\d+)\]")
_KIND_TITLES = {
    "refund": "Refund",
    "compensation": "Fault compensation",
    "icp_reward": "ICP filing reward",
    "support_scope": "Support scope",
    "hotline": "Hotline",
}


def fact_words(path: str, policy: Policy, decision: Optional[Mapping[str, Any]] = None) -> str:
    """'items[0].invoice' -> 'item CS2611240001: whether an invoice was issued, and returned'."""
    words: Mapping[str, str] = policy.raw.get("facts", {})
    plain = _INDEX.sub("", path)
    parts = plain.split(".")
    label = words.get(".".join(parts[-2:])) or words.get(parts[-1]) or path
    match = _INDEX.search(path)
    if match and path.startswith("items"):
        index = int(match.group(1))
        items = (decision or {}).get("items") or []
        ident = items[index].get("id") if index < len(items) else None
        return f"item {ident if ident is not None else index + 1}: {label} ({path})"
    return f"{label} ({path})"


def _why(reason: str, clause: str) -> str:
    """The reason without the clause it quotes (printed once, above it)."""
    suffix = f' The policy says: "{clause}"'
    if reason.endswith(suffix):
        return reason[: -len(suffix)]
    return reason


def _amount_lines(d: Mapping[str, Any]) -> list[str]:
    kind = d.get("kind")
    if kind == "refund":
        lines = [f"Refund total: {d.get('refund_total')}"]
        for item in d.get("items") or []:
            failed = f" ({', '.join(item['rules_failed'])})" if item.get("rules_failed") else ""
            amount = item.get("refund_amount")
            lines.append(f"  item {item.get('id')}: {item.get('decision')}{failed}, refund "
                         f"{amount if amount is not None else 'not known yet'}")
        return lines
    if kind == "compensation":
        amount = d.get("compensation")
        cap = " at most" if d.get("multiplier_is_cap") else ""
        lines = [f"Compensation:{cap} {amount if amount is not None else 'not known yet'}"]
        if d.get("multiplier") is not None:
            lines.append(f"  multiplier x{d['multiplier']}{' (a ceiling)' if d.get('multiplier_is_cap') else ''}, "
                         f"fault duration {d.get('duration_minutes') or 'unknown'} minutes")
        if d.get("apply_by"):
            lines.append(f"  apply by {d['apply_by']}")
        return lines
    if kind == "icp_reward":
        lines = [f"Reward: {d.get('reward_amount')}"]
        if d.get("credit_by"):
            lines.append(f"  credited by {d['credit_by']}, valid until {d['valid_until']}, not withdrawable as cash")
        return lines
    if kind == "support_scope":
        return [f"Topic: {d.get('topic_label') or 'not given'} -> {d.get('decision')} ({d.get('rule') or 'no rule yet'})"]
    if kind == "hotline":
        state = "OPEN" if d.get("open") else "CLOSED"
        lines = [f"Hotline {d.get('number')}: {state} at {d.get('now')}"]
        if d.get("open"):
            lines.append(f"  closes at {d.get('closes_at')}")
        else:
            lines.append(f"  next opens at {d.get('next_open') or 'unknown'}")
        return lines
    return []


def explain(decision: Mapping[str, Any], policy: Optional[Policy] = None) -> str:
    """Plain text: decision, amount, each failed rule with ID, clause and why,
    what is missing (in asking order) and what is awaited, then the notes."""
    policy = policy or load_policy()
    d = decision
    if "error" in d:
        return f"Case {d.get('id')}: BAD INPUT - {d['error']}"
    title = _KIND_TITLES.get(str(d.get("kind")), str(d.get("kind")))
    lines = [f"{title} case {d.get('id')}: {str(d.get('decision')).replace('_', ' ').upper()}",
             f"Policy {d.get('policy_version', policy.version)}, effective {policy.effective_from.isoformat()}"
             + (f"; decided at {d['now']}" if d.get("now") else "")]
    lines += _amount_lines(d)
    failed = d.get("rules_failed") or []
    if failed:
        lines.append("Failed rules:")
        for rid in failed:
            rule = policy.rule(rid)
            lines.append(f"  {rid} {rule.title}")
            lines.append(f'    Published clause: "{rule.clause}"')
            for reason in d.get("reasons") or []:
                if f"{rid} ({rule.title})" in reason:
                    lines.append(f"    Why: {_why(reason, rule.clause)}")
    else:
        lines.append("Failed rules: none")
    missing = d.get("missing") or []
    if missing:
        ask = facts_of(d)
        lines.append("Missing facts" + (" (ask in this order):" if ask else " (they cannot change the outcome):"))
        for path in (ask or missing):
            lines.append(f"  - {fact_words(path, policy, d)}")
    waiting = d.get("waiting_for") or []
    if waiting:
        words = policy.raw.get("waiting", {})
        lines.append("Waiting for:")
        for event in waiting:
            row = words.get(event, {})
            lines.append(f"  - {row.get('text', event)} [{row.get('rule', '')}]".replace(" []", ""))
    notes = d.get("notes") or []
    if notes:
        lines.append("Notes:")
        lines += [f"  - {n}" for n in notes]
    return "\n".join(lines)
