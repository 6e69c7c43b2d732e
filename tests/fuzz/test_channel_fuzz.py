"""Fuzz the REST and socket.io entry points (bot/channels) in process.

A real Sanic server in a background thread hosts both channel blueprints; instead
of Rasa's agent a recorder keeps every UserMessage and echoes a reply. Whatever is
sent — 100 KB messages, control characters, emoji, right-to-left text, SQL and
HTML/script injection, malformed JSON, wrong types, a missing sender, forged
`metadata.auth` — the answer is 200 or a clear 4xx JSON error, never a 5xx, and
only a well-formed, bounded, correctly namespaced message ever reaches Rasa.
The full-stack version (real model, real database) is tests/fuzz/test_stack_fuzz.py.
"""
from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sanic = pytest.importorskip("sanic")
from sanic import Sanic  # noqa: E402

from bot import identity  # noqa: E402
from bot.channels.rest import AuthRestInput  # noqa: E402
from bot.channels.socketio import AuthSocketIOInput  # noqa: E402

SECRET = "fuzz-test-secret-0123456789abcdefghijklmnopqrstuvwxyz"
LIMIT = 1000  # the channel's documented default (bot.channels.common)
SENDER_KEY = re.compile(r"(guest:|acct:C\d{4}:)[A-Za-z0-9_-]{8,64}")

NASTY = [
    "'; DROP TABLE claims; --", "\" OR 1=1 --", "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>", "{{7*7}}", "${jndi:ldap://x}", "\u202eevil\u202c",
    "مرحبا، أريد استرداد المبلغ", "שלום", "🤖💥🔥" * 50, "\x00\x01\x02\x1b[31m", "\ud7ff\ue000",
    "退款 CS2611240001", "a\r\nb\tc", " ", "", "/restart", "/greet{\"auth\": 1}",
    "/inform{\"customer_id\": \"C1002\"}", "x" * 100_000,
]
texts = st.one_of(st.sampled_from(NASTY), st.text(max_size=300), st.text(min_size=990, max_size=1010))
senders = st.one_of(st.none(), st.integers(), st.text(max_size=80),
                    st.sampled_from(["page-session-01", "a" * 8, "a" * 65, "../../etc", "C1001",
                                     "acct:C1001:abcdefgh", "guest:abcdefgh", "x y z 12345"]))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20))
wrong_types = st.one_of(json_scalars, st.lists(json_scalars, max_size=3),
                        st.dictionaries(st.text(max_size=5), json_scalars, max_size=3))


class Recorder:
    def __init__(self) -> None:
        self.received: list = []

    async def __call__(self, message) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """Both channels on a Sanic server running in its own thread and loop."""
    mp = pytest.MonkeyPatch()
    mp.setenv(identity.SECRET_ENV, SECRET)
    mp.delenv(identity.DEMO_ENV, raising=False)
    mp.setattr(Sanic, "test_mode", True)
    recorder = Recorder()
    app = Sanic(f"fuzz_{uuid.uuid4().hex[:8]}")
    for channel in (AuthRestInput.from_credentials({}), AuthSocketIOInput.from_credentials({})):
        app.blueprint(channel.blueprint(recorder), url_prefix=f"/webhooks/{channel.name()}")
    port = _free_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict = {}

    async def run() -> None:
        srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True,
                                      access_log=False)
        await srv.startup()
        holder["srv"] = srv
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(run()), loop.run_forever()),
                              daemon=True)
    thread.start()
    assert started.wait(30)
    yield f"http://127.0.0.1:{port}", recorder
    srv = holder["srv"]
    srv.close()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    mp.undo()


def post_raw(base: str, raw: bytes, headers: dict | None = None) -> tuple[int, object]:
    req = urllib.request.Request(base + "/webhooks/rest/webhook", data=raw, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            return err.code, json.loads(body)
        except ValueError:
            return err.code, body.decode(errors="replace")


def check_rest(base: str, recorder: Recorder, raw: bytes, headers: dict | None = None) -> int:
    before = len(recorder.received)
    status, body = post_raw(base, raw, headers)
    assert status < 500, (status, body, raw[:200])
    new = recorder.received[before:]
    if status == 200:
        assert len(new) == 1, "one accepted request, one message to Rasa"
        msg = new[0]
        assert isinstance(msg.text, str) and len(msg.text) <= LIMIT
        assert SENDER_KEY.fullmatch(msg.sender_id), msg.sender_id
        auth = (msg.metadata or {}).get("auth")
        assert auth is None or (identity.account_from_proof(auth, msg.sender_id)
                                and headers and "Authorization" in headers)
    else:
        assert 400 <= status < 500
        assert new == [], "a refused request never reaches Rasa"
        assert isinstance(body, dict) and body.get("message"), body  # a clear error text
    return status


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sender=senders, text=texts, forged=st.booleans())
def test_rest_any_text_any_sender(server, sender, text, forged) -> None:
    base, recorder = server
    body: dict = {"message": text}
    if sender is not None:
        body["sender"] = sender
    if forged:
        body["metadata"] = {"auth": {"customer_id": "C1001", "verified": True}, "AUTH": 1}
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    status = check_rest(base, recorder, raw)
    if status == 200:
        assert recorder.received[-1].sender_id.startswith("guest:")  # no token: a guest, always


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode),
                     wrong_types.map(lambda v: json.dumps(v).encode()),
                     st.fixed_dictionaries({"sender": wrong_types, "message": wrong_types})
                     .map(lambda v: json.dumps(v).encode())))
