"""Signed identity (bot.identity): valid, expired, forged, tampered, malformed, missing.

Guarantee numbers are those of docs/SECURITY.md."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import jwt
import pytest

from bot import identity
from bot.clock import CST

SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=CST)


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv(identity.SECRET_ENV, SECRET)
    monkeypatch.delenv(identity.DEMO_ENV, raising=False)
    monkeypatch.delenv("ASSURANCE_NOW", raising=False)


def test_valid_token_names_the_account():
    token = identity.mint("C1001", now=NOW)
    who = identity.verify(token, now=NOW + timedelta(minutes=5))
    assert who.customer_id == "C1001"
    auth = who.metadata("acct:C1001:s1")
    assert set(auth) == {"customer_id", "expires", "proof"} and auth["customer_id"] == "C1001"
    assert identity.account_from_proof(auth, "acct:C1001:s1", now=NOW) == "C1001"
    assert who.expires_at - who.issued_at == identity.DEFAULT_TTL


def test_claims_are_sub_exp_iat_iss_aud():
    claims = jwt.decode(identity.mint("C1002", now=NOW), SECRET, algorithms=["HS256"],
                        audience=identity.AUDIENCE, options={"verify_exp": False})
    assert set(claims) == {"sub", "exp", "iat", "iss", "aud"}
    assert claims["sub"] == "C1002" and claims["iss"] == identity.ISSUER


def test_expired_token_is_refused_with_a_clear_message():
    token = identity.mint("C1001", now=NOW, ttl=timedelta(minutes=15))
    with pytest.raises(identity.ExpiredToken, match="expired"):
        identity.verify(token, now=NOW + timedelta(minutes=16))


def test_expiry_follows_the_pinned_clock(monkeypatch):
    monkeypatch.setenv("ASSURANCE_NOW", "2026-11-27T10:00:00+08:00")
    token = identity.mint("C1001")
    assert identity.verify(token).customer_id == "C1001"
    monkeypatch.setenv("ASSURANCE_NOW", "2026-11-27T11:00:00+08:00")
    with pytest.raises(identity.ExpiredToken):
        identity.verify(token)


def test_forged_token_signed_with_another_key_is_refused():
    forged = identity.mint("C1001", now=NOW, secret="another-secret-" + "x" * 40)
    with pytest.raises(identity.ForgedToken, match="signature"):
        identity.verify(forged, now=NOW)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_payload_is_refused():
    header, _payload, signature = identity.mint("C1001", now=NOW).split(".")
    claims = jwt.decode(identity.mint("C1001", now=NOW), SECRET, algorithms=["HS256"],
                        audience=identity.AUDIENCE, options={"verify_exp": False})
    claims["sub"] = "C1002"  # try to become another account, keep the old signature
    with pytest.raises(identity.ForgedToken):
        identity.verify(f"{header}.{_b64(claims)}.{signature}", now=NOW)


def test_alg_none_is_refused():
    claims = {"sub": "C1001", "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 600,
              "iss": identity.ISSUER, "aud": identity.AUDIENCE}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    with pytest.raises(identity.ForgedToken):
        identity.verify(unsigned, now=NOW)


@pytest.mark.parametrize("token", ["abc", "a.b", "a.b.c", "....", 42])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(identity.MalformedToken):
        identity.verify(token, now=NOW)


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token(token):
    with pytest.raises(identity.MissingToken):
        identity.verify(token, now=NOW)


def test_wrong_audience_or_bad_subject_is_refused():
    other = jwt.encode({"sub": "C1001", "iat": int(NOW.timestamp()),
                        "exp": int(NOW.timestamp()) + 600, "iss": identity.ISSUER,
                        "aud": "someone-else"}, SECRET, algorithm="HS256")
    with pytest.raises(identity.InvalidClaims):
        identity.verify(other, now=NOW)
    admin = jwt.encode({"sub": "admin", "iat": int(NOW.timestamp()),
                        "exp": int(NOW.timestamp()) + 600, "iss": identity.ISSUER,
                        "aud": identity.AUDIENCE}, SECRET, algorithm="HS256")
    with pytest.raises(identity.InvalidClaims, match="customer account"):
        identity.verify(admin, now=NOW)
    no_exp = jwt.encode({"sub": "C1001", "iat": int(NOW.timestamp()),
                         "iss": identity.ISSUER, "aud": identity.AUDIENCE}, SECRET, algorithm="HS256")
    with pytest.raises(identity.InvalidClaims, match="exp"):
        identity.verify(no_exp, now=NOW)


@pytest.mark.parametrize("bad", ["C101", "c1001", "C10011", "X1001", ""])
def test_mint_refuses_non_customer_ids(bad):
    with pytest.raises(ValueError):
        identity.mint(bad, now=NOW)


def test_secret_required_outside_demo(monkeypatch):
    monkeypatch.delenv(identity.SECRET_ENV)
    with pytest.raises(identity.SecretNotConfigured, match=identity.SECRET_ENV):
        identity.mint("C1001", now=NOW)
    monkeypatch.setenv(identity.DEMO_ENV, "1")
    token = identity.mint("C1001", now=NOW)
    assert identity.verify(token, now=NOW).customer_id == "C1001"
    # demo mode next to a real secret signs and checks nothing (guarantee 3)
    monkeypatch.setenv(identity.SECRET_ENV, SECRET)
    with pytest.raises(identity.SecretNotConfigured, match="both set"):
        identity.verify(token, now=NOW)
    with pytest.raises(identity.ConfigurationError, match="both set"):
        identity.check_configuration()
    # a demo token is worthless once a real secret is configured
    monkeypatch.delenv(identity.DEMO_ENV)
    with pytest.raises(identity.ForgedToken):
        identity.verify(token, now=NOW)


def test_short_secret_is_refused(monkeypatch):
    monkeypatch.setenv(identity.SECRET_ENV, "short")
    with pytest.raises(identity.SecretNotConfigured, match="too short"):
        identity.mint("C1001", now=NOW)


def test_bearer_header_parsing():
    assert identity.bearer_token(None) is None
    assert identity.bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    with pytest.raises(identity.MalformedToken):
        identity.bearer_token("Basic dXNlcjpwYXNz")
    with pytest.raises(identity.MalformedToken):
        identity.bearer_token("Bearer ")


def _signed(claims: dict) -> str:
    base = {"sub": "C1001", "iss": identity.ISSUER, "aud": identity.AUDIENCE}
    return jwt.encode({**base, **claims}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("lifetime", [timedelta(days=365 * 100), timedelta(hours=1),
                                      identity.DEFAULT_TTL + identity.LEEWAY + timedelta(seconds=1)])
def test_a_token_longer_lived_than_the_site_issues_is_refused(lifetime):
    """A token signed with the (demo) key for 100 years is refused (guarantee 2)."""
    iat = int(NOW.timestamp())
    token = _signed({"iat": iat, "exp": iat + int(lifetime.total_seconds())})
    with pytest.raises(identity.InvalidClaims, match="longer lifetime"):
        identity.verify(token, now=NOW)


def test_the_lifetime_follows_the_configured_ttl(monkeypatch):
    iat = int(NOW.timestamp())
    hour = _signed({"iat": iat, "exp": iat + 3600})
    monkeypatch.setenv(identity.TTL_ENV, "60")
    assert identity.verify(hour, now=NOW).customer_id == "C1001"
    assert identity.verify(identity.mint("C1001", now=NOW), now=NOW).expires_at == NOW + timedelta(hours=1)
    monkeypatch.setenv(identity.TTL_ENV, "forever")
    with pytest.raises(identity.ConfigurationError, match=identity.TTL_ENV):
        identity.check_configuration()


@pytest.mark.parametrize("claims", [
    {"iat": str(int(NOW.timestamp())), "exp": str(int(NOW.timestamp()) + 600)},
    {"iat": int(NOW.timestamp()), "exp": str(int(NOW.timestamp()) + 600)},
    {"iat": int(NOW.timestamp()), "exp": float(NOW.timestamp()) + 600.5},
    {"iat": True, "exp": int(NOW.timestamp()) + 600},
    {"iat": int(NOW.timestamp()), "exp": 10 ** 30},
])
def test_token_times_must_be_whole_seconds(claims):
    """A string "exp" (and friends) is refused (guarantee 2)."""
    with pytest.raises(identity.InvalidClaims):
        identity.verify(_signed(claims), now=NOW)


def test_demo_mode_alone_and_a_secret_alone_both_start(monkeypatch):
    identity.check_configuration()  # secret only
    monkeypatch.delenv(identity.SECRET_ENV)
    monkeypatch.setenv(identity.DEMO_ENV, "1")
    identity.check_configuration()  # demo only


def test_channel_proof_is_bound_to_conversation_account_and_expiry():
    who = identity.Identity("C1001", NOW, NOW + identity.DEFAULT_TTL)
    auth = who.metadata("acct:C1001:abc12345")
    assert identity.account_from_proof(auth, "acct:C1001:abc12345", now=NOW) == "C1001"
    assert identity.account_from_proof(auth, "acct:C1001:other123", now=NOW) is None
    assert identity.account_from_proof({**auth, "customer_id": "C1002"}, "acct:C1001:abc12345",
                                       now=NOW) is None
    late = NOW + identity.DEFAULT_TTL + identity.LEEWAY
    assert identity.account_from_proof(auth, "acct:C1001:abc12345", now=late) is None
    assert identity.account_from_proof({"customer_id": "C1001", "verified": True},
                                       "acct:C1001:abc12345", now=NOW) is None
