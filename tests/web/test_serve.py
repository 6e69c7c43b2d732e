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
