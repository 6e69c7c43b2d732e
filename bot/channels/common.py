"""What every channel of ours does the same way: sender ids, metadata, limits.

The sender id (Rasa's conversation key) is derived here, on the server, from the
verified identity and an opaque session id; a client can never choose it outright.
Authenticated conversations live under `acct:<customer id>:<session>` and guests under
`guest:<session>`, so a guest (or another account) can never address an account's
conversation, whatever session id it sends.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import math
import re
import secrets
import unicodedata
from typing import Any, Mapping, Optional, TypeGuard

from bot import identity as _identity
from bot.identity import Identity

#: Opaque session ids: what a REST client sends as `sender`; on socket.io always one
#: minted by the server (`mint_session_id`).
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
#: A minted socket.io session id: 96 random bits and a 128-bit HMAC over them.
SIGNED_SESSION_ID = re.compile(r"([0-9a-f]{24})-([0-9a-f]{32})")
#: Used for session ids and address keys only when no token secret is configured
#: (then only guests exist; ids and keys hold for this one process).
_PROCESS_KEY = secrets.token_bytes(32)
#: Longer messages are refused with a clear reply (not policy: a channel safety limit).
DEFAULT_MAX_MESSAGE_CHARS = 1000
AUTH_KEY = "auth"
GUEST_PREFIX = "guest:"
ACCOUNT_PREFIX = "acct:"


def valid_session_id(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


def _derived_key(label: bytes) -> bytes:
    """A key of its own per use, derived from the token secret (so every replica agrees
    and values survive a restart); a random per-process key when no secret is set."""
    try:
        base = _identity.signing_secret().encode("utf-8")
    except _identity.SecretNotConfigured:
        base = _PROCESS_KEY
    return hmac.new(base, label, hashlib.sha256).digest()


def _session_mac(nonce: str) -> str:
    key = _derived_key(b"assurance/session-id/v1")
    return hmac.new(key, nonce.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def mint_session_id() -> str:
    """A new session id only this server can have made (docs/SECURITY.md, guarantee 9): two
    guests never end up with the same id, however they pick theirs."""
    nonce = secrets.token_hex(12)
    return f"{nonce}-{_session_mac(nonce)}"


def signed_session_id(value: Any) -> bool:
    """True for an id `mint_session_id` made with this deployment's key."""
    match = SIGNED_SESSION_ID.fullmatch(value) if isinstance(value, str) else None
    return match is not None and hmac.compare_digest(_session_mac(match.group(1)), match.group(2))


def sender_id_for(identity: Optional[Identity], session_id: str) -> str:
    """The conversation key for this session: bound to the account, or a guest's."""
    if not valid_session_id(session_id):
        raise ValueError(f"session id {session_id!r} must match {SESSION_ID.pattern}")
    if identity is None:
        return f"{GUEST_PREFIX}{session_id}"
    return f"{ACCOUNT_PREFIX}{identity.customer_id}:{session_id}"


def clean_metadata(client_metadata: Any, identity: Optional[Identity], sender_id: str) -> dict:
    """Client metadata without anything it put under `auth`; ours added when verified.

    Ours carries a proof bound to `sender_id` that the action server checks itself.
    """
    metadata: dict = {}
    if isinstance(client_metadata, Mapping):
        metadata = {
            str(key): value
            for key, value in client_metadata.items()
            if str(key).strip().lower() != AUTH_KEY
        }
    if identity is not None:
        metadata[AUTH_KEY] = identity.metadata(sender_id)
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


# --- input limits (docs/SECURITY.md, guarantees 4 and 5) -------------------------------

#: Client metadata is stored in the tracker and re-sent to the action server on every
#: action call: bounded in serialized size (UTF-8 JSON bytes) and in nesting depth.
DEFAULT_MAX_METADATA_BYTES = 8 * 1024
DEFAULT_MAX_METADATA_DEPTH = 8
#: In a Python str decoded from JSON, any code point in this range is a lone surrogate
#: (a valid pair is decoded to one code point): not encodable as UTF-8 anywhere downstream.
SURROGATE = re.compile("[\ud800-\udfff]")


