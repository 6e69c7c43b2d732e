"""The one reader of the verified account of a conversation.

Only the channel binds a conversation to an account: it verifies a signed token
and writes {"auth": {"customer_id": ..., "verified": true}} into the metadata of
every user message (dropping whatever a client put there). Nothing else - no slot,
no message text, no entity - can make a conversation a customer's: every action
that reads account data asks this function, and gets None for a guest."""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from rasa_sdk import Tracker

CUSTOMER_ID = re.compile(r"^C\d{4}$")


def _latest_user_metadata(tracker: Tracker) -> Mapping[str, Any]:
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, Mapping) else {}
    return {}


def customer_id(tracker: Tracker) -> Optional[str]:
    """The verified customer id of the latest user message, else None (a guest)."""
    auth = _latest_user_metadata(tracker).get("auth")
    if not isinstance(auth, Mapping) or auth.get("verified") is not True:
        return None
    cid = auth.get("customer_id")
    if isinstance(cid, str) and CUSTOMER_ID.match(cid):
        return cid
    return None
