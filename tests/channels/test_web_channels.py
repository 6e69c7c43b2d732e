"""The REST and socket.io channels bind conversations to verified accounts.

A real Sanic server (in this process, on a free port) hosts both channel blueprints;
instead of Rasa's agent, a recorder keeps every UserMessage and echoes a reply through
the message's own output channel, so the tests see exactly what Rasa would receive.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import aiohttp
import pytest
import socketio
from sanic import Sanic

from bot import clock, identity
from bot.channels import common
from bot.channels.rest import AuthRestInput
from bot.channels.socketio import AuthSocketIOInput
from tests.harness.servers import free_port

SECRET = "channel-test-secret-0123456789abcdefghijklmnop"
PINNED = "2026-11-27T10:00:00+08:00"


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv(identity.SECRET_ENV, SECRET)
    monkeypatch.delenv(identity.DEMO_ENV, raising=False)
    monkeypatch.setenv("ASSURANCE_NOW", PINNED)


@pytest.fixture
async def server(monkeypatch):
    # Sanic "touches up" its class once per process; test mode skips that so each
    # test can run its own small app.
    monkeypatch.setattr(Sanic, "test_mode", True)
    received = []

    async def on_new_message(message):
        received.append(message)
        await message.output_channel.send_text_with_buttons(
            message.sender_id, f"echo {message.text}", [{"title": "Yes", "payload": "/affirm"}])

    app = Sanic(f"channels_{uuid.uuid4().hex[:8]}")
    rest = AuthRestInput.from_credentials({"max_message_chars": 50})
    sio = AuthSocketIOInput.from_credentials({"max_message_chars": 50})
    for channel in (rest, sio):
        app.blueprint(channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}")
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                  access_log=False)
    await srv.startup()
    yield f"http://127.0.0.1:{port}", received
    srv.close()
    await srv.wait_closed()


def token(customer="C1001", **kw):
    return identity.mint(customer, **kw)


# --- REST -------------------------------------------------------------------------

async def post(base, body, headers=None):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/webhooks/rest/webhook", json=body,
                             headers=headers or {}) as resp:
            return resp.status, await resp.json()


async def test_rest_guest_gets_guest_namespace_and_no_auth(server):
    base, received = server
    status, replies = await post(base, {"sender": "sess-guest-1", "message": "hi", "metadata": {
        "auth": {"customer_id": "C1002", "verified": True}, "AUTH": "x", "lang": "en"}})
    assert status == 200 and replies[0]["text"] == "echo hi"
    assert received[-1].sender_id == "guest:sess-guest-1"
    # client-supplied auth dropped; the channel adds the keyed client address
    # (SECURITY.md, guarantee 7)
    assert received[-1].metadata == {"lang": "en",
                                     common.CLIENT_ADDRESS_KEY: common.address_key("127.0.0.1")}


async def test_rest_valid_token_binds_account(server):
    base, received = server
    status, replies = await post(base, {"sender": "sess-acct-1", "message": "hi", "metadata": {
        "auth": {"customer_id": "C1002", "verified": True}}},
        {"Authorization": f"Bearer {token('C1001')}"})
    assert status == 200
    assert received[-1].sender_id == "acct:C1001:sess-acct-1"
    assert set(received[-1].metadata) == {"auth", common.CLIENT_ADDRESS_KEY}
    assert identity.account_from_proof(received[-1].metadata["auth"], received[-1].sender_id) == "C1001"
    assert replies[0]["buttons"][0]["payload"] == "/affirm"


@pytest.mark.parametrize("make_header,code", [
    (lambda: f"Bearer {token(now=clock.now() - timedelta(hours=1))}", "expired"),
    (lambda: f"Bearer {identity.mint('C1001', secret='other-secret-' + 'z' * 40)}", "bad_signature"),
    (lambda: f"Bearer {token()[:-3]}abc", "bad_signature"),
    (lambda: "Bearer not-a-token", "malformed"),
    (lambda: "Basic dXNlcjpwYXNz", "malformed"),
])
async def test_rest_bad_token_is_401_never_a_guest(server, make_header, code):
    base, received = server
    status, body = await post(base, {"sender": "sess-bad-01", "message": "hi"},
                              {"Authorization": make_header()})
    assert status == 401
    assert body["error"] == code and body["message"]
    assert received == []


@pytest.mark.parametrize("sender", ["acct:C1002:sess-x", "short", None, "a" * 65, "x y z 1234"])
async def test_rest_sender_cannot_name_a_conversation(server, sender):
    base, received = server
    status, body = await post(base, {"sender": sender, "message": "hi"})
    assert status == 400 and body["error"] == "bad_sender"
    assert received == []


async def test_rest_overlong_message_gets_clear_error(server):
    base, received = server
    status, body = await post(base, {"sender": "sess-long-1", "message": "x" * 51})
    assert status == 413 and "too long" in body["message"] and "50" in body["message"]
    assert received == []


# --- socket.io --------------------------------------------------------------------

class Widget:
    """A minimal socket.io client speaking the widget's protocol."""

    def __init__(self):
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: asyncio.Queue = asyncio.Queue()
        for name in ("bot_uttered", "session_confirm", "session_identity", "auth_error",
                     "bot_done", "connect_error"):
            self.client.on(name, (lambda n: lambda data=None: self.events.put_nowait((n, data)))(name))

    async def connect(self, base, auth=None):
        await self.client.connect(base, socketio_path="/socket.io", transports=["polling"],
                                  auth=auth, wait_timeout=5)

    async def next(self, name, timeout=5.0):
        while True:
            event, data = await asyncio.wait_for(self.events.get(), timeout)
            if event == name:
                return data

    async def close(self):
        # abort: a clean polling disconnect waits for the pending long-poll (~25 s)
        await self.client.eio.disconnect(abort=True)


