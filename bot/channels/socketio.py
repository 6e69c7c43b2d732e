"""socket.io channel for the support-site widget, with signed identity.

Differences from Rasa's SocketIOInput (and why):
- the token (auth data of the socket.io CONNECT, `{"token": "<jwt>"}`) is verified at
  connect; a bad token refuses the connection with a clear `connect_error` message
  instead of silently making the customer a guest;
- the sender id is derived on the server (`acct:C1001:<session>` / `guest:<session>`),
  never taken from the client, and the socket joins that room so replies reach every
  tab of the session (session persistence); the session id itself is minted by the
  server (HMAC-signed) and only such an id is accepted back, so two guests who send
  the same id never share a room;
- client metadata loses any `auth` key; a verified identity is added to every message;
- expiry is re-checked on every message; overlong messages, broken Unicode and
  oversized or too deeply nested metadata get a clear reply;
- `bot_done` is emitted after each turn, refused messages included, so the widget can
  stop its typing indicator.
Rasa's own handler also calls python-socketio's now-async `enter_room` without
awaiting it, which silently breaks session persistence with the locked versions.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError

from bot import clock, identity
from bot.channels import common

logger = logging.getLogger(__name__)

AUTH_ERROR_EVT = "auth_error"
IDENTITY_EVT = "session_identity"
DONE_EVT = "bot_done"


class AuthSocketIOInput(SocketIOInput):
    """socket.io input that binds the conversation to a verified account."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        identity.check_configuration()  # refuse to start in demo mode with a real secret
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            True,  # session persistence is how the widget keeps history across reloads
            credentials.get("socketio_path", "/socket.io"),
            None,  # Rasa's jwt_key check is replaced by bot.identity
            "HS256",
            credentials.get("metadata_key", "metadata"),
        )
        common.configure_limits(channel, credentials)
        origins = credentials.get("cors_allowed_origins", "*")
        channel.cors_allowed_origins = origins
        return channel

    max_message_chars: int = common.DEFAULT_MAX_MESSAGE_CHARS
    max_metadata_bytes: int = common.DEFAULT_MAX_METADATA_BYTES
    max_metadata_depth: int = common.DEFAULT_MAX_METADATA_DEPTH
    #: e.g. "X-Forwarded-For" behind a reverse proxy (credentials.yml); unset: the peer.
    trusted_proxy_header: Optional[str] = None
    cors_allowed_origins: Any = "*"

    async def _refuse(self, sio: AsyncServer, sid: Text, err: identity.TokenError) -> None:
        """Tell the client why, both as an event the widget handles and as a bot line."""
        await sio.emit(AUTH_ERROR_EVT, {"code": err.code, "message": str(err)},
                       room=sid, namespace=self.namespace)
        await sio.emit(self.bot_message_evt, {"text": str(err)}, room=sid,
                       namespace=self.namespace)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Sanic blueprint + socket.io handlers (replaces Rasa's, see module doc)."""
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.cors_allowed_origins)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            token = auth.get("token") if isinstance(auth, dict) else None
            who: Optional[identity.Identity] = None
            if token not in (None, ""):
                try:
                    who = identity.verify(token)
                except identity.TokenError as err:
                    logger.info("socket.io connect refused: %s", err.code)
                    # Refused, never downgraded to a guest: the client meant to sign in.
                    raise ConnectionRefusedError(str(err), {"code": err.code}) from err
            # engine.io's Sanic driver fixes REMOTE_ADDR at 127.0.0.1: ask Sanic's request
            request = environ.get("sanic.request")
            client = common.address_key(common.client_ip(
                getattr(request, "ip", None), getattr(request, "headers", None),
                self.trusted_proxy_header))
            await sio.save_session(sid, {"identity": who, "sender_id": None, "client_address": client},
                                   namespace=namespace)
            return True

        async def bind(sid: Text, session_id: Any) -> Dict[Text, Any]:
            """Derive the sender id for this socket's session and join its room.

            Only an id this server minted is taken from the client (a reloaded widget
            keeps its conversation); any other keeps the socket's own session, or gets
            a new minted one. So two guests who send the same id never share a room.
            """
            session = await sio.get_session(sid, namespace=namespace)
            if not common.signed_session_id(session_id):
                session_id = session.get("session_id") or common.mint_session_id()
            sender_id = common.sender_id_for(session.get("identity"), session_id)
            if session.get("sender_id") != sender_id:
                if session.get("sender_id"):
                    await sio.leave_room(sid, session["sender_id"], namespace=namespace)
                await sio.enter_room(sid, sender_id, namespace=namespace)
                session.update(sender_id=sender_id, session_id=session_id)
                await sio.save_session(sid, session, namespace=namespace)
            return session

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict] = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session = await bind(sid, requested)
            who = session.get("identity")
            await sio.emit("session_confirm", session["session_id"], room=sid, namespace=namespace)
            await sio.emit(
                IDENTITY_EVT,
                {"customer_id": who.customer_id if who else None, "guest": who is None,
                 "expires_at": who.expires_at.isoformat() if who else None},
                room=sid, namespace=namespace,
            )

        async def refuse(sid: Text, text: Text) -> None:
            """A clear reply to this socket, then `bot_done`: every message the widget
            sends ends its typing indicator, whatever was wrong with it."""
            await sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)
            await sio.emit(DONE_EVT, {}, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            if not isinstance(data, dict):
                await refuse(sid, common.not_text_reply())
                return
            session = await bind(sid, data.get("session_id"))
            who: Optional[identity.Identity] = session.get("identity")
            if who is not None and clock.now() >= who.expires_at + identity.LEEWAY:
                await self._refuse(sio, sid, identity.ExpiredToken(
                    "Your sign-in has expired. Please sign in again."))
                await sio.emit(DONE_EVT, {}, room=sid, namespace=namespace)
                return
            text = data.get("message", "")
            if not isinstance(text, str):
                await refuse(sid, common.not_text_reply())
                return
            if common.has_lone_surrogate(text):  # not UTF-8: no reply at all before (finding 5)
                await refuse(sid, common.invalid_text_reply())
                return
            text = common.clean_text(text)
            if not text.strip():  # Rasa strips the text and fails on an empty message
                await refuse(sid, common.empty_text())
                return
            if len(text) > self.max_message_chars:
                await refuse(sid, common.too_long_text(self.max_message_chars))
                return
            raw_metadata = data.get(self.metadata_key)
            if isinstance(raw_metadata, str):  # some widgets send it JSON-encoded
                try:
                    raw_metadata = json.loads(raw_metadata)
                except (ValueError, RecursionError):
                    pass  # stays a string: refused below as not an object
            try:  # finding 4: bounded before it reaches the tracker and the action server
                client_metadata = common.checked_metadata(
                    raw_metadata, self.max_metadata_bytes, self.max_metadata_depth)
            except common.MetadataRefused as err:
                await refuse(sid, str(err))
                return
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                session["sender_id"],
                input_channel=self.name(),
                metadata=common.with_client_address(
                    common.clean_metadata(client_metadata, who, session["sender_id"]),
                    session.get("client_address")),
            )
            try:
                await on_new_message(message)
            finally:
                await sio.emit(DONE_EVT, {}, room=session["sender_id"], namespace=namespace)

        return socketio_webhook
