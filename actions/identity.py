"""The one reader of the verified account of a conversation.

Only the channel binds a conversation to an account: it verifies a signed token
and writes {"auth": {"customer_id", "expires", "proof"}} into the metadata of every
user message (dropping whatever a client put there). The action server trusts no
caller, so it checks that proof itself (`bot.identity.account_from_proof`: an HMAC
over the conversation id, the account and the expiry, keyed from the token secret).
Nothing else - no slot, no message text, no entity, no `verified: true` flag - can
make a conversation a customer's: every action that reads account data asks this
function, and gets None for a guest."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from rasa_sdk import Tracker

from bot.identity import account_from_proof


def _latest_user_metadata(tracker: Tracker) -> Mapping[str, Any]:
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            return metadata if isinstance(metadata, Mapping) else {}
    return {}


def customer_id(tracker: Tracker) -> Optional[str]:
    """The proven customer id of the latest user message, else None (a guest)."""
    return account_from_proof(_latest_user_metadata(tracker).get("auth"),
                              str(tracker.sender_id))
