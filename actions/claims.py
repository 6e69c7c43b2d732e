"""Standing claims in the conversation (issue 10): "You already filed CP-… on …,
status …" instead of filing again, and choices that show why they cannot succeed.
Every word is a domain response; this module only fills them in."""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import store_access
from actions.common import figures, say, show_date


def shown_status(status: Any) -> str:
    """A claim status as words ('under_review' -> 'under review'), never the raw name."""
    return str(status or "").replace("_", " ")


def claim_facts(reference: str, created_at: Any, status: str) -> Dict[str, str]:
    """The template variables of utter_claim_exists and the choice notes."""
    return {"reference": reference, "filed": show_date(created_at), "status": shown_status(status)}


def view_facts(claim: Any) -> Dict[str, str]:
    return claim_facts(claim.reference, claim.created_at, claim.status)


def error_facts(err: Any) -> Dict[str, str]:
    """The facts a store ClaimExists carries about the claim already standing."""
    return claim_facts(err.reference, err.created_at, err.status)


async def standing(tracker: Tracker, cid: Optional[str], kind: str, target: Optional[str]) -> Optional[Any]:
    """The customer's standing claim of `kind` holding `target`, or None (guests: None)."""
    if not cid:
        return None
    return await store_access.read(tracker, "open_claim", cid, kind, target)


async def held_targets(tracker: Tracker, cid: Optional[str], kind: str) -> Dict[str, Any]:
    """target id -> the standing claim holding it, for a signed-in customer's choices."""
    return await store_access.read(tracker, "open_claims", cid, kind) if cid else {}


def say_exists(dispatcher: CollectingDispatcher, facts: Dict[str, str]) -> None:
    say(dispatcher, "utter_claim_exists", **facts)


def render(domain: DomainDict, response: str, **facts: Any) -> str:
    """A domain response's first text filled in (button titles; the words stay in domain/)."""
    text = domain["responses"][response][0]["text"]
    values = figures()
    values.update({k: "" if v is None else v for k, v in facts.items()})
    return text.format(**values)


def rule_names(rule_ids: Iterable[str]) -> str:
    """'five-day refund window (R2), …': the failed rules with the policy's titles, the
    ID in parentheses as in every other answer."""
    from bot.policy import load_policy

    policy = load_policy()
    return ", ".join(f"{policy.rule(r).title} ({r})" for r in rule_ids)
