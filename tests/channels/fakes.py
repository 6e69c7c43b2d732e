"""Local stand-ins for the Telegram Bot API and Slack Web API (no network in tests).

Runs an aiohttp server in a background thread and records every call, so a test can
point a connector's `api_base_url` here and assert what the bot sent.
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Callable, List, Optional

from aiohttp import web

from tests.harness.servers import free_port


class FakeApis:
    """Telegram at {url}/bot<token>/<method>, Slack at {url}/api/<method>."""

    def __init__(self, telegram_username: str = "assurance_test_bot") -> None:
        self.telegram_username = telegram_username
        self.calls: List[dict] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    async def _body(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        return {k: v for k, v in form.items()}

    async def _telegram(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        with self._lock:
            self.calls.append({"api": "telegram", "method": method, "body": body})
        result: object
        if method == "getMe":
            result = {"id": 42, "is_bot": True, "first_name": "Assurance",
                      "username": self.telegram_username}
        elif method == "setWebhook":
            result = True
        elif method in ("sendMessage", "sendPhoto"):
            result = {"message_id": len(self.calls), "date": int(time.time()),
                      "chat": {"id": int(body.get("chat_id", 0)), "type": "private"},
                      "text": body.get("text", "")}
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        with self._lock:
            self.calls.append({"api": "slack", "method": method, "body": body,
                               "auth": request.headers.get("Authorization", "")})
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": str(time.time())})

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._telegram)
        app.router.add_route("*", "/api/{method}", self._slack)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def __enter__(self) -> "FakeApis":
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def sent(self, api: str, method: str) -> List[dict]:
        with self._lock:
            return [c for c in self.calls if c["api"] == api and c["method"] == method]

    def wait_for(self, predicate: Callable[[], list], timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the fake API got no matching call in {timeout}s; calls: "
                             f"{json.dumps(self.calls)[:2000]}")


def telegram_update(chat_id: int, text: str, update_id: int = 1000) -> dict:
    """A realistic Telegram webhook update (a private text message)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Li", "language_code": "en"},
            "chat": {"id": chat_id, "first_name": "Li", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def telegram_callback(chat_id: int, data: str, update_id: int = 2000) -> dict:
    """A Telegram update for a pressed inline-keyboard button."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id), "chat_instance": "1",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Li"},
            "data": data,
            "message": {"message_id": update_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"}, "text": "..."},
        },
    }


def slack_event(user: str, channel: str, text: str) -> dict:
    """A realistic Slack Events API `message.im` callback."""
    ts = f"{time.time():.6f}"
    return {
        "token": "verification-token-unused", "team_id": "T0001", "api_app_id": "A0001",
        "event": {"type": "message", "channel_type": "im", "user": user, "text": text,
                  "ts": ts, "event_ts": ts, "channel": channel,
                  "client_msg_id": "5a4e1f3c-0000-4000-8000-000000000001"},
        "type": "event_callback", "event_id": "Ev0001", "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": "T0001", "user_id": "UBOT0001",
                            "is_bot": True, "is_enterprise_install": False}],
    }


def slack_headers(secret: str, body: bytes) -> dict:
    """Slack's request signature (v0) over the raw body."""
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={digest}"}
