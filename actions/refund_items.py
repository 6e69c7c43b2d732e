"""Several orders in one refund request ("refund CS… and CS…"): the slot holds
their IDs, the policy decides them together (R3 counts each order), and each is
answered on its own so a partly refundable request says which part and why.

Pure: no store, no dispatcher."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple

from actions import facts

SEPARATOR = " "


def chosen_items(value: Any) -> List[str]:
    """The order or resource IDs in the slot, in the order said, without repeats:
    one ID, several joined by spaces, or the list Rasa gives for several entities."""
    if value is None:
        return []
    raw: Iterable[Any] = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
    out: List[str] = []
    for part in raw:
        item = facts.normalize("refund_item", part)
        if item is None:
            return []  # anything but IDs is no choice (and is never said back)
        if item not in out:
            out.append(item)
    return out


def slot_value(items: Iterable[str]) -> str:
    return SEPARATOR.join(items)


def shown_items(items: Iterable[str]) -> str:
    """'CS1', 'CS1 and CS2', 'CS1, CS2 and CS3' for the customer."""
    names = list(items)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def per_item(case: Dict[str, Any], decision: Dict[str, Any]) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
    """(one-item case, one-item decision) for each order of a joint decision, so
    each can be presented with the single-order answers; reasons stay with their item."""
    out = []
    case_items = {item.get("id"): item for item in case.get("items") or []}
    for decided in decision.get("items") or []:
        item_id = decided.get("id")
        prefix = f"Item {item_id}:"
        single = dict(decision, decision=decided.get("decision"), items=[decided],
                      rules_failed=list(decided.get("rules_failed") or []),
                      missing=list(decided.get("missing") or []),
                      reasons=[r for r in decision.get("reasons") or [] if r.startswith(prefix)],
                      refund_total=decided.get("refund_amount", ""))
        out.append((dict(case, items=[case_items.get(item_id, {"id": item_id})]), single))
    return out


def eligible_ids(decision: Dict[str, Any]) -> List[str]:
    return [str(i.get("id")) for i in decision.get("items") or [] if i.get("decision") == "eligible"]