class MetadataRefused(ValueError):
    """Client metadata that a channel refuses: `status` for REST, `str()` for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def has_lone_surrogate(text: str) -> bool:
    return SURROGATE.search(text) is not None


def invalid_text_reply() -> str:
    return ("Sorry, your message contains characters I can't read (broken Unicode). "
            "Please type it again.")


def _too_deep(limit: int) -> MetadataRefused:
    return MetadataRefused(400, "metadata_too_deep",
                           f"'metadata' is nested too deeply (at most {limit} levels of objects "
                           "and lists).")


def _too_large(limit: int) -> MetadataRefused:
    return MetadataRefused(413, "metadata_too_large",
                           f"'metadata' is too large (at most {limit} bytes as JSON).")


def _bad(why: str) -> MetadataRefused:
    return MetadataRefused(400, "bad_metadata", f"'metadata' {why}.")


def configure_limits(channel: Any, credentials: Optional[Mapping[str, Any]]) -> None:
    """The channel's input limits from its credentials entry (defaults above), and
    `trusted_proxy_header` (unset: the TCP peer is the client, no header is believed)."""
    credentials = credentials or {}
    for attribute, default in (("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS),
                               ("max_metadata_bytes", DEFAULT_MAX_METADATA_BYTES),
                               ("max_metadata_depth", DEFAULT_MAX_METADATA_DEPTH)):
        value = int(credentials.get(attribute, default))
        if value < 1:
            raise ValueError(f"{attribute} must be a positive whole number, not {value}")
        setattr(channel, attribute, value)
    header = credentials.get("trusted_proxy_header")
    if header:
        channel.trusted_proxy_header = str(header).strip()


def checked_metadata(raw: Any, max_bytes: int, max_depth: int) -> dict:
    """The client's metadata ({} when absent or null), or MetadataRefused.

    It must be a JSON object, at most `max_depth` levels of containers deep, at most
    `max_bytes` as compact UTF-8 JSON, with valid Unicode text and finite numbers.
    The walk is iterative (any depth, no RecursionError) and stops at the first limit
    it crosses: it counts a lower bound of the serialized size as it goes, so a huge
    flat list costs at most `max_bytes` steps.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise _bad("must be a JSON object")
    size = 0
    stack: list = [(raw, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise _too_deep(max_depth)
        size += 2  # {} or []
        if isinstance(node, Mapping):
            children = []
            for key, value in node.items():
                if not isinstance(key, str):
                    raise _bad("keys must be strings")
                if has_lone_surrogate(key):
                    raise _bad("contains broken Unicode text")
                size += len(key) + 4  # "key": and a comma
                children.append(value)
        else:
            children = node
            size += len(children)  # commas
        for value in children:
            if isinstance(value, (Mapping, list, tuple)):
                stack.append((value, depth + 1))
            elif isinstance(value, str):
                if has_lone_surrogate(value):
                    raise _bad("contains broken Unicode text")
                size += len(value) + 2
            elif isinstance(value, float) and not math.isfinite(value):
                raise _bad("numbers must be finite")
            elif value is None or isinstance(value, (bool, int, float)):
                size += 1
            else:
                raise _bad("must hold only JSON values")
            if size > max_bytes:
                raise _too_large(max_bytes)
        if size > max_bytes:
            raise _too_large(max_bytes)
    exact = len(json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if exact > max_bytes:
        raise _too_large(max_bytes)
    return dict(raw)


# --- the client's address (docs/SECURITY.md, guarantee 7) ------------------------------

#: Metadata key under which the channel passes the keyed client address to the actions
#: (the per-address guest ticket limit). Set by the server only: a client's copy is
#: dropped like `auth`.
CLIENT_ADDRESS_KEY = "client_address"
ADDRESS_KEY = re.compile(r"[0-9a-f]{32}")
#: IPv6 clients are counted per /64 (one customer line or host usually has a whole /64).
IPV6_PREFIX = 64


def _parse_ip(value: Any) -> Optional[str]:
    """An address as counted: IPv4, or the IPv6 /64 network; None when not an address."""
    if not isinstance(value, str):
        return None
    text = value.strip().strip('"')
    if text.lower().startswith("for="):  # RFC 7239 Forwarded: for=...
        text = text[4:].strip('"')
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def client_ip(peer: Any, headers: Any = None, trusted_header: Optional[str] = None) -> Optional[str]:
    """The client's address: the TCP peer, or, only when a trusted proxy header is
    configured and present, the address the proxy appended last (the rightmost entry:
    earlier entries were written by the client and prove nothing)."""
    if trusted_header and headers is not None:
        getall = getattr(headers, "getall", None)
        values = getall(trusted_header, []) if getall else [headers.get(trusted_header)]
        entries = [e for v in values if isinstance(v, str) for e in v.split(",") if e.strip()]
        if entries:
            last = entries[-1]
            if ";" in last:  # Forwarded: for=...;proto=https
                last = next((p for p in last.split(";") if p.strip().lower().startswith("for=")), "")
            found = _parse_ip(last)
            if found:
                return found
    return _parse_ip(peer)


def address_key(ip: Optional[str]) -> Optional[str]:
    """A keyed hash of the address (HMAC, a key of its own): what the tracker, the action
    server and the store see; the address itself is never stored."""
    if not ip:
        return None
    key = _derived_key(b"assurance/client-address/v1")
    return hmac.new(key, ip.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def with_client_address(metadata: dict, key: Optional[str]) -> dict:
    """`metadata` without any client-sent `client_address` (any case or spacing), and
    with ours when the channel knows the address."""
    cleaned = {k: v for k, v in metadata.items()
               if str(k).strip().lower() != CLIENT_ADDRESS_KEY}
    if key is not None:
        cleaned[CLIENT_ADDRESS_KEY] = key
    return cleaned
