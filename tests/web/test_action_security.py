"""The action server believes no caller (docs/SECURITY.md, guarantee 1).

Anyone who can reach the action server can post it a made-up tracker. These tests do
exactly that against the running stack's action server: a tracker whose user event
claims an account (the old `verified: true` flag, a proof for another conversation, a
proof with the account swapped) is served as a guest, and the server listens on
loopback only.
"""
from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import identity
from bot.clock import CST
from tests.harness.stack import PINNED_NOW

pytestmark = pytest.mark.slow

CLAIM_REF = "RF-DEM0"  # C1003's seeded refund requests (bot/store/seed.py)


def post_action(stack, body: Any) -> tuple[int, Any]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{stack.actions_port}/webhook", data=raw,
                                 method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        payload = err.read()
        try:
            return err.code, json.loads(payload)
        except ValueError:
            return err.code, payload.decode(errors="replace")


def tracker_body(sender: str, auth: Optional[Dict[str, Any]],
                 action: str = "action_refund_status") -> Dict[str, Any]:
    """What Rasa would send for `action` after one user message with this `auth`."""
    user = {"event": "user", "text": "where is my refund", "metadata": {"auth": auth} if auth else {},
            "parse_data": {"intent": {"name": "refund_status", "confidence": 1.0},
                           "entities": [], "text": "where is my refund"}}
    return {"next_action": action, "version": "3.6.21",
            "tracker": {"sender_id": sender, "slots": {}, "latest_message": user["parse_data"],
                        "events": [user], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": "action_listen"},
            "domain": {}}


def said(payload: Any) -> str:
    return json.dumps(payload)


def proof_for(stack, customer: str, sender: str) -> Dict[str, Any]:
    from datetime import datetime

    now = datetime.fromisoformat(PINNED_NOW).astimezone(CST)
    who = identity.Identity(customer, now, now + identity.DEFAULT_TTL)
    return who.metadata(sender, stack.jwt_secret)


def test_a_real_proof_is_believed(stack):
    """The control: the channel's proof for this very conversation shows C1003's claims."""
    sender = "acct:C1003:control-01"
    status, payload = post_action(stack, tracker_body(sender, proof_for(stack, "C1003", sender)))
    assert status == 200 and CLAIM_REF in said(payload), payload


@pytest.mark.parametrize("make_auth", [
    lambda stack, sender: {"customer_id": "C1003", "verified": True},
    lambda stack, sender: proof_for(stack, "C1003", "acct:C1003:someone-else"),
    lambda stack, sender: {**proof_for(stack, "C1001", sender), "customer_id": "C1003"},
    lambda stack, sender: {**proof_for(stack, "C1003", sender), "proof": "0" * 64},
    lambda stack, sender: identity.Identity("C1003", *_window()).metadata(sender, "x" * 48),
], ids=["verified-flag", "other-conversation", "swapped-account", "bad-hmac", "other-key"])
@pytest.mark.parametrize("sender", ["acct:C1003:attacker-1", "guest:attacker-1", "C1003"])
def test_a_forged_tracker_is_served_as_a_guest(stack, make_auth, sender):
    status, payload = post_action(stack, tracker_body(sender, make_auth(stack, sender)))
    assert status == 200
    assert CLAIM_REF not in said(payload), payload
    assert "utter_status_guest" in said(payload), payload


def _window():
    from datetime import datetime

    now = datetime.fromisoformat(PINNED_NOW).astimezone(CST)
    return now, now + identity.DEFAULT_TTL


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for path, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        try:
            lines = open(path).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            host, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A = LISTEN
                raw = bytes.fromhex(host)
                if family == socket.AF_INET:
                    found.add(socket.inet_ntop(family, raw[::-1]))
                else:
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(family, words))
    return found


def test_the_action_server_listens_on_loopback_only(stack):
    addresses = _listening_addresses(stack.actions_port)
    assert addresses, "no listening socket found"
    assert addresses <= {"127.0.0.1", "::1"}, addresses


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(auth=json_values, sender=st.text(max_size=30),
       action=st.sampled_from(["action_refund_status", "action_ask_refund_item", "action_submit_refund",
                               "action_submit_compensation", "action_hotline", "no_such_action"]))
def test_fuzzed_identity_blocks_never_reveal_an_account(stack, auth, sender, action):
    status, payload = post_action(stack, tracker_body(sender, auth, action))
    assert status in (200, 400, 404), (status, payload)
    assert CLAIM_REF not in said(payload), payload
    assert "CS26" not in said(payload), payload  # no seeded order id of any account
