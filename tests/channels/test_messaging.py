"""Telegram, Slack and Messenger connectors: API base URL, numbered-button fallback,
no identity from messaging apps. The Rasa agent is replaced by a recorder that replies
through the message's output channel; the APIs are local fakes (tests/channels/fakes.py).
The same flows against the real `rasa run` are in tests/web/test_fullstack.py."""
from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
import uuid

import pytest
from sanic import Sanic

from bot.channels import messaging
from bot.channels.credentials import MESSAGING, build
from tests.channels.fakes import (FakeApis, free_port, slack_event, slack_headers,
                                  telegram_callback, telegram_update)

SLACK_SECRET = "slack-signing-secret-for-tests"
TELEGRAM_TOKEN = "123456:TEST-token_abcdefghijklmnopqrstuv"
MANY = [{"title": f"Option {c}", "payload": f"/choose_{c}"} for c in "abcdef"]  # > Slack's 5
LONG = [{"title": "Yes", "payload": '/inform{"claim_ref": "RF-7KQ2M9", "note": "' + "x" * 60 + '"}'},
        {"title": "No", "payload": "/deny"}]


class Stack:
    """Channels on a Sanic server in its own thread (Telegram sets its webhook at build)."""

    def __init__(self, apis: FakeApis):
        self.received = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.apis = apis
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def on_new_message(self, message):
        self.received.append(message)
        if message.text == "/start" or message.text == "many":
            await message.output_channel.send_text_with_buttons(message.sender_id, "Pick one", MANY)
        elif message.text == "long":
            await message.output_channel.send_text_with_buttons(message.sender_id, "Confirm?", LONG)
        else:
            await message.output_channel.send_text_with_buttons(
                message.sender_id, f"echo {message.text}", [{"title": "Yes", "payload": "/affirm"}])

    def _run(self):
        asyncio.set_event_loop(self.loop)

        async def start():
            Sanic.test_mode = True
            app = Sanic(f"messaging_{uuid.uuid4().hex[:8]}")
            telegram = messaging.AssuranceTelegramInput.from_credentials({
                "access_token": TELEGRAM_TOKEN, "verify": self.apis.telegram_username,
                "webhook_url": "https://example.invalid/webhooks/telegram/webhook",
                "api_base_url": self.apis.url})
            slack = messaging.AssuranceSlackInput.from_credentials({
                "slack_token": "xoxb-test", "slack_signing_secret": SLACK_SECRET,
                "api_base_url": self.apis.url + "/api/"})
            for channel in (telegram, slack):
                app.blueprint(channel.blueprint(self.on_new_message),
                              url_prefix=f"/webhooks/{channel.name()}")
            self.server = await app.create_server(host="127.0.0.1", port=self.port,
                                                  return_asyncio_server=True, access_log=False)
            await self.server.startup()

        self.loop.run_until_complete(start())
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(20)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def post(url, body: bytes, headers=None):
    req = urllib.request.Request(url, data=body, headers=headers or {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as resp:
        return resp.status, resp.read().decode()


@pytest.fixture(scope="module")
def stack():
    with FakeApis() as apis, Stack(apis) as running:
        yield running


def texts(apis, chat_id):
    return [c["body"] for c in apis.sent("telegram", "sendMessage")
            if str(c["body"].get("chat_id")) == str(chat_id)]


def test_telegram_webhook_sets_webhook_and_replies_via_the_api(stack):
    apis = stack.apis
    apis.wait_for(lambda: apis.sent("telegram", "setWebhook"))
    status, _ = post(f"{stack.url}/webhooks/telegram/webhook",
                     json.dumps(telegram_update(5550001, "hello")).encode())
    assert status == 200
    reply = apis.wait_for(lambda: texts(apis, 5550001))[-1]
    assert reply["text"] == "echo hello"
    keyboard = json.loads(reply["reply_markup"])["inline_keyboard"]
    assert keyboard[0][0] == {"text": "Yes", "callback_data": "/affirm"}
    assert stack.received[-1].sender_id == "5550001"
    assert "auth" not in (stack.received[-1].metadata or {})


def test_telegram_button_press_arrives_as_payload(stack):
    post(f"{stack.url}/webhooks/telegram/webhook",
         json.dumps(telegram_callback(5550002, "/affirm")).encode())
    stack.apis.wait_for(lambda: texts(stack.apis, 5550002))
    assert stack.received[-1].text == "/affirm"


def test_telegram_payload_too_long_for_callback_degrades_to_numbers(stack):
    chat = 5550003
    post(f"{stack.url}/webhooks/telegram/webhook", json.dumps(telegram_update(chat, "long")).encode())
    reply = stack.apis.wait_for(lambda: texts(stack.apis, chat))[-1]
    assert "reply_markup" not in reply
    assert "1. Yes" in reply["text"] and "2. No" in reply["text"]
    post(f"{stack.url}/webhooks/telegram/webhook",
         json.dumps(telegram_update(chat, "1", update_id=1001)).encode())
    stack.apis.wait_for(lambda: len(texts(stack.apis, chat)) >= 2)
    assert stack.received[-1].text == LONG[0]["payload"]


def test_slack_event_replies_through_chat_post_message(stack):
    apis = stack.apis
    body = json.dumps(slack_event("U0SLACK1", "D0SLACK1", "hello")).encode()
    status, _ = post(f"{stack.url}/webhooks/slack/webhook", body, slack_headers(SLACK_SECRET, body))
    assert status == 200
    call = apis.wait_for(lambda: [c for c in apis.sent("slack", "chat.postMessage")
                                  if c["body"].get("channel") == "D0SLACK1"])[-1]
    assert call["auth"] == "Bearer xoxb-test"
    assert call["body"]["text"] == "echo hello"
    assert call["body"]["blocks"][1]["elements"][0]["value"] == "/affirm"


def test_slack_more_than_five_buttons_become_numbered_text(stack):
    apis = stack.apis
    body = json.dumps(slack_event("U0SLACK2", "D0SLACK2", "many")).encode()
    post(f"{stack.url}/webhooks/slack/webhook", body, slack_headers(SLACK_SECRET, body))
    call = apis.wait_for(lambda: [c for c in apis.sent("slack", "chat.postMessage")
                                  if c["body"].get("channel") == "D0SLACK2"])[-1]
    assert "blocks" not in call["body"]
    assert "6. Option f" in call["body"]["text"]
    body = json.dumps(slack_event("U0SLACK2", "D0SLACK2", "6")).encode()
    post(f"{stack.url}/webhooks/slack/webhook", body, slack_headers(SLACK_SECRET, body))
    apis.wait_for(lambda: [m for m in stack.received if m.text == "/choose_f"])


def test_slack_unsigned_request_is_refused(stack):
    body = json.dumps(slack_event("U0SLACK3", "D0SLACK3", "hello")).encode()
    headers = slack_headers("wrong-secret", body)
    with pytest.raises(urllib.error.HTTPError) as err:
        post(f"{stack.url}/webhooks/slack/webhook", body, headers)
    assert err.value.code == 400
    assert not [m for m in stack.received if m.sender_id == "U0SLACK3"]


async def test_messenger_degrades_buttons(monkeypatch):
    sent = []

    class Client:
        graph_url = "unused"

        def send(self, payload, recipient_id, messaging_type="RESPONSE"):
            sent.append(payload)

    bot = messaging.AssuranceMessengerBot(Client())
    await bot.send_text_with_buttons("P1", "Two", MANY[:2])
    assert sent[-1]["attachment"]["payload"]["template_type"] == "button"
    await bot.send_text_with_buttons("P1", "Six", MANY)
    assert [q["payload"] for q in sent[-1]["quick_replies"]] == [b["payload"] for b in MANY]
    fourteen = [{"title": f"T{i}", "payload": f"/p{i}"} for i in range(14)]
    await bot.send_text_with_buttons("P1", "Many", fourteen)
    assert "14. T13" in sent[-1]["text"]
    assert messaging.MEMORY.resolve("facebook", "P1", "14") == "/p13"


def test_numbered_reply_only_matches_the_last_offer():
    memory = messaging.ButtonMemory(size=2)
    memory.remember("slack", "U1", MANY)
    assert memory.resolve("slack", "U1", "9") == "9"       # out of range: plain text
    assert memory.resolve("slack", "U2", "1") == "1"       # someone else
    assert memory.resolve("slack", "U1", "2.") == "/choose_b"
    assert memory.resolve("slack", "U1", "2") == "2"       # used up
    for user in ("A", "B", "C"):
        memory.remember("slack", user, MANY)
    assert memory.resolve("slack", "A", "1") == "1"        # evicted (bounded memory)


def test_credentials_generator_only_adds_configured_channels(tmp_path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "TELEGRAM_ACCESS_TOKEN": "1:x"}
    credentials, skipped = build(env)
    assert "bot.channels.socketio.AuthSocketIOInput" in credentials
    assert credentials["bot.channels.messaging.AssuranceSlackInput"] == {
        "slack_token": "${SLACK_BOT_TOKEN}", "slack_signing_secret": "${SLACK_SIGNING_SECRET}"}
    assert "bot.channels.messaging.AssuranceTelegramInput" in skipped
    assert "TELEGRAM_WEBHOOK_URL" in skipped["bot.channels.messaging.AssuranceTelegramInput"]
    # the full example file names exactly the variables the generator knows
    import yaml
    full = yaml.safe_load(open("credentials.messaging.yml"))
    for channel, (required, _optional) in MESSAGING.items():
        assert full[channel] == {k: f"${{{v}}}" for k, v in required.items()}


# --- echoed values are neutralised per channel (docs/SECURITY.md, guarantee 10) ----

MARKUP = "<https://evil.example|CS2611240001> <!channel> <b>x</b> & *y* [z](https://evil.example)"


def test_slack_text_is_escaped_so_nothing_becomes_a_link_or_a_mention(stack):
    """Slack reads a message's `text` as mrkdwn: `<url|label>` is a link, `<!channel>`
    pings everyone. Its escaping rule (&, <, >) makes any bot text inert."""
    apis = stack.apis
    body = json.dumps(slack_event("U0SLACK4", "D0SLACK4", MARKUP)).encode()
    post(f"{stack.url}/webhooks/slack/webhook", body, slack_headers(SLACK_SECRET, body))
    call = apis.wait_for(lambda: [c for c in apis.sent("slack", "chat.postMessage")
                                  if c["body"].get("channel") == "D0SLACK4"])[-1]["body"]
    assert "<" not in call["text"] and ">" not in call["text"], call["text"]
    assert "&lt;!channel&gt;" in call["text"] and " &amp; " in call["text"]
    # (Rasa's Slack input already turns a user's <url|label> into the label)
    echoed = f"echo {stack.received[-1].text}"
    assert call["blocks"][0]["text"] == {"type": "plain_text", "text": echoed}  # shown as typed
    assert call["blocks"][1]["elements"][0]["value"] == "/affirm"


async def test_slack_plain_and_numbered_texts_are_escaped_too():
    sent = []

    class Client:
        async def chat_postMessage(self, **kwargs):
            sent.append(kwargs)

    bot = messaging.AssuranceSlackBot("xoxb-test")
    bot.client = Client()
    await bot.send_text_message("D1", "I can't find <b>x</b> & <!here>")
    assert sent[-1]["text"] == "I can't find &lt;b&gt;x&lt;/b&gt; &amp; &lt;!here&gt;"
    await bot.send_text_with_buttons("D1", "Pick <!here>", [{"title": f"<{i}>", "payload": f"/p{i}"}
                                                            for i in range(6)])
    assert "<" not in sent[-1]["text"] and "&lt;!here&gt;" in sent[-1]["text"]


def test_telegram_sends_plain_text_never_a_parse_mode(stack):
    """Telegram renders HTML or Markdown only when asked (parse_mode): never asked."""
    chat = 5550004
    post(f"{stack.url}/webhooks/telegram/webhook", json.dumps(telegram_update(chat, MARKUP)).encode())
    reply = stack.apis.wait_for(lambda: texts(stack.apis, chat))[-1]
    assert "parse_mode" not in reply and reply["text"] == f"echo {MARKUP}"