async def test_socketio_guest_and_stripped_auth(server):
    base, received = server
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {"session_id": "page-session-01"})
    minted = await w.next("session_confirm")  # the server's id, not the page's (SECURITY.md, guarantee 9)
    assert common.signed_session_id(minted)
    assert (await w.next("session_identity"))["guest"] is True
    await w.client.emit("user_uttered", {"message": "hello", "session_id": minted,
                                         "metadata": {"auth": {"customer_id": "C1003"}}})
    reply = await w.next("bot_uttered")
    assert reply["text"] == "echo hello" and reply["quick_replies"][0]["payload"] == "/affirm"
    await w.next("bot_done")
    assert received[-1].sender_id == f"guest:{minted}"
    assert "auth" not in received[-1].metadata
    await w.close()


async def test_socketio_token_binds_account_and_persists_session(server):
    base, received = server
    tab1, tab2, other = Widget(), Widget(), Widget()
    await tab1.connect(base, {"token": token("C1001")})
    await tab2.connect(base, {"token": token("C1001")})
    await other.connect(base, {"token": token("C1002")})
    await tab1.client.emit("session_request", {})
    shared = await tab1.next("session_confirm")  # minted by the server; tab 2 reloads with it
    for w in (tab2, other):
        await w.client.emit("session_request", {"session_id": shared})
        assert await w.next("session_confirm") == shared
    assert (await tab1.next("session_identity"))["customer_id"] == "C1001"
    await tab1.client.emit("user_uttered", {"message": "mine", "session_id": shared})
    assert (await tab1.next("bot_uttered"))["text"] == "echo mine"
    assert (await tab2.next("bot_uttered"))["text"] == "echo mine"  # same session, after reload
    assert received[-1].sender_id == f"acct:C1001:{shared}"
    assert identity.account_from_proof(received[-1].metadata["auth"], received[-1].sender_id) == "C1001"
    # account B with the very same session id is another conversation and sees nothing of A
    with pytest.raises(asyncio.TimeoutError):
        await other.next("bot_uttered", timeout=0.5)
    await other.client.emit("user_uttered", {"message": "theirs", "session_id": shared})
    assert (await other.next("bot_uttered"))["text"] == "echo theirs"
    assert received[-1].sender_id == f"acct:C1002:{shared}"
    for w in (tab1, tab2, other):
        await w.close()


@pytest.mark.parametrize("bad,code", [
    (lambda: identity.mint("C1001", secret="forger-" + "q" * 40), "bad_signature"),
    (lambda: token(now=clock.now() - timedelta(hours=2)), "expired"),
    (lambda: "garbage", "malformed"),
])
async def test_socketio_bad_token_refuses_connection_with_message(server, bad, code):
    base, received = server
    w = Widget()
    # python-socketio's client only gives up on a refused namespace after ~30 s;
    # the refusal itself (connect_error) arrives at once, which is what we check.
    attempt = asyncio.create_task(w.connect(base, {"token": bad()}))
    event = await w.next("connect_error")
    attempt.cancel()
    assert event["data"]["code"] == code and event["message"]
    assert received == []
    await w.close()


async def test_socketio_token_expiring_mid_conversation(server, monkeypatch):
    base, received = server
    w = Widget()
    await w.connect(base, {"token": token("C1001")})
    await w.client.emit("session_request", {"session_id": "expiring-sess"})
    await w.next("session_confirm")
    monkeypatch.setenv("ASSURANCE_NOW", "2026-11-27T10:30:00+08:00")  # past the 15 min
    await w.client.emit("user_uttered", {"message": "still me?", "session_id": "expiring-sess"})
    err = await w.next("auth_error")
    assert err["code"] == "expired" and "sign in again" in err["message"]
    assert received == []
    await w.close()


async def test_socketio_overlong_message(server):
    base, received = server
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {"session_id": "long-message-s"})
    await w.client.emit("user_uttered", {"message": "y" * 51, "session_id": "long-message-s"})
    reply = await w.next("bot_uttered")
    assert "too long" in reply["text"] and "50" in reply["text"]
    assert received == []
    await w.close()


async def test_socketio_message_without_session_id_stays_in_its_conversation(server):
    base, received = server
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {"session_id": "sticky-session"})
    minted = await w.next("session_confirm")
    for text in ("one", "two"):
        await w.client.emit("user_uttered", {"message": text})  # no session_id
        await w.next("bot_done")
    assert [m.sender_id for m in received] == [f"guest:{minted}"] * 2
    await w.close()


@pytest.mark.parametrize("text", ["", "   ", "\t\n\r "])
async def test_empty_messages_get_a_clear_answer_not_the_model(server, text):
    base, received = server
    status, body = await post(base, {"sender": "sess-empty-1", "message": text})
    assert status == 400 and body["error"] == "empty_message" and body["message"]
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {"session_id": "empty-session"})
    await w.client.emit("user_uttered", {"message": text, "session_id": "empty-session"})
    assert "empty" in (await w.next("bot_uttered"))["text"]
    assert received == []
    await w.close()


async def test_control_characters_are_removed_before_rasa(server):
    base, received = server
    status, _ = await post(base, {"sender": "sess-ctrl-01", "message": "\x00\x01\x02\x1b[31mhi\x7f"})
    assert status == 200 and received[-1].text == "[31mhi"
    status, body = await post(base, {"sender": "sess-ctrl-01", "message": "\x00\x00"})
    assert status == 400 and body["error"] == "empty_message"
    status, _ = await post(base, {"sender": "sess-ctrl-01", "message": "e\u0301 line\nnext\ttab"})
    assert received[-1].text == "\u00e9 line\nnext\ttab"
