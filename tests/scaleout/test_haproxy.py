"""deploy/haproxy/haproxy.cfg against fake replicas: the config checks, a sender
sticks to one replica, a socket.io session to the replica that made it, failover
(also of a request whose replica dies before answering), the way back, a JSON 503
when no replica is up, the X-Replica header, the client address passed on, and
the limits (429 with a JSON error). Fast: real HAProxy, no Rasa, no database."""
from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path
from typing import Any, Callable, Optional

import aiohttp
import pytest
import socketio
from aiohttp import web

from tests.harness import haproxy
from tests.harness.http import Reply, post
from tests.harness.servers import Server, base_env, free_port

@pytest.fixture(autouse=True)
def _needs_haproxy(haproxy_binary: str) -> None:
    """Skipped without the haproxy package; with CI=true a failure instead."""


class FakeReplicas:
    """Rasa-like replicas on one background event loop: REST webhook (answers with
    its name), GET / for health checks, a socket.io server; each can die and return."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.ports = {n: free_port() for n in names}
        self.seen: list[dict[str, Any]] = []
        self.sio_seen: list[tuple[str, str]] = []
        self.runners: dict[str, web.AppRunner] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        #: name -> what its webhook does for a message: "answer" or "drop" (no reply)
        self.behaviour: dict[str, Callable[[str], str]] = {}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def _app(self, name: str) -> web.Application:
        async def webhook(request: web.Request) -> web.StreamResponse:
            data = await request.json()
            self.seen.append({"replica": name, "sender": data.get("sender"),
                              "message": data.get("message"),
                              "xff": request.headers.getall("X-Forwarded-For", []),
                              "auth": request.headers.get("Authorization")})
            if self.behaviour.get(name, lambda m: "answer")(str(data.get("message"))) == "drop":
                assert request.transport is not None
                request.transport.abort()  # the process died mid-request: no reply at all
                return web.Response()
            return web.json_response([{"recipient_id": data.get("sender"), "text": name}])

        async def root(request: web.Request) -> web.Response:
            return web.Response(text="Hello from Rasa")

        app = web.Application()
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        sio.attach(app, socketio_path="/socket.io")

        @sio.on("user_uttered")
        async def uttered(sid: str, data: dict) -> None:
            self.sio_seen.append((name, sid))
            await sio.emit("bot_uttered", {"text": name}, room=sid)

        app.router.add_post("/webhooks/rest/webhook", webhook)
        app.router.add_get("/", root)
        return app

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(15)

    async def _start(self, name: str) -> None:
        runner = web.AppRunner(self._app(name))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", self.ports[name]).start()
        self.runners[name] = runner

    def start(self, name: Optional[str] = None) -> "FakeReplicas":
        if not self.thread.is_alive():
            self.thread.start()
        for n in [name] if name else self.names:
            self._call(self._start(n))
        return self

    def stop(self, name: str) -> None:
        runner = self.runners.pop(name, None)
        if runner is not None:
            self._call(runner.cleanup())

    def close(self) -> None:
        for name in list(self.runners):
            self.stop(name)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def start_front(tmp_path: Path, replicas: FakeReplicas, limits: Optional[dict] = None) -> Server:
    front = haproxy.server(free_port(), [replicas.url(n) for n in replicas.names], tmp_path,
                           base_env(), limits if limits is not None else haproxy.NO_LIMITS).start()
    haproxy.wait_replicas_up(front, len(replicas.names))
    return front


@pytest.fixture
def replicas():
    fakes = FakeReplicas(["A", "B"]).start()
    yield fakes
    fakes.close()


@pytest.fixture
def front(tmp_path, replicas):
    server = start_front(tmp_path, replicas)
    yield server
    server.stop()


def names_of(reply: Reply) -> tuple[str, str]:
    """(the replica that answered, the server HAProxy named in X-Replica)."""
    return reply.text, reply.replica


# --- the config itself ------------------------------------------------------------

def test_the_repository_config_and_the_rendered_one_pass_haproxy_check(tmp_path) -> None:
    result = haproxy.check(haproxy.CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
    path = haproxy.write_config(tmp_path / "cfg", free_port(), ["http://127.0.0.1:1", "127.0.0.1:2",
                                                                 "http://127.0.0.1:3"])
    result = haproxy.check(path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = path.read_text()
    assert "server rasa3 127.0.0.1:3\n" in text and text.count("    server rasa") == 3


def test_a_broken_config_fails_the_check(tmp_path) -> None:
    """The check above can fail: a config naming a missing error file is refused."""
    path = haproxy.write_config(tmp_path / "cfg", free_port(), ["127.0.0.1:1"])
    path.write_text(path.read_text().replace("errors/503.json.http", "errors/missing.http"))
    assert haproxy.check(path).returncode != 0


def test_render_refuses_a_config_without_server_lines() -> None:
    with pytest.raises(ValueError):
        haproxy.render(1, ["127.0.0.1:2"], text="frontend f\n    bind 127.0.0.1:1\n")


# --- routing ----------------------------------------------------------------------

def test_senders_stick_fail_over_and_return(front: Server, replicas: FakeReplicas) -> None:
    senders = [f"cust-{i}" for i in range(30)]
    home = {}
    for s in senders:
        reply = post(front.url, s, "hi", token="t")
        assert reply.status == 200, (reply.status, reply.text)
        answered, header = names_of(reply)
        assert header == haproxy.replica_name(replicas.names.index(answered))  # the replica is named
        home[s] = answered
    assert set(home.values()) == {"A", "B"}  # both replicas get senders
    for s in senders:  # sticky: every later message goes to the same replica
        assert post(front.url, s, "again", token="t").text == home[s]
    assert all(seen["auth"] == "Bearer t" for seen in replicas.seen)  # headers are passed on

    replicas.stop("A")  # A dies: its senders move to B, nothing is lost
    for s in senders:
        reply = post(front.url, s, "while A is down", token="t")
        assert (reply.status, reply.text, reply.replica) == (200, "B", "rasa2")
    haproxy.wait_replicas_up(front, 1)

    replicas.start("A")  # A is back: the health checks bring it in, senders go home
    haproxy.wait_replicas_up(front, 2)
    for s in senders:
        assert post(front.url, s, "back home", token="t").text == home[s]


def test_a_request_whose_replica_dies_before_answering_is_replayed_elsewhere(
        front: Server, replicas: FakeReplicas) -> None:
    sender = next(f"victim-{i}" for i in range(100)
                  if post(front.url, f"victim-{i}", "where", token="t").text == "A")
    replicas.behaviour["A"] = lambda message: "drop" if message == "crash now" else "answer"
    reply = post(front.url, sender, "crash now", token="t")
    assert (reply.status, reply.text) == (200, "B")
    assert [s["replica"] for s in replicas.seen if s["message"] == "crash now"] == ["A", "B"]


def test_no_replica_up_is_a_json_503(front: Server, replicas: FakeReplicas) -> None:
    replicas.stop("A")
    replicas.stop("B")
    reply = post(front.url, "anyone", "hello", token="t")
    assert reply.status == 503
    assert "try again" in reply.messages[0]["error"]
    assert (reply.headers or {}).get("content-type") == "application/json"


def test_the_client_address_is_appended_for_the_channels(front: Server, replicas: FakeReplicas) -> None:
    """The channels believe only the last X-Forwarded-For entry: HAProxy's, after
    whatever the client wrote itself."""
    post(front.url, "addr", "hi", headers={"X-Forwarded-For": "203.0.113.9"})
    entries = [e.strip() for v in replicas.seen[-1]["xff"] for e in v.split(",")]
    assert entries == ["203.0.113.9", "127.0.0.1"]


def test_an_oversized_body_is_refused_before_any_replica(front: Server, replicas: FakeReplicas) -> None:
    """Read as a raw socket: HAProxy answers once its buffer is full and closes, so a
    client still uploading the rest may see a reset before it reads the answer."""
    size = 2 * 1024 * 1024
    head = (f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", front.port), timeout=5) as sock:
        sock.sendall(head + b'{"sender": "big", "message": "' + b"x" * 32768)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413", answer
    assert "too large" in json.loads(rest.split(b"\r\n\r\n", 1)[1])["error"]
    assert replicas.seen == []


async def test_a_socketio_session_sticks_to_the_replica_that_made_it(
        front: Server, replicas: FakeReplicas) -> None:
    """Long-polling: every request of a session must reach the replica that issued its
    sid (another one answers 400 and the client drops). Several sessions, so both
    replicas issue some."""
    clients = []
    try:
        for _ in range(6):
            client = socketio.AsyncClient(reconnection=False)
            got: asyncio.Queue = asyncio.Queue()
            client.on("bot_uttered", got.put_nowait)
            await client.connect(front.url, socketio_path="/socket.io", transports=["polling"],
                                 wait_timeout=5)
            clients.append(client)
            for text in ("one", "two", "three"):
                await client.emit("user_uttered", {"message": text})
                await asyncio.wait_for(got.get(), 5)
    finally:
        for client in clients:
            await client.eio.disconnect(abort=True)
    by_sid: dict[str, set[str]] = {}
    for name, sid in replicas.sio_seen:
        by_sid.setdefault(sid, set()).add(name)
    assert len(by_sid) == 6 and all(len(names) == 1 for names in by_sid.values())
    assert {n for names in by_sid.values() for n in names} == {"A", "B"}


async def test_a_socketio_session_upgrades_to_a_websocket_at_its_replica(
        front: Server, replicas: FakeReplicas) -> None:
    """The widget's path: a polling handshake, then the websocket upgrade carrying the
    sid (engine.io protocol 4 by hand: the client library's websocket transport does
    not run on this aiohttp)."""
    base = front.url + "/socket.io/?EIO=4"
    async with aiohttp.ClientSession() as s:
        for _attempt in range(4):  # until both replicas have issued a session
            async with s.get(base + "&transport=polling") as r:
                handshake = await r.text()
                issuer = r.headers["X-Replica"]
            sid = json.loads(handshake[1:])["sid"]
            async with s.post(f"{base}&transport=polling&sid={sid}", data="40") as r:
                assert r.status == 200
            async with s.get(f"{base}&transport=polling&sid={sid}") as r:
                assert (await r.text()).startswith("40")  # namespace joined
            async with s.ws_connect(f"{base}&transport=websocket&sid={sid}") as ws:
                await ws.send_str("2probe")
                assert (await ws.receive_str(timeout=5)) == "3probe"
                await ws.send_str("5")  # upgraded
                await ws.send_str('42["user_uttered",{"message":"over the websocket"}]')
                while True:
                    frame = await ws.receive_str(timeout=5)
                    if frame.startswith("42"):
                        break
            name = json.loads(frame[2:])[1]["text"]
            assert haproxy.replica_name(replicas.names.index(name)) == issuer
            assert replicas.sio_seen[-1][0] == name


# --- limits -----------------------------------------------------------------------

@pytest.fixture
def limited(tmp_path, replicas):
    server = start_front(tmp_path, replicas, {
        "ASSURANCE_LIMIT_REQUESTS_PER_10S": 1000, "ASSURANCE_LIMIT_SENDER_MESSAGES_PER_MIN": 8,
        "ASSURANCE_LIMIT_GUEST_MESSAGES_PER_MIN": 5, "ASSURANCE_LIMIT_GUEST_TICKETS_PER_HOUR": 2})
    yield server
    server.stop()


def test_guest_messages_per_address_are_capped_signed_in_ones_are_not(limited: Server) -> None:
    statuses = [post(limited.url, f"guest-{i}", "hello").status for i in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    refused = post(limited.url, "guest-x", "hello")
    assert refused.status == 429 and "sign in" in refused.messages[0]["error"]
    # a signed-in customer from the same address is not a guest
    assert all(post(limited.url, f"cust-{i}", "hello", token="t").status == 200 for i in range(5))


def test_guest_ticket_requests_per_address_are_capped(limited: Server) -> None:
    assert post(limited.url, "g1", "/human_handoff").status == 200
    assert post(limited.url, "g2", "please open a Ticket").status == 200
    refused = post(limited.url, "g3", "/human_handoff")
    assert refused.status == 429 and "hotline" in refused.messages[0]["error"]
    assert post(limited.url, "g4", "hello").status == 200  # other guest messages still pass


def test_messages_of_one_conversation_are_capped(limited: Server) -> None:
    statuses = [post(limited.url, "chatty", f"message {i}", token="t").status for i in range(10)]
    assert statuses == [200] * 8 + [429] * 2
    assert post(limited.url, "someone-else", "hello", token="t").status == 200
