"""Action gateway: Rasa's action endpoint in front of one or more action servers.

Why: when Rasa cannot reach its action server it logs an error and goes on
without a word to the customer; a form's unvalidated answer even stays in its
slot. The gateway spreads action calls over the action server replicas (they are
stateless) and, when none answers (or the action crashes with a 5xx), replies on their behalf in the action server
protocol so that Rasa itself tells the customer what happens next:

* the domain response ``utter_service_down`` (hotline number and hours, and the
  24/7 ticket option; figures from ``bot.policy`` H1/H2, never typed here), once
  per user turn;
* for a form's ``validate_<form>`` call, every slot value the customer's last
  message would have filled is cleared, so nothing unvalidated is kept; the form
  stays active on the same question and carries on once an action server is back.

Run: ``python -m bot.scaleout.action_gateway --port 5055 --upstream
http://127.0.0.1:5056 [--upstream ...]`` and point ``action_endpoint.url`` at
``http://127.0.0.1:5055/webhook``.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

import aiohttp
from aiohttp import web

log = logging.getLogger("bot.scaleout.action_gateway")

DOWN_RESPONSE = "utter_service_down"
#: Rasa's default is a 10 MB client_max_size of its own; trackers can be large.
MAX_BODY_BYTES = 32 * 1024 * 1024


def policy_figures() -> dict[str, str]:
    """Template variables for the down response (H1/H2 from the policy file)."""
    try:
        from bot.policy import load_policy

        return dict(load_policy().figures())
    except Exception:  # noqa: BLE001 - the response still renders without them
        log.exception("policy figures unavailable")
        return {}


def events_this_turn(tracker: dict) -> list[dict]:
    """Events after the customer's latest message."""
    events = tracker.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return events[last_user + 1:]


def fallback_reply(body: dict, response: str = DOWN_RESPONSE,
                   figures: Optional[dict[str, str]] = None) -> dict:
    """What an action server would answer to say "the check cannot run right now"."""
    tracker = body.get("tracker") or {}
    action = str(body.get("next_action") or "")
    turn = events_this_turn(tracker)
    events: list[dict] = []
    if action.startswith("validate_"):
        # Clear every candidate the last message filled (never keep an unvalidated value).
        seen: set[str] = set()
        for e in turn:
            name = e.get("name")
            if e.get("event") == "slot" and name and name != "requested_slot" and name not in seen:
                seen.add(name)
                events.append({"event": "slot", "name": name, "value": None, "timestamp": None})
    already_said = any(e.get("event") == "bot" and
                       (e.get("metadata") or {}).get("utter_action") == response for e in turn)
    responses = [] if already_said else [{"response": response, **(figures or {})}]
    return {"events": events, "responses": responses}


@dataclass
class Gateway:
    upstreams: list[str]
    response: str = DOWN_RESPONSE
    timeout: float = 60.0
    session: Optional[aiohttp.ClientSession] = None
    _next: Any = field(default=None, repr=False)
    fallbacks: int = 0

    async def start(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout, connect=2.0),
            connector=aiohttp.TCPConnector(limit=0, force_close=True))
        self._next = itertools.cycle(range(len(self.upstreams)))

    async def stop(self, app: web.Application) -> None:
        if self.session:
            await self.session.close()

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "upstreams": self.upstreams,
                                  "fallbacks": self.fallbacks})

    async def webhook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        assert self.session is not None
        start = next(self._next)
        order = self.upstreams[start:] + self.upstreams[:start]
        for url in order:
            try:
                async with self.session.post(url.rstrip("/") + "/webhook", data=raw, headers={
                        "Content-Type": "application/json"}) as resp:
                    payload = await resp.read()
                    if resp.status < 500:
                        return web.Response(status=resp.status, body=payload,
                                            content_type=resp.content_type or "application/json")
                    # The action crashed: never replay it elsewhere (it may have
                    # written something); the customer is told instead of silence.
                    log.warning("action server %s answered %s", url, resp.status)
                    break
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError, OSError) as exc:
                log.warning("action server %s unreachable: %s", url, exc)
                continue
        self.fallbacks += 1
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        log.warning("no action server answered %s: replying %s", body.get("next_action"),
                    self.response)
        return web.json_response(fallback_reply(body, self.response, policy_figures()))


def make_app(upstreams: list[str], response: str = DOWN_RESPONSE) -> web.Application:
    gw = Gateway(upstreams, response)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    # aiohttp 3.9 declares its signals in the pre-1.4 aiosignal form: mypy misreads them
    app.on_startup.append(gw.start)  # type: ignore[arg-type]
    app.on_cleanup.append(gw.stop)  # type: ignore[arg-type]
    app.router.add_get("/health", gw.health)
    app.router.add_post("/webhook", gw.webhook)
    return app


def main(argv: Optional[list[str]] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5055)
    p.add_argument("--upstream", action="append", required=True,
                   help="base URL of an action server (repeat)")
    p.add_argument("--response", default=DOWN_RESPONSE)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s action-gateway %(message)s")
    web.run_app(make_app(args.upstream, args.response), host=args.host, port=args.port,
                print=None, access_log=None)


if __name__ == "__main__":
    main()
