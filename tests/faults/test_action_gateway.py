"""The action gateway (bot.scaleout.action_gateway) without Rasa: it passes calls
through to a live action server, fails over between action servers, and when none
answers it replies in the action server protocol with the service-down response
(once per turn) and clears a form's unvalidated candidates."""
from __future__ import annotations

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.scaleout.action_gateway import DOWN_RESPONSE, fallback_reply, make_app


def tracker_body(action: str, turn_events: list[dict]) -> dict:
    events = [{"event": "action", "name": "action_listen"},
              {"event": "user", "text": "earlier"},
              {"event": "slot", "name": "billing", "value": "monthly"},  # an earlier turn
              {"event": "action", "name": "action_listen"},
              {"event": "user", "text": "CS2611240001"}] + turn_events
    return {"next_action": action, "sender_id": "s", "tracker": {"events": events}}


def test_validation_call_clears_this_turns_candidates_only() -> None:
    body = tracker_body("validate_refund_form", [
        {"event": "action", "name": "refund_form"},
        {"event": "slot", "name": "requested_slot", "value": "refund_item"},
        {"event": "slot", "name": "refund_item", "value": "CS2611240001"},
        {"event": "slot", "name": "invoice", "value": "none"},
    ])
    reply = fallback_reply(body, figures={"hotline_number": "N"})
    cleared = [(e["name"], e["value"]) for e in reply["events"]]
    assert cleared == [("refund_item", None), ("invoice", None)]  # not billing, not requested_slot
    assert reply["responses"] == [{"response": DOWN_RESPONSE, "hotline_number": "N"}]


def test_down_response_is_said_once_per_turn() -> None:
    body = tracker_body("action_ask_refund_item", [
        {"event": "bot", "text": "down", "metadata": {"utter_action": DOWN_RESPONSE}}])
    assert fallback_reply(body) == {"events": [], "responses": []}
    # A plain (non-validation) action never clears slots.
    body = tracker_body("action_refund_submit", [])
    assert fallback_reply(body)["events"] == []


def action_server(name: str, calls: list, status: int = 200) -> web.Application:
    async def webhook(request: web.Request) -> web.Response:
        calls.append(name)
        return web.json_response({"events": [], "responses": [{"text": name}]}, status=status)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    return app


async def test_passes_through_and_fails_over_then_falls_back() -> None:
    calls: list = []
    a, b = TestServer(action_server("A", calls)), TestServer(action_server("B", calls))
    await a.start_server()
    await b.start_server()
    gw = TestServer(make_app([str(a.make_url("")), str(b.make_url(""))]))
    await gw.start_server()
    url = str(gw.make_url("/webhook"))
    body = tracker_body("action_refund_submit", [])
    try:
        async with aiohttp.ClientSession() as s:
            texts = []
            for _ in range(4):
                async with s.post(url, json=body) as r:
                    assert r.status == 200
                    texts.append((await r.json())["responses"][0]["text"])
            assert sorted(set(texts)) == ["A", "B"]  # spread over both
            await a.close()
            for _ in range(3):
                async with s.post(url, json=body) as r:
                    assert (await r.json())["responses"][0]["text"] == "B"
            await b.close()
            async with s.post(url, json=body) as r:
                assert r.status == 200
                data = await r.json()
            assert data["responses"][0]["response"] == DOWN_RESPONSE
            async with s.get(str(gw.make_url("/health"))) as r:
                assert (await r.json())["fallbacks"] == 1
    finally:
        await gw.close()
        await a.close()
        await b.close()


async def test_crashing_action_is_not_replayed_elsewhere() -> None:
    calls: list = []
    a, b = TestServer(action_server("A", calls, 500)), TestServer(action_server("B", calls, 500))
    await a.start_server()
    await b.start_server()
    gw = TestServer(make_app([str(a.make_url("")), str(b.make_url(""))]))
    await gw.start_server()
    try:
        async with aiohttp.ClientSession() as s:
            async with s.post(str(gw.make_url("/webhook")),
                              json=tracker_body("action_refund_submit", [])) as r:
                data = await r.json()
        assert len(calls) == 1  # one attempt, no replay of a possibly half-done action
        assert data["responses"][0]["response"] == DOWN_RESPONSE
    finally:
        await gw.close()
        await a.close()
        await b.close()
