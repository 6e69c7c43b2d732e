"""Sticky reverse proxy in front of several Rasa replicas.

Why: the open-source Redis lock store serialises one conversation's messages, but
two replicas can still race on the same conversation (docs/SCALEOUT.md). Routing
each sender to one replica in normal operation removes that race; when the replica
is down the sender fails over to the next one, which reads the conversation from
the shared SQL tracker store.

Routing: rendezvous (highest-random-weight) hashing of the sender id over the
replicas, so a replica going down moves only its own senders and they come back
when it returns. REST webhooks hash the JSON ``sender``; socket.io requests hash
the client address (engine.io's polling/websocket requests of one client must reach
one replica).

Failover: a connection refused/reset or a dropped response marks the replica down
and the request is sent to the next replica of that sender's order. A dropped
response is replayed: Rasa saves a tracker only after a message is fully handled,
and claims carry idempotency keys, so a replay does not file twice. A background
probe brings a replica back when ``GET /`` answers again.

Run: ``python -m bot.scaleout.router --port 5005 --replica http://127.0.0.1:5006
--replica http://127.0.0.1:5007``.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Iterable, Optional

import aiohttp
from aiohttp import web

log = logging.getLogger("bot.scaleout.router")

#: The router refuses bodies above this before they reach a replica (413).
MAX_BODY_BYTES = 1024 * 1024
ROUTER_KEY: "web.AppKey[Router]" = web.AppKey("router")  # type: ignore[name-defined]
HOP_HEADERS = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade", "host", "content-length",
}


@dataclass
class Replica:
    """One upstream Rasa server and what the router currently believes of it."""

    url: str
    up: bool = True
    down_since: float = 0.0
    served: int = 0
    failures: int = 0

    def mark_down(self) -> None:
        if self.up:
            log.warning("replica %s marked down", self.url)
        self.up = False
        self.down_since = time.monotonic()
        self.failures += 1


def rank(key: str, replicas: Iterable[Replica]) -> list[Replica]:
    """Replicas in rendezvous-hash order for ``key`` (first = its home replica)."""
    def score(r: Replica) -> bytes:
        return hashlib.sha256(f"{key}\x00{r.url}".encode("utf-8", "surrogatepass")).digest()
    return sorted(replicas, key=score, reverse=True)


def sender_of(body: bytes) -> str:
    """The ``sender`` of a REST webhook body, or "" when there is none.

    A body without a usable sender still goes to one deterministic replica, which
    answers it with its own 4xx.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if isinstance(data, dict) and isinstance(data.get("sender"), (str, int)):
        return str(data["sender"])
    return ""


@dataclass
class Router:
    """The routing table and the upstream HTTP session."""

    replicas: list[Replica]
    probe_interval: float = 1.0
    upstream_timeout: float = 120.0
    session: Optional[aiohttp.ClientSession] = None
    _probe_task: Optional[asyncio.Task] = field(default=None, repr=False)

    def order_for(self, key: str) -> list[Replica]:
        """Healthy replicas first (in hash order), then the down ones as last resort."""
        ranked = rank(key, self.replicas)
        return [r for r in ranked if r.up] + [r for r in ranked if not r.up]

    async def start(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.upstream_timeout, connect=2.0),
            # No upstream keep-alive: a pooled connection to a dead replica would turn a
            # healthy restarted replica "down" again; loopback connects cost ~0.1 ms.
            connector=aiohttp.TCPConnector(limit=0, force_close=True),
            auto_decompress=False,
        )
        self._probe_task = asyncio.create_task(self._probe())

    async def stop(self, app: web.Application) -> None:
        if self._probe_task:
            self._probe_task.cancel()
        if self.session:
            await self.session.close()

    async def _probe(self) -> None:
        """Bring replicas back once they answer ``GET /`` again."""
        assert self.session is not None
        while True:
            await asyncio.sleep(self.probe_interval)
            for r in self.replicas:
                if r.up:
                    continue
                try:
                    async with self.session.get(r.url + "/", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                        if resp.status == 200:
                            r.up = True
                            log.warning("replica %s is back", r.url)
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                    pass

    def routing_key(self, request: web.Request, body: bytes) -> str:
        """Sender id for webhooks; the client address for everything else."""
        if request.path.startswith("/webhooks/") and request.method == "POST":
            sender = sender_of(body)
            if sender:
                return "sender:" + sender
        peer = request.headers.get("X-Forwarded-For", "") or (request.remote or "")
        return "client:" + peer.split(",")[0].strip()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Proxy one request to the sender's replica, failing over when it is down."""
        if request.path == "/router/health":
            return web.json_response({"replicas": [
                {"url": r.url, "up": r.up, "served": r.served, "failures": r.failures}
                for r in self.replicas]})
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._proxy_websocket(request)
        body = await request.read()
        key = self.routing_key(request, body)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        headers["X-Forwarded-For"] = request.remote or ""
        assert self.session is not None
        last_error = "no replica configured"
        for replica in self.order_for(key):
            url = replica.url + request.path_qs
            try:
                async with self.session.request(request.method, url, data=body,
                                                headers=headers) as resp:
                    payload = await resp.read()
                    replica.served += 1
                    out = {k: v for k, v in resp.headers.items()
                           if k.lower() not in HOP_HEADERS and k.lower() != "content-encoding"}
                    if resp.headers.get("Content-Encoding"):
                        out["Content-Encoding"] = resp.headers["Content-Encoding"]
                    out["X-Replica"] = replica.url
                    return web.Response(status=resp.status, body=payload, headers=out)
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError) as exc:
                # Refused, reset or dropped mid-response: the replica is gone (or
                # going); replay at the next one (see module docstring).
                last_error = f"{type(exc).__name__}: {exc}"
                replica.mark_down()
                continue
        return web.json_response(
            {"error": "The assistant is restarting; please try again in a moment.",
             "detail": last_error}, status=503)

    async def _proxy_websocket(self, request: web.Request) -> web.StreamResponse:
        """Relay a websocket (socket.io transport upgrade) to the client's replica."""
        assert self.session is not None
        key = self.routing_key(request, b"")
        for replica in self.order_for(key):
            url = replica.url.replace("http", "ws", 1) + request.path_qs
            try:
                upstream = await self.session.ws_connect(url, headers={
                    k: v for k, v in request.headers.items()
                    if k.lower() in {"authorization", "cookie", "origin", "user-agent"}})
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                replica.mark_down()
                continue
            client = web.WebSocketResponse()
            await client.prepare(request)

            async def pump(src, dst) -> None:
                async for msg in src:
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        await dst.send_str(msg.data)
                    elif msg.type == aiohttp.WSMsgType.BINARY:
                        await dst.send_bytes(msg.data)
                    else:
                        break
            tasks = [asyncio.create_task(pump(client, upstream)),
                     asyncio.create_task(pump(upstream, client))]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for t in tasks:
                t.cancel()
            await upstream.close()
            await client.close()
            return client
        return web.json_response({"error": "no replica available"}, status=503)


def make_app(replica_urls: list[str], probe_interval: float = 1.0) -> web.Application:
    """The aiohttp application of a router over ``replica_urls``."""
    router = Router([Replica(u.rstrip("/")) for u in replica_urls], probe_interval)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[ROUTER_KEY] = router
    app.on_startup.append(router.start)
    app.on_cleanup.append(router.stop)
    app.router.add_route("*", "/{tail:.*}", router.handle)
    return app


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--replica", action="append", required=True,
                        help="base URL of a Rasa replica (repeat)")
    parser.add_argument("--probe-interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s router %(message)s")
    web.run_app(make_app(args.replica, args.probe_interval), host=args.host,
                port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