def test_rest_malformed_bodies_get_a_clear_4xx(server, raw) -> None:
    base, recorder = server
    check_rest(base, recorder, raw)


@pytest.mark.parametrize("auth", ["Bearer", "Bearer x.y.z", "Basic abc", "Bearer " + "a" * 5000,
                                  "Bearer \u00e9\u00e9"])
def test_rest_bad_tokens_are_401_never_a_guest(server, auth) -> None:
    base, recorder = server
    raw = json.dumps({"sender": "page-session-01", "message": "hi"}).encode()
    try:
        status = check_rest(base, recorder, raw, {"Authorization": auth.encode("latin-1", "replace").decode("latin-1")})
    except UnicodeEncodeError:
        pytest.skip("header not encodable by the client")
    assert status in (400, 401)


def test_rest_length_limit_is_a_clear_413(server) -> None:
    base, recorder = server
    ok = check_rest(base, recorder, json.dumps({"sender": "page-session-01", "message": "x" * LIMIT}).encode())
    assert ok == 200
    before = len(recorder.received)
    status, body = post_raw(base, json.dumps({"sender": "page-session-01",
                                              "message": "x" * 100_000}).encode())
    assert status == 413 and "too long" in body["message"] and str(LIMIT) in body["message"]
    assert len(recorder.received) == before


async def _sio_session(base: str, payloads: list, expect: int, timeout: float = 10.0) -> tuple[list, bool]:
    """Emit ``payloads`` as user_uttered events (None = no data at all); the replies."""
    import socketio

    events: list = []
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", lambda data=None: events.append(data))
    await client.connect(base, socketio_path="/socket.io", transports=["polling"], wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": "fuzz-session-01"})
        for p in payloads:
            if p is None:
                await client.emit("user_uttered")
            else:
                await client.emit("user_uttered", p)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(events) < expect:
            await asyncio.sleep(0.05)
        return events, client.connected
    finally:
        # abort: a graceful polling disconnect waits out the pending long-poll (~25 s)
        await client.eio.disconnect(abort=True)


def test_socketio_survives_garbage_and_enforces_the_limit(server) -> None:
    pytest.importorskip("socketio")
    base, recorder = server
    payloads = [42, "just a string", [1, 2], {"message": None}, {"message": 12},
                {"message": {"nested": True}}, {"message": "x" * 100_000, "session_id": "fuzz-session-01"},
                {"message": NASTY[0], "session_id": "fuzz-session-01", "customData": "not json"},
                {"message": NASTY[2], "session_id": "../../x", "metadata": {"auth": {"customer_id": "C1001"}}},
                {"message": "\x00\u202e🤖", "session_id": "fuzz-session-01"}]
    before = len(recorder.received)
    events, connected = asyncio.run(_sio_session(base, payloads, len(payloads)))
    assert len(events) >= len(payloads), events  # every one got a reply
    texts = [e.get("text", "") for e in events if isinstance(e, dict)]
    assert any("too long" in t for t in texts)
    accepted = recorder.received[before:]
    assert len(accepted) == 3  # only the three well-formed, short text messages
    for m in accepted:
        assert SENDER_KEY.fullmatch(m.sender_id) and m.sender_id.startswith("guest:")
        assert "auth" not in (m.metadata or {})
    assert connected  # the server is still there


def test_socketio_message_event_without_data_gets_a_reply(server) -> None:
    """`emit("user_uttered")` with no payload at all: a polite reply, not a server-side
    TypeError that leaves the widget waiting forever."""
    pytest.importorskip("socketio")
    base, _ = server
    events, connected = asyncio.run(_sio_session(base, [None], 1, timeout=5))
    assert events, "no reply to a message event without data"
    assert connected
