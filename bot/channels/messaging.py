"""Telegram, Slack and Facebook Messenger: Rasa's connectors, two changes each (three
for Slack: its mrkdwn text is escaped, see `slack_escape`; Telegram is sent without a
parse_mode and Messenger has no markup, so both show any text as written).

1. Buttons degrade to numbered text where the channel cannot show them (Slack shows
   at most 5 buttons, a Messenger button template at most 3, quick replies at most 13,
   Telegram callback data at most 64 bytes; Rasa's connectors then *drop* the buttons).
   The customer answers with the number; the input side maps it back to the button's
   payload (remembered per conversation in this process; with several Rasa replicas a
   number that lands on another replica reaches the NLU as plain text).
2. `api_base_url` in credentials points the connector at another API host (a test's
   local fake, or a proxy). Unset means the real API.
Every message from these channels is a guest's: any `auth` in metadata is dropped
(messaging apps have no sign-in with the support site).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import common

logger = logging.getLogger(__name__)

TELEGRAM_CALLBACK_MAX_BYTES = 64
SLACK_MAX_BUTTONS = 5
MESSENGER_MAX_TEMPLATE_BUTTONS = 3
MESSENGER_MAX_QUICK_REPLIES = 13


class ButtonMemory:
    """The last numbered options offered to each conversation (bounded, in process)."""

    def __init__(self, size: int = 10000) -> None:
        self._size = size
        self._offers: "OrderedDict[tuple, List[str]]" = OrderedDict()

    def remember(self, channel: str, recipient: str, buttons: List[Dict[str, Any]]) -> None:
        key = (channel, str(recipient))
        self._offers[key] = [str(b.get("payload", b.get("title", ""))) for b in buttons]
        self._offers.move_to_end(key)
        while len(self._offers) > self._size:
            self._offers.popitem(last=False)

    def resolve(self, channel: str, sender: str, text: Optional[str]) -> Optional[str]:
        """The payload for a bare-number answer to the last offer, else the text unchanged."""
        key = (channel, str(sender))
        offer = self._offers.get(key)
        if not offer or text is None:
            return text
        choice = text.strip().rstrip(".)")
        if choice.isdigit() and 1 <= int(choice) <= len(offer):
            del self._offers[key]
            return offer[int(choice) - 1]
        return text

    def forget(self, channel: str, sender: str) -> None:
        self._offers.pop((channel, str(sender)), None)


MEMORY = ButtonMemory()


def numbered_text(text: str, buttons: List[Dict[str, Any]]) -> str:
    """The message with its buttons as a numbered list (one block, never split)."""
    lines = [f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1)]
    return f"{text.strip()}\n" + "\n".join(lines) + "\nReply with the number of your choice."


def guarded(channel: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]):
    """Wrap Rasa's on_new_message: map numbered answers, drop any client `auth`."""

    async def handler(message: UserMessage) -> Any:
        if isinstance(message.text, str):
            message.text = common.clean_text(message.text)
        message.text = MEMORY.resolve(channel, message.sender_id, message.text)
        MEMORY.forget(channel, message.sender_id)
        message.metadata = common.with_client_address(  # no address: the app's servers call us
            common.clean_metadata(message.metadata, None, message.sender_id), None)
        return await on_new_message(message)

    return handler


# --- Telegram -----------------------------------------------------------------------

class AssuranceTelegramOutput(TelegramOutput):
    """Telegram output with a configurable API server and numbered-text fallback."""

    def __init__(self, access_token: Optional[Text], api_base_url: Optional[Text] = None) -> None:
        from aiogram import Bot
        from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer

        server = TelegramAPIServer.from_base(api_base_url) if api_base_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        too_long = any(len(str(b.get("payload", "")).encode("utf-8")) > TELEGRAM_CALLBACK_MAX_BYTES
                       for b in buttons)
        if too_long:
            MEMORY.remember(self.name(), recipient_id, buttons)
            await self.send_message(recipient_id, numbered_text(text, buttons))
            return
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)


class AssuranceTelegramInput(TelegramInput):
    """Rasa's Telegram connector + `api_base_url` + guarded messages."""

    api_base_url: Optional[Text] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials  # the call above raised
        channel = cls(credentials.get("access_token"), credentials.get("verify"),
                      credentials.get("webhook_url"), debug_mode=False)
        channel.api_base_url = credentials.get("api_base_url") or None
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(self.name(), on_new_message))

    def get_output_channel(self) -> TelegramOutput:
        import asyncio

        from aiogram.utils.exceptions import TelegramAPIError
        from rasa.shared.exceptions import RasaException

        channel = AssuranceTelegramOutput(self.access_token, self.api_base_url)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # `rasa run` builds channels before its loop starts
            async def register() -> None:
                try:
                    await channel.set_webhook(url=self.webhook_url)
                finally:
                    # the HTTP session belongs to this short-lived loop; close it so the
                    # server's loop opens its own (Rasa's connector fails with "Event loop
                    # is closed" on the first reply otherwise)
                    await channel.close()

            try:
                asyncio.run(register())
            except TelegramAPIError as error:
                raise RasaException("Failed to set channel webhook: " + str(error)) from error
        else:  # built inside a running loop (an embedding app, tests): do it in the background
            task = loop.create_task(channel.set_webhook(url=self.webhook_url))

            def log_failure(t: asyncio.Task) -> None:
                if not t.cancelled() and t.exception():
                    logger.error("Failed to set Telegram webhook: %s", t.exception())

            task.add_done_callback(log_failure)
        return channel


