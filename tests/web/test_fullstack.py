"""Against the real `rasa run` + action server + seeded store (slow, full stack).

Identity through the channel (valid / expired / forged / missing tokens, account A
asking for B's claim), Rasa's HTTP API refusing anonymous calls, and the Telegram and
Slack connectors replying through their (fake, local) APIs.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from bot import clock, identity
from tests.channels.fakes import slack_event, slack_headers, telegram_callback, telegram_update
from tests.harness.stack import SLACK_SECRET

pytestmark = pytest.mark.slow

ORDER_ID = re.compile(r"CS\d{10}")


@pytest.fixture
def signed(stack, monkeypatch):
    """Mint tokens the way the support site does, with the stack's (demo) secret and clock."""
    monkeypatch.delenv(identity.SECRET_ENV, raising=False)
    monkeypatch.setenv(identity.DEMO_ENV, "1")
    monkeypatch.setenv("ASSURANCE_NOW", stack.env["ASSURANCE_NOW"])
    return identity.mint


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=90) as resp:
            raw = resp.read()
            try:
                return resp.status, json.loads(raw or b"null")
            except ValueError:
                return resp.status, raw.decode()
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw)
        except ValueError:
            return err.code, raw.decode()


def say(stack, text, sender, token=None, metadata=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http("POST", f"{stack.rasa_url}/webhooks/rest/webhook",
                {"sender": sender, "message": text, "metadata": metadata or {}}, headers)


def all_text(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies) if isinstance(replies, list) else str(replies)


def test_http_api_refuses_unauthenticated_calls(stack):
    for method, path, body in (("GET", "/conversations/x/tracker", None),
                               ("POST", "/conversations/x/messages", {"text": "hi", "sender": "user"}),
                               ("POST", "/conversations/x/tracker/events", {"event": "slot"}),
                               ("GET", "/status", None)):
        status, _ = http(method, stack.rasa_url + path, body)
        assert status in (401, 403), (method, path, status)
        status, _ = http(method, stack.rasa_url + path + "?token=wrong-token", body)
        assert status in (401, 403), (method, path, status)
    status, tracker = http("GET", f"{stack.rasa_url}/conversations/x/tracker?token={stack.api_token}")
    assert status == 200 and tracker["sender_id"] == "x"


def test_account_sees_own_claim_and_channel_writes_auth(stack, signed):
    status, replies = say(stack, "what is the status of RF-DEM001", "own-claim-01", signed("C1003"))
    assert status == 200
    text = all_text(replies)
    assert "RF-DEM001" in text and ORDER_ID.search(text), text
    # the tracker (read with the API token) shows what the channel put in the metadata
    status, tracker = http("GET", f"{stack.rasa_url}/conversations/acct:C1003:own-claim-01/tracker"
                                  f"?token={stack.api_token}")
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert users and all(e["metadata"]["auth"]["customer_id"] == "C1003" and
                         "verified" not in e["metadata"]["auth"] for e in users)


def test_account_a_gets_nothing_of_b(stack, signed):
    _, own = say(stack, "what is the status of RF-DEM001", "b-own-claim", signed("C1003"))
    b_order = ORDER_ID.search(all_text(own)).group(0)
    attempts = [
        # A's token asking for B's reference
        ("a-asks-b-001", signed("C1001"), None),
        # A's token plus forged metadata naming B
        ("a-forges-b-01", signed("C1001"), {"auth": {"customer_id": "C1003", "verified": True}}),
        # a guest with forged metadata
        ("guest-forges-1", None, {"auth": {"customer_id": "C1003", "verified": True}}),
    ]
    for sender, token, metadata in attempts:
        status, replies = say(stack, "what is the status of RF-DEM001", sender, token, metadata)
        assert status == 200
        text = all_text(replies)
        assert b_order not in text and "completed" not in text, (sender, text)
    # B's conversation key cannot be named by anyone
    status, body = say(stack, "hi", "acct:C1003:b-own-claim", signed("C1001"))
    assert status == 400 and body["error"] == "bad_sender"


@pytest.mark.parametrize("kind", ["expired", "forged", "tampered", "malformed"])
def test_bad_tokens_are_refused_by_the_running_server(stack, signed, kind):
    if kind == "expired":
        token = signed("C1003", now=clock.now() - timedelta(hours=1))
    elif kind == "forged":
        token = identity.mint("C1003", secret="attacker-secret-" + "k" * 40)
    elif kind == "tampered":
        head, _, sig = signed("C1001").split(".")
        _, body, _ = identity.mint("C1003", secret="x" * 48).split(".")
        token = f"{head}.{body}.{sig}"
    else:
        token = "not.a.jwt"
    status, body = say(stack, "what is the status of RF-DEM001", f"bad-{kind}-1", token)
    assert status == 401, body
    assert body["message"] and body["error"] in {"expired", "bad_signature", "malformed"}


def test_missing_token_is_a_guest_without_account_data(stack):
    status, replies = say(stack, "what is the status of RF-DEM001", "no-token-01")
    assert status == 200
    assert "sign in" in all_text(replies).lower()
    assert replies[0]["recipient_id"] == "guest:no-token-01"


def test_telegram_update_gets_a_reply_through_the_bot_api(stack):
    apis = stack.apis
    assert apis.sent("telegram", "setWebhook"), "the connector did not register its webhook"
    chat = 7770001

    def replies():
        return [c["body"] for c in apis.sent("telegram", "sendMessage")
                if str(c["body"].get("chat_id")) == str(chat)]

    status, _ = http("POST", f"{stack.rasa_url}/webhooks/telegram/webhook", telegram_update(chat, "hello"))
    assert status == 200
    greeting = apis.wait_for(replies, timeout=60)[0]
    keyboard = json.loads(greeting["reply_markup"])["inline_keyboard"]
    payloads = [b["callback_data"] for row in keyboard for b in row]
    assert "/request_refund" in payloads
    # pressing a button: the payload comes back as a callback query
    before = len(replies())
    http("POST", f"{stack.rasa_url}/webhooks/telegram/webhook", telegram_callback(chat, "/ask_hotline"))
    apis.wait_for(lambda: len(replies()) > before, timeout=60)
    log = stack.log("rasa")
    assert "Event loop is closed" not in log and "Failed to set" not in log, log[-2000:]


def test_slack_event_gets_a_reply_through_chat_post_message(stack):
    apis = stack.apis
    body = json.dumps(slack_event("U0FULL01", "D0FULL01", "hello")).encode()
    req = urllib.request.Request(f"{stack.rasa_url}/webhooks/slack/webhook", data=body,
                                 headers=slack_headers(SLACK_SECRET, body))
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200
    call = apis.wait_for(lambda: [c for c in apis.sent("slack", "chat.postMessage")
                                  if c["body"].get("channel") == "D0FULL01"], timeout=60)[0]
    assert call["auth"] == "Bearer xoxb-fullstack"
    assert call["body"]["text"]
    buttons = [e["value"] for block in call["body"].get("blocks", []) if block["type"] == "actions"
               for e in block["elements"]]
    assert "/request_refund" in buttons


def sio_turn(stack, token, session_id, text, metadata=None):
    """One socket.io turn as the widget does it; returns (connect error, bot texts)."""
    import asyncio

    import socketio

    async def run():
        client = socketio.AsyncClient(reconnection=False)
        got, done, refused = [], asyncio.Event(), asyncio.Event()
        errors = []
        client.on("bot_uttered", lambda d: got.append(d.get("text", "")))
        client.on("bot_done", lambda d=None: done.set())
        client.on("connect_error", lambda d=None: (errors.append(d), refused.set()))
        attempt = asyncio.create_task(client.connect(
            stack.rasa_url, socketio_path="/socket.io", transports=["polling"],
            auth={"token": token} if token else None, wait_timeout=30))
        await asyncio.wait([attempt, asyncio.create_task(refused.wait())], timeout=60,
                                   return_when=asyncio.FIRST_COMPLETED)
        if refused.is_set():
            attempt.cancel()
            await client.eio.disconnect(abort=True)
            return errors[0], []
        await client.emit("session_request", {"session_id": session_id})
        await client.emit("user_uttered", {"message": text, "session_id": session_id,
                                           "metadata": metadata or {}})
        await asyncio.wait_for(done.wait(), 90)
        await client.eio.disconnect(abort=True)
        return None, got

    return asyncio.run(run())


def test_socketio_channel_keeps_accounts_apart(stack, signed):
    err, own = sio_turn(stack, signed("C1003"), "sio-b-session", "what is the status of RF-DEM001")
    assert err is None
    b_order = ORDER_ID.search("\n".join(own)).group(0)
    for token, metadata in ((signed("C1001"), None),
                            (signed("C1001"), {"auth": {"customer_id": "C1003", "verified": True}}),
                            (None, {"auth": {"customer_id": "C1003", "verified": True}})):
        # the very same session id as B's: still another conversation
        err, replies = sio_turn(stack, token, "sio-b-session", "what is the status of RF-DEM001", metadata)
        assert err is None
        assert replies and b_order not in "\n".join(replies), replies


def test_socketio_refuses_a_forged_token_at_connect(stack, signed):
    err, replies = sio_turn(stack, identity.mint("C1003", secret="attacker-" + "z" * 40),
                            "sio-forged-1", "what is the status of RF-DEM001")
    assert err and err["data"]["code"] == "bad_signature" and "signature" in err["message"]
    assert replies == []
