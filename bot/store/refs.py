"""Claim references a person can read out on the phone (ARCHITECTURE.md):
`RF-`/`CP-`/`IR-`/`TK-` + 6 Crockford base32 characters (no I, L, O, U)."""
from __future__ import annotations

import re
import secrets
from typing import Optional

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = {"refund": "RF", "compensation": "CP", "icp_reward": "IR", "ticket": "TK"}
KIND_OF_PREFIX = {v: k for k, v in PREFIX.items()}
PATTERN = re.compile(r"^(RF|CP|IR|TK)-[0-9A-HJKMNP-TV-Z]{6}$")
#: Crockford decoding: what people mishear or mistype maps to the one symbol.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_reference(kind: str) -> str:
    """A fresh random reference (30 bits; uniqueness is enforced by the table)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(6))
    return f"{PREFIX[kind]}-{body}"


def normalize(reference: str) -> Optional[str]:
    """Canonical form of a typed or spoken reference, or None if it cannot be one
    ("rf 7kq2m9", "RF-7KQ2MQ" and "rf-7kq2m9" all work; O→0, I/L→1)."""
    if not isinstance(reference, str):
        return None
    text = re.sub(r"[\s_-]+", "", reference.strip().upper())
    if len(text) != 8:
        return None
    prefix, body = text[:2], text[2:].translate(_READ_AS)
    candidate = f"{prefix}-{body}"
    return candidate if PATTERN.match(candidate) else None
