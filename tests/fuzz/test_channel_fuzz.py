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
from tests.harness.servers import free_port  # noqa: E402

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
    port = free_port()
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


async def _sio_session(base: str, payloads: list, expect: int, timeout: float = 10.0,
                       dones: list | None = None) -> tuple[list, bool]:
    """Emit ``payloads`` as user_uttered events (None = no data at all); the replies
    (and, into ``dones`` when given, every `bot_done`; then it also waits for those)."""
    import socketio

    events: list = []
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", lambda data=None: events.append(data))
    if dones is not None:
        client.on("bot_done", lambda data=None: dones.append(data))
    await client.connect(base, socketio_path="/socket.io", transports=["polling"], wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": "fuzz-session-01"})
        for p in payloads:
            if p is None:
                await client.emit("user_uttered")
            else:
                await client.emit("user_uttered", p)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (
                len(events) < expect or (dones is not None and len(dones) < len(payloads))):
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



# --- metadata shapes and Unicode edge cases (docs/SECURITY.md, guarantees 4 and 5) --

from bot.channels import common  # noqa: E402

#: Unicode that once broke something, or could: lone surrogates (not UTF-8: a 500 on
#: REST, silence on socket.io), NUL and other controls, bidi controls (RTL override,
#: marks, isolates), BOM, noncharacters, the last code point, combining floods, ZWJ
#: emoji families, and emoji strings at and past the length limit.
UNICODE_EDGES = [
    "hello \ud800", "\udfff", "a\udc00b", "\ud83d", "\ud83d\ude00 ok",
    "\x00", "a\x00b\x00", "\x00" * 50 + "hi", "\x1b[2J\x07\x7f\x9b",
    "\u202eevil\u202c refund", "\u200f\u200e\u061c", "\u2066isolate\u2069", "\u202a\u202b\u202d",
    "\ufeffBOM", "\ufffe\uffff", "\U0010ffff", "e" + "\u0301" * 999, "e" + "\u0301" * 5000,
    "\U0001f916" * 1000, "\U0001f916" * 1001, "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 100,
    "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 300, "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd 123",
    "\u3000\u2028\u2029", "\u00a0", "\U000e0041\U000e007f",
]
#: Text with every code point, lone surrogates included (hypothesis leaves those out
#: unless asked).
any_text = st.text(st.characters(exclude_categories=()), max_size=60)
json_scalars_any = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                             st.floats(allow_nan=True, allow_infinity=True), any_text)
json_values = st.recursive(
    json_scalars_any,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(any_text, children, max_size=4)),
    max_leaves=40)
deep = st.integers(1, 40).map(lambda n: __import__("functools").reduce(
    lambda acc, _: {"x": acc}, range(n), 1))
big = st.integers(1, 30_000).map(lambda n: {"blob": "x" * n})
metadata_shapes = st.one_of(json_values, deep, big,
                            st.dictionaries(any_text, json_values, max_size=6),
                            st.just({"auth": {"customer_id": "C1001", "verified": True}}),
                            st.just({"client_address": "f" * 32, "AUTH ": 1}))


def _metadata_depth(value) -> int:
    stack, worst = [(value, 1)], 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            worst = max(worst, depth)
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            worst = max(worst, depth)
            stack.extend((v, depth + 1) for v in node)
    return worst


def _check_accepted_metadata(metadata: dict) -> None:
    """What reaches Rasa: bounded, valid Unicode, no forged server keys."""
    assert common.CLIENT_ADDRESS_KEY in metadata and common.ADDRESS_KEY.fullmatch(
        metadata[common.CLIENT_ADDRESS_KEY]), metadata
    client = {k: v for k, v in metadata.items() if k != common.CLIENT_ADDRESS_KEY}
    assert "auth" not in {str(k).strip().lower() for k in client}
    raw = json.dumps(client, ensure_ascii=False, separators=(",", ":"))
    raw.encode("utf-8")  # no lone surrogate anywhere
    assert len(raw.encode("utf-8")) <= common.DEFAULT_MAX_METADATA_BYTES
    assert _metadata_depth(client) <= common.DEFAULT_MAX_METADATA_DEPTH


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(metadata=metadata_shapes, text=st.one_of(st.sampled_from(UNICODE_EDGES), any_text))
def test_rest_any_metadata_any_unicode(server, metadata, text) -> None:
    base, recorder = server
    raw = json.dumps({"sender": "page-session-01", "message": text, "metadata": metadata}).encode()
    before = len(recorder.received)
    status = check_rest(base, recorder, raw)
    if status == 200:
        msg = recorder.received[-1]
        _check_accepted_metadata(msg.metadata)
        msg.text.encode("utf-8")  # only valid Unicode reaches Rasa
        assert not common.CONTROL.search(msg.text)
    else:
        assert len(recorder.received) == before


@pytest.mark.parametrize("text", UNICODE_EDGES)
def test_rest_unicode_edge_cases(server, text) -> None:
    base, recorder = server
    body = {"sender": "page-session-01", "message": text}
    # \uXXXX escapes: a lone surrogate arrives as one (an escaped pair is one character)
    escaped = json.dumps(body).encode()
    status = check_rest(base, recorder, escaped)
    assert status in (200, 400, 413)
    if common.has_lone_surrogate(json.loads(escaped)["message"]):
        assert status == 400
    if status == 200:
        recorder.received[-1].text.encode("utf-8")
    # raw: a surrogate written out as bytes is no UTF-8, so the body is no JSON at all
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    status = check_rest(base, recorder, raw)
    assert status in (200, 400, 413)
    if common.has_lone_surrogate(text):
        assert status == 400


def test_socketio_unicode_edge_cases_each_get_a_reply_and_bot_done(server) -> None:
    pytest.importorskip("socketio")
    base, recorder = server
    before = len(recorder.received)
    for start in range(0, len(UNICODE_EDGES), 8):  # engine.io takes at most 16 packets a poll
        payloads = [{"message": t} for t in UNICODE_EDGES[start:start + 8]]
        dones: list = []
        events, connected = asyncio.run(_sio_session(base, payloads, len(payloads), timeout=20,
                                                     dones=dones))
        assert len(events) >= len(payloads) and len(dones) >= len(payloads), (payloads, events, dones)
        assert connected
    for message in recorder.received[before:]:
        message.text.encode("utf-8")
        assert len(message.text) <= LIMIT


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(metadata_shapes, st.one_of(st.sampled_from(UNICODE_EDGES), any_text)),
                      min_size=1, max_size=4))
def test_socketio_any_metadata_any_unicode_gets_a_reply_and_bot_done(server, batch) -> None:
    pytest.importorskip("socketio")
    base, recorder = server
    payloads = [{"message": text, "metadata": metadata} for metadata, text in batch]
    before = len(recorder.received)
    dones: list = []
    events, connected = asyncio.run(_sio_session(base, payloads, len(payloads), timeout=20, dones=dones))
    assert len(events) >= len(payloads) and len(dones) >= len(payloads), (payloads, events, dones)
    for message in recorder.received[before:]:
        _check_accepted_metadata(message.metadata)
        message.text.encode("utf-8")
    assert connected
