"""The support site server: pages, security headers, the DEMO token endpoint."""
from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import identity
from bot.policy import load_policy
from bot.web import serve
from tests.web.test_faq import check_against

RASA = "http://localhost:5999"


@pytest.fixture
async def client_for(monkeypatch):
    monkeypatch.delenv(identity.SECRET_ENV, raising=False)
    clients = []

    async def make(demo: bool):
        monkeypatch.setenv(identity.DEMO_ENV, "1" if demo else "0")
        client = TestClient(TestServer(serve.make_app(RASA, demo=demo)))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


async def test_support_page_has_widget_demo_picker_and_csp(client_for):
    client = await client_for(True)
    resp = await client.get("/")
    html = await resp.text()
    assert resp.status == 200
    assert 'name="assurance-rasa-url" content="http://localhost:5999"' in html
    assert 'href="/faq.html"' in html and "DEMO" in html and 'id="demo-login"' in html
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "ws://localhost:5999" in csp
    assert "<script>" not in html  # no inline script anywhere
    check_against_support = html.count('data-figure="hotline_number"')
    assert check_against_support >= 1


async def test_faq_page_served_from_policy(client_for):
    client = await client_for(False)
    resp = await client.get("/faq.html")
    assert resp.status == 200
    check_against(load_policy(), await resp.text())


async def test_static_assets(client_for):
    client = await client_for(False)
    for name in ("widget.js", "widget.css", "site.js", "site.css", "socket.io.min.js"):
        resp = await client.get(f"/static/{name}")
        assert resp.status == 200, name
    widget = await (await client.get("/static/widget.js")).text()
    assert "innerHTML" not in widget and "insertAdjacentHTML" not in widget
    assert (await client.get("/static/../serve.py")).status in (403, 404)


async def test_demo_token_minted_only_in_demo_mode(client_for):
    client = await client_for(True)
    resp = await client.post("/demo/token", json={"customer_id": "C1003"})
    body = await resp.json()
    assert resp.status == 200 and body["demo"] is True
    assert identity.verify(body["token"]).customer_id == "C1003"
    assert resp.headers["Cache-Control"] == "no-store"
    bad = await client.post("/demo/token", json={"customer_id": "C9999"})
    assert bad.status == 400 and "demo accounts" in (await bad.json())["message"]
    garbage = await client.post("/demo/token", data=b"not json")
    assert garbage.status == 400

    off = await client_for(False)
    resp = await off.post("/demo/token", json={"customer_id": "C1001"})
    assert resp.status == 404 and (await resp.json())["error"] == "demo_disabled"
    assert 'id="demo-login"' not in await (await off.get("/")).text()


async def test_support_page_figures_come_from_the_policy(client_for):
    import re

    from tests.web.test_faq import parse

    client = await client_for(True)
    page = parse(await (await client.get("/")).text())
    figures = load_policy().figures()
    assert page.figures and all(shown == figures[key] for key, shown in page.figures)
    prose = re.sub(r"\bC\d{4}\b", "", " ".join(page.prose))  # demo account ids are not policy
    assert not re.search(r"\d", prose), prose


# --- security headers on every response, malformed input never a 500 -------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Frame-Options")


def assert_security_headers(resp) -> None:
    missing = [h for h in SECURITY_HEADERS if h not in resp.headers]
    assert not missing, f"{resp.status} {resp.url} lacks {missing}"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_security_headers_on_error_responses(client_for, monkeypatch):
    """Finding 8: 404, 403, 405, 413, 400 and 500 carry the same headers as a 200."""
    client = await client_for(True)
    cases = [
        (404, client.get("/no-such-page")),
        (404, client.get("/static/no-such-file.js")),
        (403, client.get("/static/")),  # no directory listing
        (405, client.get("/demo/token")),
        (405, client.delete("/")),
        (413, client.post("/demo/token", data=b"{" + b" " * 20_000 + b"}",
                          headers={"Content-Type": "application/json"})),
        (400, client.post("/demo/token", data=b"not json")),
    ]
    for status, request in cases:
        resp = await request
        assert resp.status == status, (status, resp.status, await resp.text())
        assert_security_headers(resp)
    demo_error = await client.post("/demo/token", data=b"not json")
    assert demo_error.headers["Cache-Control"] == "no-store"

    def broken(**_):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(serve.pages, "support_page", broken)
    resp = await client.get("/")
    assert resp.status == 500
    assert_security_headers(resp)
    assert "template exploded" not in await resp.text()  # no internals leak


@pytest.mark.parametrize("body", [
    {"customer_id": ["C1001"]}, {"customer_id": {"id": "C1001"}}, {"customer_id": 1001},
    {"customer_id": None}, {"customer_id": True}, {"customer_id": 1.5}, {},
    {"customer_id": "C1001\ud800"}, {"customer_id": "C1001" * 1000}, ["C1001"], "C1001", 7, None,
])
async def test_demo_token_malformed_customer_id_is_a_clear_400(client_for, body):
    """Finding 6: a list, object, number or null customer id was a 500 (unhashable)."""
    client = await client_for(True)
    import json

    raw = json.dumps(body).encode()
    resp = await client.post("/demo/token", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 400, (resp.status, await resp.text())
    payload = await resp.json()
    assert payload["error"] in ("unknown_account", "bad_request") and payload["message"]
    assert_security_headers(resp)


@pytest.mark.parametrize("raw, headers", [
    (b"\xff\xfe\x00garbage", {"Content-Type": "application/json"}),
    (b'{"customer_id": "C1001"}', {"Content-Type": "application/json; charset=no-such-charset"}),
    (b"[" * 8000 + b"]" * 8000, {"Content-Type": "application/json"}),  # RecursionError deep
    (b'{"customer_id": "C1001", "customer_id": ["C1002"]}', {"Content-Type": "application/json"}),
    (b"", {"Content-Type": "application/json"}),
    (b"customer_id=C1001", {"Content-Type": "application/x-www-form-urlencoded"}),
], ids=["not-utf8", "unknown-charset", "8000-deep", "duplicate-key-list", "empty", "form"])
async def test_demo_token_malformed_bodies_never_a_500(client_for, raw, headers):
    client = await client_for(True)
    resp = await client.post("/demo/token", data=raw, headers=headers)
    assert 400 <= resp.status < 500, (resp.status, await resp.text())
    assert_security_headers(resp)


@pytest.mark.parametrize("raw", [
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # request line too long
    b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n",  # no such method token
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    b"POST /demo/token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
], ids=["long-line", "bad-method", "bad-header", "bad-length"])
async def test_security_headers_even_on_requests_aiohttp_cannot_parse(client_for, raw):
    """aiohttp answers these 400s itself, before any routing or middleware."""
    import asyncio

    client = await client_for(True)
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(raw)
    await writer.drain()
    head = (await asyncio.wait_for(reader.read(65536), 5)).split(b"\r\n\r\n")[0].decode()
    writer.close()
    assert head.startswith("HTTP/1.") and " 400 " in head.splitlines()[0], head
    for name in SECURITY_HEADERS:
        assert f"\r\n{name}: " in head, (name, head)
