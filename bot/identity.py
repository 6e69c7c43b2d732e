"""Signed customer identity: mint and verify short-lived JWTs (HS256).

The support site (which knows who is logged in) mints a token naming the account;
the Rasa input channels (bot/channels) verify it and bind the conversation to that
account. Nothing else may claim an identity: no slot, no message text, no sender id.

Times come from `bot.clock.now()` for both minting and checking, so a pinned
ASSURANCE_NOW (demos, tests) gives tokens that are valid in that same pinned world.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import jwt

from bot import clock

SECRET_ENV = "ASSURANCE_JWT_SECRET"
DEMO_ENV = "ASSURANCE_DEMO"
TTL_ENV = "ASSURANCE_TOKEN_TTL_MINUTES"
ALGORITHM = "HS256"
ISSUER = "cloud-assurance-support-site"
AUDIENCE = "cloud-assurance-assistant"
#: Short on purpose: a leaked token is useless after a quarter of an hour. It is also the
#: longest lifetime a presented token may claim (`exp - iat`), unless TTL_ENV says otherwise.
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


class ConfigurationError(RuntimeError):
    """The process must not start: demo mode next to a real secret, or a bad lifetime."""


@dataclass(frozen=True)
class Identity:
    """A verified account identity taken from a token."""

    customer_id: str
    issued_at: datetime
    expires_at: datetime

    def metadata(self, sender_id: str, secret: Optional[str] = None) -> dict:
        """The `auth` block the channel puts in every user message of `sender_id`.

        It carries a proof the action server checks itself (`account_from_proof`):
        a flag such as `verified: true` would be believed from anyone who can reach it.
        """
        expires = _epoch(self.expires_at)
        return {"customer_id": self.customer_id, "expires": expires,
                "proof": channel_proof(sender_id, self.customer_id, expires, secret)}


def demo_enabled() -> bool:
    """True when the process runs as the local demo (`make run` sets ASSURANCE_DEMO=1)."""
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes"}


def token_ttl() -> timedelta:
    """The configured token lifetime (TTL_ENV minutes, default DEFAULT_TTL)."""
    raw = os.environ.get(TTL_ENV, "").strip()
    if not raw:
        return DEFAULT_TTL
    try:
        minutes = int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{TTL_ENV} must be a whole number of minutes, not {raw!r}.") from exc
    if not 1 <= minutes <= 24 * 60:
        raise ConfigurationError(f"{TTL_ENV} must be between 1 and 1440 minutes, not {minutes}.")
    return timedelta(minutes=minutes)


def check_configuration() -> None:
    """Refuse to start when demo mode and a real secret are both set.

    Demo mode signs tokens for demo accounts without a password; next to a real secret
    it would sign real, valid tokens. Called at start-up by every process that mints
    or checks identities (support site, channels, action server).
    """
    if demo_enabled() and os.environ.get(SECRET_ENV, ""):
        raise ConfigurationError(
            f"{DEMO_ENV}=1 and {SECRET_ENV} are both set: demo sign-in would sign real tokens "
            f"with the real secret. Unset {DEMO_ENV} in production (or unset {SECRET_ENV} "
            "for the local demo).")
    token_ttl()


def signing_secret() -> str:
    """The HS256 secret: ASSURANCE_JWT_SECRET, or the public demo secret in demo mode."""
    value = os.environ.get(SECRET_ENV, "")
    if value and demo_enabled():
        raise SecretNotConfigured(
            f"{DEMO_ENV}=1 and {SECRET_ENV} are both set; refusing to sign or check tokens.")
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
    ttl: Optional[timedelta] = None,
    now: Optional[datetime] = None,
    secret: Optional[str] = None,
) -> str:
    """Sign a token naming `customer_id` (pattern C\\d{4}), valid for `ttl`."""
    if not isinstance(customer_id, str) or not CUSTOMER_ID.fullmatch(customer_id):
        raise ValueError(f"customer id {customer_id!r} does not match C followed by 4 digits")
    ttl = token_ttl() if ttl is None else ttl
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
    iat, exp = claims.get("iat"), claims.get("exp")
    if not (isinstance(iat, int) and isinstance(exp, int)) or isinstance(iat, bool) or isinstance(exp, bool):
        raise InvalidClaims("The sign-in token's times must be whole numbers of seconds.")
    try:
        issued_at = datetime.fromtimestamp(iat, clock.CST)
        expires_at = datetime.fromtimestamp(exp, clock.CST)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise InvalidClaims("The sign-in token has unreadable times.") from exc
    if expires_at - issued_at > token_ttl() + LEEWAY:
        # A stolen long-lived token (signed by a leaked or demo key) stays refused.
        raise InvalidClaims("The sign-in token claims a longer lifetime than this site issues.")
    moment = now or clock.now()
    if moment >= expires_at + LEEWAY:
        raise ExpiredToken("Your sign-in has expired. Please sign in again.")
    if issued_at > moment + LEEWAY:
        raise InvalidClaims("The sign-in token was issued in the future.")
    return Identity(customer_id=sub, issued_at=issued_at, expires_at=expires_at)


def _proof_key(secret: Optional[str]) -> bytes:
    """A key of its own for channel proofs, derived from the token secret."""
    base = (secret or signing_secret()).encode("utf-8")
    return hmac.new(base, b"assurance/channel-proof/v1", hashlib.sha256).digest()


def channel_proof(sender_id: str, customer_id: str, expires: int,
                  secret: Optional[str] = None) -> str:
    """HMAC over (conversation, account, expiry): the channel's word, checkable later."""
    message = f"{sender_id}\n{customer_id}\n{expires}".encode("utf-8")
    return hmac.new(_proof_key(secret), message, hashlib.sha256).hexdigest()


def account_from_proof(auth: object, sender_id: str, *, now: Optional[datetime] = None,
                       secret: Optional[str] = None) -> Optional[str]:
    """The customer id an `auth` block proves for conversation `sender_id`, else None.

    The action server trusts nothing it is sent: the block must carry a valid HMAC
    (made by a channel holding the secret) for this very conversation, and must not
    have expired. Without a configured secret nobody is proven (everyone is a guest).
    """
    if not isinstance(auth, dict):
        return None
    cid, expires, proof = auth.get("customer_id"), auth.get("expires"), auth.get("proof")
    if not (isinstance(cid, str) and CUSTOMER_ID.fullmatch(cid) and isinstance(proof, str)
            and isinstance(expires, int) and not isinstance(expires, bool)):
        return None
    try:
        expected = channel_proof(sender_id, cid, expires, secret)
    except SecretNotConfigured:
        return None
    if not hmac.compare_digest(expected, proof):
        return None
    if _epoch(now or clock.now()) >= expires + LEEWAY.total_seconds():
        return None
    return cid


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
