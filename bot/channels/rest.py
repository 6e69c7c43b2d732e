"""REST channel (`POST /webhooks/rest/webhook`) with signed identity.

`Authorization: Bearer <jwt>` binds the conversation to the account; no header means a
guest. A header with a bad token is a 401 JSON error, never a silent guest. The body's
`sender` is only the client's session id: the conversation key is derived on the
server (`acct:C1001:<sender>` or `guest:<sender>`), and any `metadata.auth` the client
sends is dropped.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import identity
from bot.channels import common

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str, **headers: str) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status, headers=headers)


class AuthRestInput(RestInput):
    """REST input that binds the conversation to a verified account."""

    max_message_chars: int = common.DEFAULT_MAX_MESSAGE_CHARS
    max_metadata_bytes: int = common.DEFAULT_MAX_METADATA_BYTES
    max_metadata_depth: int = common.DEFAULT_MAX_METADATA_DEPTH
    #: e.g. "X-Forwarded-For" behind a reverse proxy (credentials.yml); unset: the peer.
    trusted_proxy_header: Optional[str] = None

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        identity.check_configuration()  # refuse to start in demo mode with a real secret
        channel = cls()
        common.configure_limits(channel, credentials)
        return channel

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                token = identity.bearer_token(request.headers.get("Authorization"))
                who = identity.verify(token) if token is not None else None
            except identity.SecretNotConfigured as err:
                logger.error("REST channel cannot check tokens: %s", err)
                return _error(503, err.code, "Sign-in is not configured on this server.")
            except identity.TokenError as err:
                return _error(401, err.code, str(err),
                              **{"WWW-Authenticate": f'Bearer error="invalid_token", '
                                                     f'error_description="{err.code}"'})
            try:
                body = request.json
            except Exception:  # sanic raises on a body that is not JSON
                body = None
            if not isinstance(body, dict):
                return _error(400, "bad_request", "The body must be a JSON object with "
                              "'sender' and 'message'.")
            session_id = body.get("sender")
            if not common.valid_session_id(session_id):
                return _error(400, "bad_sender", "'sender' must be a session id of 8 to 64 "
                              "letters, digits, '-' or '_'.")
            text = body.get("message")
            if not isinstance(text, str):
                return _error(400, "bad_message", "'message' must be a string.")
            if common.has_lone_surrogate(text):  # not UTF-8: a 500 further down (finding 5)
                return _error(400, "invalid_text", common.invalid_text_reply())
            text = common.clean_text(text)
            if not text.strip():  # Rasa strips the text and fails on an empty message
                return _error(400, "empty_message", common.empty_text())
            if len(text) > self.max_message_chars:
                return _error(413, "message_too_long", common.too_long_text(self.max_message_chars))
            try:  # finding 4: bounded before it reaches the tracker and the action server
                client_metadata = common.checked_metadata(
                    body.get("metadata"), self.max_metadata_bytes, self.max_metadata_depth)
            except common.MetadataRefused as err:
                return _error(err.status, err.code, str(err))
            sender_id = common.sender_id_for(who, session_id)
            client = common.address_key(
                common.client_ip(request.ip, request.headers, self.trusted_proxy_header))
            metadata = common.with_client_address(
                common.clean_metadata(client_metadata, who, sender_id), client)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id,
                                                 input_channel=self.name(), metadata=metadata))
            except asyncio.CancelledError:
                logger.error("REST message timed out for %s", sender_id)
            except Exception:
                logger.exception("REST message failed for %s", sender_id)
                return _error(500, "internal_error", "Sorry, something went wrong on our side.")
            return response.json(collector.messages)

        return webhook
