"""Fuzz the support site's error paths (bot/web/serve.py) on a real aiohttp server.

Any method, any path (traversal, encoded NULs, unknown files, directory listings),
any body and content type on `/demo/token` (wrong JSON types, huge, deep, not UTF-8,
unknown charsets), and raw requests aiohttp cannot even parse: the answer is never a
5xx, and every response carries the security headers the pages have (docs/SECURITY.md,
guarantees 6 and 8). The targeted regressions are in tests/web/test_serve.py.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import identity
from bot.web import serve
from tests.web.test_serve import RASA, SECURITY_HEADERS

PATHS = ["/", "/index.html", "/faq.html", "/health", "/demo/token", "/demo/", "/demo/token/x",
         "/static/", "/static/widget.js", "/static/../serve.py", "/static/%2e%2e/serve.py",
         "/static/..%2fserve.py", "/static/%00", "/%00", "//etc/passwd", "/static//widget.js",
         "/" + "a" * 4000, "/faq.html?x=<script>", "/?%ff%fe", "/static/widget.js/..",
         "/static/no-such.js", "/.git/config", "/index.html%00.js"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND"]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
                 "application/json; charset=nope", "text/plain", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", ""]
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=20)
bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"customer_id": json_values}).map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"", b"{", b'{"customer_id": "C1001"', b"[" * 5000 + b"]" * 5000,
                     b'{"customer_id": "\\ud800"}', b"\xff\xfe{}", b"{" + b" " * 20_000 + b"}",
                     json.dumps({"customer_id": "C1001" * 2000}).encode()]),
)


@pytest.fixture(scope="module")
def site():
    """The support site (DEMO on) on a free port, in its own thread and loop."""
    mp = pytest.MonkeyPatch()
    mp.setenv(identity.DEMO_ENV, "1")
    mp.delenv(identity.SECRET_ENV, raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    loop = asyncio.new_event_loop()
    started = threading.Event()
    holder: dict = {}

    async def start() -> None:
        from aiohttp import web

        runner = web.AppRunner(serve.make_app(RASA, demo=True), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        holder["runner"] = runner
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()),
                              daemon=True)
    thread.start()
    assert started.wait(20)
    yield port
    asyncio.run_coroutine_threadsafe(holder["runner"].cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    mp.undo()


def request(port: int, method: str, path: str, body: bytes = b"", content_type: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        conn.request(method, path, body=body or None, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp
    finally:
        conn.close()


def check(resp, path: str) -> None:
    assert resp.status < 500, (resp.status, path)
    missing = [h for h in SECURITY_HEADERS if resp.getheader(h) is None]
    assert not missing, (resp.status, path, missing)
    if path.startswith("/demo/") and resp.status != 404:
        assert resp.getheader("Cache-Control") == "no-store", (resp.status, path)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(METHODS),
       path=st.one_of(st.sampled_from(PATHS),
                      st.text(max_size=60).map(lambda t: "/" + quote(t, safe="/%?=&"))),
       body=bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_any_request_is_never_a_5xx_and_always_has_the_headers(site, method, path, body, content_type) -> None:
    resp = request(site, method, path, body if method not in ("GET", "HEAD") else b"", content_type)
    check(resp, path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, content_type=st.sampled_from(CONTENT_TYPES))
def test_demo_token_answers_any_body_with_a_token_or_a_clear_4xx(site, body, content_type) -> None:
    resp = request(site, "POST", "/demo/token", body, content_type)
    check(resp, "/demo/token")
    assert resp.status in (200, 400, 413), resp.status


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.binary(min_size=1, max_size=200).filter(lambda b: b"\r" not in b and b"\n" not in b),
       header=st.binary(max_size=100).filter(lambda b: b"\r" not in b and b"\n" not in b))
def test_requests_aiohttp_cannot_parse_still_get_the_headers(site, line, header) -> None:
    """Garbage request lines and headers: aiohttp's own 400, with the headers."""
    with socket.create_connection(("127.0.0.1", site), timeout=5) as conn:
        conn.sendall(line + b"\r\n" + header + b"\r\nContent-Length: 0\r\n\r\n")
        try:
            head = conn.recv(65536).split(b"\r\n\r\n")[0].decode("latin-1")
        except socket.timeout:
            return  # a prefix of a valid request: the server waits for the rest
    if not head:
        return  # closed without an answer (not an HTTP request at all)
    status = int(head.split()[1])
    assert status < 500, head
    for name in SECURITY_HEADERS:
        assert f"\r\n{name}: " in head, (name, head)
