"""The sticky router (bot.scaleout.router) against fake replicas: stickiness by
sender, failover when the home replica dies, return when it is back, and clear
errors for bodies it cannot route. Fast: no Rasa, no database."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.scaleout.router import Replica, make_app, rank, sender_of


NAME = web.AppKey("name", str)


def fake_replica(name: str, seen: list) -> web.Application:
    """A replica that records (name, sender) and echoes its name like Rasa's REST reply."""
    async def webhook(request: web.Request) -> web.Response:
        data = await request.json()
        seen.append((name, data.get("sender"), request.headers.get("Authorization")))
        return web.json_response([{"recipient_id": data.get("sender"), "text": name}])

    async def root(request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa")

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/", root)
    return app


def test_rank_is_deterministic_and_spreads_senders() -> None:
    replicas = [Replica("http://a"), Replica("http://b")]
    homes = {rank(f"sender:{i}", replicas)[0].url for i in range(50)}
    assert homes == {"http://a", "http://b"}
    assert rank("sender:x", replicas)[0] is rank("sender:x", list(reversed(replicas)))[0]


@pytest.mark.parametrize("body,expected", [
    (b'{"sender": "s1", "message": "hi"}', "s1"),
    (b'{"sender": 42}', "42"),
    (b'{"message": "no sender"}', ""),
    (b'not json', ""),
    (b'["a list"]', ""),
    (b'\xff\xfe', ""),
])
def test_sender_of(body: bytes, expected: str) -> None:
    assert sender_of(body) == expected


async def test_sticky_failover_and_return() -> None:
    seen: list = []
    a, b = TestServer(fake_replica("A", seen)), TestServer(fake_replica("B", seen))
    await a.start_server()
    await b.start_server()
    router = TestServer(make_app([str(a.make_url("")), str(b.make_url(""))], probe_interval=0.1))
    await router.start_server()
    url = str(router.make_url("/webhooks/rest/webhook"))
    try:
        async with aiohttp.ClientSession() as s:
            async def say(sender: str) -> str:
                async with s.post(url, json={"sender": sender, "message": "hi"},
                                  headers={"Authorization": "Bearer t"}) as r:
                    assert r.status == 200
                    return (await r.json())[0]["text"]

            senders = [f"cust-{i}" for i in range(30)]
            home = {snd: await say(snd) for snd in senders}
            # Sticky: the same sender always lands on the same replica.
            for snd in senders:
                assert await say(snd) == home[snd]
            assert set(home.values()) == {"A", "B"}
            assert all(auth == "Bearer t" for _, _, auth in seen)  # headers forwarded

            a_port = a.port
            await a.close()  # replica A dies
            for snd in senders:
                assert await say(snd) == "B"  # A's customers fail over, nothing lost
            async with s.get(str(router.make_url("/router/health"))) as r:
                health = await r.json()
            assert [x["up"] for x in health["replicas"]] == [False, True]

            # A comes back on the same port: the probe restores it and senders go home.
            a2 = web.AppRunner(fake_replica("A", seen))
            await a2.setup()
            await web.TCPSite(a2, "127.0.0.1", a_port).start()
            try:
                for _ in range(50):
                    await asyncio.sleep(0.1)
                    async with s.get(str(router.make_url("/router/health"))) as r:
                        if all(x["up"] for x in (await r.json())["replicas"]):
                            break
                for snd in senders:
                    assert await say(snd) == home[snd]
            finally:
                await a2.cleanup()
    finally:
        await router.close()
        await b.close()
        await a.close()


async def test_all_replicas_down_is_a_clear_503() -> None:
    seen: list = []
    a = TestServer(fake_replica("A", seen))
    await a.start_server()
    dead = str(a.make_url(""))
    await a.close()
    router = TestServer(make_app([dead]))
    await router.start_server()
    try:
        async with aiohttp.ClientSession() as s:
            async with s.post(str(router.make_url("/webhooks/rest/webhook")),
                              json={"sender": "x", "message": "hi"}) as r:
                assert r.status == 503
                assert "try again" in (await r.json())["error"]
    finally:
        await router.close()


async def test_oversized_body_is_refused_by_the_router() -> None:
    seen: list = []
    a = TestServer(fake_replica("A", seen))
    await a.start_server()
    router = TestServer(make_app([str(a.make_url(""))]))
    await router.start_server()
    try:
        async with aiohttp.ClientSession() as s:
            body = json.dumps({"sender": "x", "message": "x" * (2 * 1024 * 1024)})
            async with s.post(str(router.make_url("/webhooks/rest/webhook")), data=body) as r:
                assert r.status == 413
        assert seen == []
    finally:
        await router.close()
        await a.close()


async def test_websocket_is_relayed_to_one_replica() -> None:
    """socket.io's websocket transport goes through the router to one replica."""
    async def ws_echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == aiohttp.WSMsgType.TEXT:
                await ws.send_str(f"{request.app[NAME]}:{msg.data}")
        return ws

    apps = []
    for name in ("A", "B"):
        app = web.Application()
        app[NAME] = name
        app.router.add_get("/socket.io/", ws_echo)
        apps.append(TestServer(app))
    for a in apps:
        await a.start_server()
    router = TestServer(make_app([str(a.make_url("")) for a in apps]))
    await router.start_server()
    try:
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(str(router.make_url("/socket.io/?EIO=4&transport=websocket"))) as ws:
                replies = []
                for text in ("hello", "again"):
                    await ws.send_str(text)
                    replies.append((await ws.receive(timeout=5)).data)
        names = {r.split(":")[0] for r in replies}
        assert len(names) == 1 and [r.split(":", 1)[1] for r in replies] == ["hello", "again"]
    finally:
        await router.close()
        for a in apps:
            await a.close()
