"""What every channel of ours does the same way: sender ids, metadata, limits.

The sender id (Rasa's conversation key) is derived here, on the server, from the
verified identity and an opaque session id; a client can never choose it outright.
Authenticated conversations live under `acct:<customer id>:<session>` and guests under
`guest:<session>`, so a guest (or another account) can never address an account's
conversation, whatever session id it sends.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any, Mapping, Optional

from bot.identity import Identity

#: Opaque session ids the page keeps (uuid4 hex in our widget).
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
#: Longer messages are refused with a clear reply (not policy: a channel safety limit).
DEFAULT_MAX_MESSAGE_CHARS = 1000
AUTH_KEY = "auth"
GUEST_PREFIX = "guest:"
ACCOUNT_PREFIX = "acct:"


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


def new_session_id() -> str:
    return uuid.uuid4().hex


def sender_id_for(identity: Optional[Identity], session_id: str) -> str:
    """The conversation key for this session: bound to the account, or a guest's."""
    if not valid_session_id(session_id):
        raise ValueError(f"session id {session_id!r} must match {SESSION_ID.pattern}")
    if identity is None:
        return f"{GUEST_PREFIX}{session_id}"
    return f"{ACCOUNT_PREFIX}{identity.customer_id}:{session_id}"


def clean_metadata(client_metadata: Any, identity: Optional[Identity]) -> dict:
    """Client metadata without anything it put under `auth`; ours added when verified."""
    metadata: dict = {}
    if isinstance(client_metadata, Mapping):
        metadata = {
            str(key): value
            for key, value in client_metadata.items()
            if str(key).strip().lower() != AUTH_KEY
        }
    if identity is not None:
        metadata[AUTH_KEY] = identity.metadata()
    return metadata


def too_long_text(limit: int) -> str:
    return (
        f"Sorry, that message is too long for me (the limit is {limit} characters). "
        "Please send a shorter message, or split it into a few."
    )


def not_text_reply() -> str:
    return "Sorry, I can only read text messages here."


def empty_text() -> str:
    return "Your message was empty. Please type your question."


#: C0/C1 control characters except tab, newline and carriage return. A NUL crashes the
#: in-process Duckling (a 500 from Rasa), and none of them carries meaning in a chat.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """The customer's text without control characters, in Unicode NFC."""
    return unicodedata.normalize("NFC", CONTROL.sub("", text))
