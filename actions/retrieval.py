"""Read the response selector's choice for a retrieval intent (faq/<key>,
scope/<topic>) from the latest message."""
from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple

from rasa_sdk import Tracker


def chosen_key(tracker: Tracker, intent: str) -> Optional[str]:
    """'faq/refund_window' -> 'refund_window'; None when the selector chose nothing."""
    message = tracker.latest_message or {}
    selector = message.get("response_selector") or {}
    for name in (intent, "default"):
        entry = selector.get(name)
        if not isinstance(entry, Mapping):
            continue
        response = entry.get("response") or {}
        key = response.get("intent_response_key") or ""
        if isinstance(key, str) and key.startswith(intent + "/"):
            return key.split("/", 1)[1]
    full = (message.get("intent") or {}).get("name") or ""
    if isinstance(full, str) and full.startswith(intent + "/"):
        return full.split("/", 1)[1]  # e.g. a button payload "/faq/refund_window"
    return None


def response_text(domain: Mapping[str, Any], name: str) -> Optional[str]:
    variants = (domain.get("responses") or {}).get(name) or []
    for variant in variants:
        if isinstance(variant, Mapping) and variant.get("text"):
            return str(variant["text"])
    return None


def ranking(tracker: Tracker, intent: str) -> List[Tuple[str, float]]:
    """(key, confidence) of the selector's candidates for `intent`, best first."""
    selector = (tracker.latest_message or {}).get("response_selector") or {}
    out: List[Tuple[str, float]] = []
    for name in (intent, "default"):
        entry = selector.get(name)
        if not isinstance(entry, Mapping):
            continue
        for item in entry.get("ranking") or []:
            full = str(item.get("intent_response_key") or "")
            if full.startswith(intent + "/"):
                out.append((full.split("/", 1)[1], float(item.get("confidence") or 0.0)))
        if out:
            break
    return out


def top_response(tracker: Tracker) -> Tuple[Optional[str], float]:
    """The selector's best answer over every retrieval intent ('scope/console', 0.89)."""
    selector = (tracker.latest_message or {}).get("response_selector") or {}
    best: Tuple[Optional[str], float] = (None, 0.0)
    for name, entry in selector.items():
        if name == "all_retrieval_intents" or not isinstance(entry, Mapping):
            continue
        response = entry.get("response") or {}
        confidence = float(response.get("confidence") or 0.0)
        if response.get("intent_response_key") and confidence > best[1]:
            best = (str(response["intent_response_key"]), confidence)
    return best


#: the selector's answer of the other retrieval intent counts when at least this sure
OTHER_RETRIEVAL_CONFIDENCE = 0.5


def other_retrieval_intent(tracker: Tracker, intent: str) -> Optional[str]:
    """'scope' when the message was read as `faq` but the selector's answer is a sure
    'scope/console' ("management console billing page throws errors. that covered?")."""
    key, confidence = top_response(tracker)
    if not key or key.startswith(intent + "/") or confidence < OTHER_RETRIEVAL_CONFIDENCE:
        return None
    return key.split("/", 1)[0]
