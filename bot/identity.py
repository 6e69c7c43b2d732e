"""Signed customer identity: mint and verify short-lived JWTs (HS256).

The support site (which knows who is logged in) mints a token naming the account;
the Rasa input channels (bot/channels) verify it and bind the conversation to that
account. Nothing else may claim an identity: no slot, no message text, no sender id.

Times come from `bot.clock.now()` for both minting and checking, so a pinned
ASSURANCE_NOW (demos, tests) gives tokens that are valid in that same pinned world.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import jwt

from bot import clock

SECRET_ENV = "ASSURANCE_JWT_SECRET"
DEMO_ENV = "ASSURANCE_DEMO"
ALGORITHM = "HS256"
ISSUER = "cloud-assurance-support-site"
AUDIENCE = "cloud-assurance-assistant"
#: Short on purpose: a leaked token is useless after a quarter of an hour.
DEFAULT_TTL = timedelta(minutes=15)
#: Clock skew tolerated between the site that mints and the channel that checks.
LEEWAY = timedelta(seconds=30)
#: HS256 keys shorter than the hash output are guessable; refuse them.
MIN_SECRET_BYTES = 32
#: DEMO ONLY. Used solely when ASSURANCE_DEMO=1 and no real secret is set, so that
#: `make run` works out of the box. Anyone can read it here: never deploy with it.
DEMO_SECRET = "DEMO-ONLY-public-secret-for-make-run--never-use-in-production"

CUSTOMER_ID = re.compile(r"C\d{4}")


class TokenError(Exception):
    """A token was refused. `code` is machine-readable, `str()` is for people."""

    code = "invalid"

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class MissingToken(TokenError):
    code = "missing"


class MalformedToken(TokenError):
    code = "malformed"


class ExpiredToken(TokenError):
    code = "expired"


class ForgedToken(TokenError):
    """Signature does not match: forged, tampered with, or signed with another key."""

    code = "bad_signature"


class InvalidClaims(TokenError):
    code = "invalid_claims"


class SecretNotConfigured(TokenError):
    code = "not_configured"


@dataclass(frozen=True)
class Identity:
    """A verified account identity taken from a token."""

    customer_id: str
    issued_at: datetime
    expires_at: datetime

    def metadata(self) -> dict:
        """The `auth` block ARCHITECTURE.md promises in every user message."""
        return {"customer_id": self.customer_id, "verified": True}


def demo_enabled() -> bool:
    """True when the process runs as the local demo (`make run` sets ASSURANCE_DEMO=1)."""
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def signing_secret() -> str:
    """The HS256 secret: ASSURANCE_JWT_SECRET, or the public demo secret in demo mode."""
    value = os.environ.get(SECRET_ENV, "")
    if value:
        if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
            raise SecretNotConfigured(
                f"{SECRET_ENV} is too short: use at least {MIN_SECRET_BYTES} bytes "
                "(for example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        return value
    if demo_enabled():
        return DEMO_SECRET
    raise SecretNotConfigured(
        f"No token secret: set {SECRET_ENV} (or {DEMO_ENV}=1 for the local demo only)."
    )


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def mint(
    customer_id: str,
    *,
    ttl: timedelta = DEFAULT_TTL,
    now: Optional[datetime] = None,
    secret: Optional[str] = None,
) -> str:
    """Sign a token naming `customer_id` (pattern C\\d{4}), valid for `ttl`."""
    if not isinstance(customer_id, str) or not CUSTOMER_ID.fullmatch(customer_id):
        raise ValueError(f"customer id {customer_id!r} does not match C followed by 4 digits")
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    issued = now or clock.now()
    claims = {
        "sub": customer_id,
        "iat": _epoch(issued),
        "exp": _epoch(issued + ttl),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret or signing_secret(), algorithm=ALGORITHM)


def verify(
    token: Optional[str],
    *,
    now: Optional[datetime] = None,
    secret: Optional[str] = None,
) -> Identity:
    """Check a token and return the identity it names; raise a TokenError otherwise."""
    if token is None or (isinstance(token, str) and not token.strip()):
        raise MissingToken("No sign-in token was presented.")
    if not isinstance(token, str) or token.count(".") != 2:
        raise MalformedToken("The sign-in token is not a valid token. Please sign in again.")
    key = secret or signing_secret()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise MalformedToken("The sign-in token is not a valid token. Please sign in again.") from exc
    if header.get("alg") != ALGORITHM:
        # Refuses alg=none and algorithm-confusion tricks before any decoding.
        raise ForgedToken("The sign-in token is not signed the way this site signs tokens.")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            # Expiry is checked below against bot.clock (honours ASSURANCE_NOW).
            options={"require": ["sub", "exp", "iat", "iss", "aud"], "verify_exp": False,
                     "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidSignatureError as exc:
        raise ForgedToken(
            "The sign-in token's signature does not match: it was altered or not issued by this site."
        ) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidClaims(f"The sign-in token lacks the '{exc.claim}' claim.") from exc
    except (jwt.InvalidAudienceError, jwt.InvalidIssuerError) as exc:
        raise InvalidClaims("The sign-in token was issued for another service.") from exc
    except jwt.DecodeError as exc:
        raise MalformedToken("The sign-in token is not a valid token. Please sign in again.") from exc
    except jwt.InvalidTokenError as exc:
        raise InvalidClaims(f"The sign-in token is invalid: {exc}.") from exc

    sub = claims.get("sub")
    if not isinstance(sub, str) or not CUSTOMER_ID.fullmatch(sub):
        raise InvalidClaims("The sign-in token does not name a customer account.")
    try:
        issued_at = datetime.fromtimestamp(int(claims["iat"]), clock.CST)
        expires_at = datetime.fromtimestamp(int(claims["exp"]), clock.CST)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidClaims("The sign-in token has unreadable times.") from exc
    moment = now or clock.now()
    if moment >= expires_at + LEEWAY:
        raise ExpiredToken("Your sign-in has expired. Please sign in again.")
    if issued_at > moment + LEEWAY:
        raise InvalidClaims("The sign-in token was issued in the future.")
    return Identity(customer_id=sub, issued_at=issued_at, expires_at=expires_at)


def bearer_token(header_value: Optional[str]) -> Optional[str]:
    """The token of an `Authorization: Bearer <token>` header; None when absent.

    A header that is present but not a bearer header raises MalformedToken, so a
    client that tried to authenticate is never silently treated as a guest.
    """
    if header_value is None or not header_value.strip():
        return None
    scheme, _, value = header_value.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise MalformedToken("The Authorization header must be 'Bearer <token>'.")
    return value.strip()