# --- Slack ----------------------------------------------------------------------------

def slack_escape(text: str) -> str:
    """Slack's escaping for mrkdwn text: `&`, `<`, `>` (https://api.slack.com/reference/surfaces/formatting#escaping).

    A message's `text` is read as mrkdwn, where `<url|label>` is a link and
    `<!channel>` pings everyone; escaped, any value a bot text repeats stays inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class AssuranceSlackBot(SlackBot):
    """Slack output with a configurable API base URL and numbered-text fallback; every
    mrkdwn text is escaped (docs/SECURITY.md, guarantee 10), plain_text blocks are sent as is."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None,
                 thread_id: Optional[Text] = None, proxy: Optional[Text] = None,
                 api_base_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_base_url:
            from slack_sdk.web.async_client import AsyncWebClient

            self.client = AsyncWebClient(token, proxy=proxy, base_url=api_base_url.rstrip("/") + "/")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await super().send_text_message(recipient_id, slack_escape(text), **kwargs)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        if len(buttons) > SLACK_MAX_BUTTONS:
            MEMORY.remember(self.name(), recipient_id, buttons)
            await self._post_message(channel=recipient, as_user=True,
                                     text=slack_escape(numbered_text(text, buttons)), type="mrkdwn")
            return
        # Rasa's own, except that the mrkdwn fallback `text` is escaped (the blocks are
        # plain_text, which Slack shows as written)
        await self._post_message(
            channel=recipient, as_user=True, text=slack_escape(text),
            blocks=[{"type": "section", "text": {"type": "plain_text", "text": text}},
                    {"type": "actions", "elements": [
                        {"type": "button", "text": {"type": "plain_text", "text": b["title"]},
                         "value": b["payload"]} for b in buttons]}])


class _ApiBaseUrl:
    """`api_base_url` from the credentials: another API host (a test's fake, a proxy)."""

    api_base_url: Optional[Text] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)  # type: ignore[misc]
        channel.api_base_url = (credentials or {}).get("api_base_url") or None
        return channel


class AssuranceSlackInput(_ApiBaseUrl, SlackInput):
    """Rasa's Slack connector + `api_base_url` + guarded messages."""


    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(self.name(), on_new_message))

    def get_output_channel(self, channel: Optional[Text] = None,
                           thread_id: Optional[Text] = None) -> OutputChannel:
        return AssuranceSlackBot(self.slack_token, channel or self.slack_channel, thread_id,
                                 self.proxy, self.api_base_url)


# --- Facebook Messenger ---------------------------------------------------------------

class AssuranceMessengerBot(MessengerBot):
    """Messenger output: >3 buttons become quick replies, >13 numbered text."""

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        if len(buttons) <= MESSENGER_MAX_TEMPLATE_BUTTONS:
            await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        elif len(buttons) <= MESSENGER_MAX_QUICK_REPLIES:
            await self.send_quick_replies(recipient_id, text, buttons, **kwargs)
        else:
            MEMORY.remember(self.name(), recipient_id, buttons)
            await self.send_text_message(recipient_id, numbered_text(text, buttons))


class AssuranceMessenger(Messenger):
    """Rasa's Messenger handler using our output and API base URL."""

    def __init__(self, page_access_token: Text, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                 api_base_url: Optional[Text] = None) -> None:
        super().__init__(page_access_token, on_new_message)
        if api_base_url:
            self.client.graph_url = api_base_url.rstrip("/")

    async def _handle_user_message(self, text: Text, sender_id: Text,
                                   metadata: Optional[Dict[Text, Any]]) -> None:
        out_channel = AssuranceMessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        user_msg = UserMessage(text, out_channel, sender_id, input_channel=self.name(),
                               metadata=metadata)
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(user_msg)
        except Exception:
            logger.exception("Exception when trying to handle webhook for facebook message.")
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class AssuranceFacebookInput(_ApiBaseUrl, FacebookInput):
    """Rasa's Messenger connector + `api_base_url` + guarded messages."""


    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        handler = guarded(self.name(), on_new_message)
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            supplied = request.args.get("hub.verify_token") or ""
            if self.fb_verify and hmac.compare_digest(supplied, self.fb_verify):
                return response.text(request.args.get("hub.challenge"))
            logger.warning("Invalid fb verify token.")
            return response.text("failure, invalid token", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            signature = request.headers.get("X-Hub-Signature") or ""
            if not self.validate_hub_signature(self.fb_secret, request.body, signature):
                logger.warning("Wrong fb secret: the request is not signed by our app.")
                return response.text("not validated", status=403)
            messenger = AssuranceMessenger(self.fb_access_token, handler, self.api_base_url)
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return fb_webhook

    def get_output_channel(self) -> OutputChannel:
        from fbmessenger import MessengerClient

        client = MessengerClient(self.fb_access_token)
        if self.api_base_url:
            client.graph_url = self.api_base_url.rstrip("/")
        return AssuranceMessengerBot(client)


def sign_facebook(secret: str, body: bytes) -> str:
    """The X-Hub-Signature a Messenger webhook carries (for tests and local tries)."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
