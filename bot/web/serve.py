"""The local support site: support page, FAQ page, widget assets, demo token endpoint.

    python -m bot.web.serve --port 8080 --rasa-url http://localhost:5005

aiohttp (already a Rasa dependency) keeps this a small, separate process: the site is
not the Rasa server, just as a real support site would not be. The widget talks
socket.io straight to Rasa's `bot.channels.socketio.AuthSocketIOInput`.
`POST /demo/token` exists only when ASSURANCE_DEMO=1 (DEMO: it signs a token for any
demo account without a password).
"""
from __future__ import annotations

import argparse
import functools
import logging
import os
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import urlsplit

from aiohttp import web

from bot import identity
from bot.web import faq, pages

STATIC = Path(__file__).with_name("static")
RASA_URL_ENV = "ASSURANCE_RASA_URL"
logger = logging.getLogger(__name__)


def _csp(rasa_url: str) -> str:
    """No inline script, no third-party origin: the page talks only to itself and Rasa."""
    parts = urlsplit(rasa_url)
    http_origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {http_origin} {ws_origin}; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def make_app(rasa_url: str, demo: Optional[bool] = None) -> web.Application:
    """The aiohttp application (a function, so tests can run it on any port)."""
    demo = identity.demo_enabled() if demo is None else demo
    csp = _csp(rasa_url)
    demo_ids = {cid for cid, _ in pages.DEMO_ACCOUNTS}

    async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
        """On EVERY response the app sends: pages, static files, and the error answers
        aiohttp makes itself (404, 403, 405, 413, and the 500 of an unhandled error),
        which a middleware never sees as a response (docs/SECURITY.md, guarantee 8)."""
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith("/demo/"):
            response.headers["Cache-Control"] = "no-store"

    @web.middleware
    async def no_internal_errors(request: web.Request, handler):
        """An unexpected failure is a plain 500 (logged here), never a traceback."""
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:  # noqa: BLE001 - the log gets the detail, the client a clear 500
            logger.exception("support site: %s %s failed", request.method, request.path)
            return web.json_response({"error": "internal_error",
                                      "message": "Sorry, something went wrong on our side."},
                                     status=500)

    async def support(_: web.Request) -> web.Response:
        return web.Response(text=pages.support_page(rasa_url=rasa_url, demo=demo),
                            content_type="text/html")

    async def faq_page(_: web.Request) -> web.Response:
        return web.Response(text=faq.faq_page(rasa_url=rasa_url, demo=demo),
                            content_type="text/html")

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "demo": demo})

    async def demo_token(request: web.Request) -> web.Response:
        if not demo:
            return web.json_response({"error": "demo_disabled",
                                      "message": "Demo sign-in is off (ASSURANCE_DEMO is not set)."},
                                     status=404)
        try:
            body = await request.json()
        except web.HTTPException:  # 413: the body is over client_max_size
            raise
        except (ValueError, LookupError, RecursionError):
            # not JSON, not UTF-8, an unknown charset, or nested too deep to parse
            body = None
        customer_id = body.get("customer_id") if isinstance(body, dict) else None
        if not isinstance(customer_id, str) or customer_id not in demo_ids:
            # a list or object id is unhashable: checked as a string first (finding 6)
            return web.json_response({"error": "unknown_account",
                                      "message": f"Pick one of the demo accounts: {', '.join(sorted(demo_ids))}."},
                                     status=400)
        try:
            token = identity.mint(customer_id)
            who = identity.verify(token)
        except identity.TokenError as err:
            return web.json_response({"error": err.code, "message": str(err)}, status=503)
        return web.json_response({"token": token, "customer_id": who.customer_id,
                                  "expires_at": who.expires_at.isoformat(), "demo": True})

    class _Request(web.Request):
        """A request aiohttp cannot parse (bad request line, header or length) is
        answered by aiohttp itself with a 400, before routing: no app signal sees that
        response, so the headers are added here (match_info is unset only then)."""

        async def _prepare_hook(self, response: web.StreamResponse) -> None:
            if self._match_info is None:
                await security_headers(self, response)
            await super()._prepare_hook(response)

    app = web.Application(middlewares=[no_internal_errors], client_max_size=16 * 1024)
    # aiohttp 3.9 declares its signals in the pre-1.4 aiosignal form: mypy misreads them
    app.on_response_prepare.append(security_headers)  # type: ignore[arg-type]
    app._make_request = functools.partial(app._make_request, _cls=_Request)  # type: ignore[method-assign]  # aiohttp 3.9 hook
    app.router.add_get("/", support)
    app.router.add_get("/index.html", support)
    app.router.add_get("/faq.html", faq_page)
    app.router.add_get("/health", health)
    app.router.add_post("/demo/token", demo_token)
    app.router.add_static("/static/", STATIC, show_index=False)
    return app


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the support page, FAQ and chat widget.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default=os.environ.get(RASA_URL_ENV, "http://localhost:5005"),
                        help="where the widget finds the Rasa server (socket.io)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        identity.check_configuration()
    except identity.ConfigurationError as err:
        parser.exit(2, f"Refusing to start: {err}\n")
    if identity.demo_enabled():
        logger.warning("DEMO mode: /demo/token signs tokens for demo accounts without a password.")
    web.run_app(make_app(args.rasa_url), host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
