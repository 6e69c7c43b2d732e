"""Security regression tests for the web channels (docs/SECURITY.md, guarantees 4, 5,
7 and 9).

The same in-process Sanic server as test_web_channels.py (its fixtures are reused
here): both channel blueprints, and a recorder instead of Rasa's agent, so each test
sees exactly what Rasa would have received.
"""
from __future__ import annotations

import asyncio
import json

import pytest

from bot.channels import common
from bot.channels.rest import AuthRestInput
from bot.channels.socketio import AuthSocketIOInput
from tests.channels import test_web_channels
from tests.channels.test_web_channels import Widget, post

# The fixtures of test_web_channels (the autouse environment, the running server), bound by
# assignment so the tests that take `server` as an argument do not read as redefinitions.
_env = test_web_channels._env
server = test_web_channels.server

LONE_SURROGATES = ["hello \ud800", "\udfff", "a\udc00b", "\ud83d"]  # half an emoji


def client_sent(metadata: dict) -> dict:
    """The metadata as the client sent it: without the address key the channel adds
    (this test server's client is 127.0.0.1)."""
    assert metadata.get(common.CLIENT_ADDRESS_KEY) == common.address_key("127.0.0.1"), metadata
    return {k: v for k, v in metadata.items() if k != common.CLIENT_ADDRESS_KEY}


def nested(depth: int) -> dict:
    """`depth` levels of objects: nested(1) == {"x": 1}."""
    value: object = 1
    for _ in range(depth):
        value = {"x": value}
    return value  # type: ignore[return-value]


# --- finding 4: metadata size and depth -------------------------------------------

async def test_rest_metadata_over_the_size_limit_is_a_413(server):
    base, received = server
    status, body = await post(base, {"sender": "sess-meta-01", "message": "hi",
                                     "metadata": {"blob": "x" * 400_000}})
    assert status == 413 and body["error"] == "metadata_too_large"
    assert str(common.DEFAULT_MAX_METADATA_BYTES) in body["message"]
    status, body = await post(base, {"sender": "sess-meta-01", "message": "hi",
                                     "metadata": {"blob": "x" * (common.DEFAULT_MAX_METADATA_BYTES + 1)}})
    assert status == 413
    # many small keys count too (the whole object is measured, not one value)
    status, body = await post(base, {"sender": "sess-meta-01", "message": "hi",
                                     "metadata": {f"k{i}": i for i in range(5000)}})
    assert status == 413
    assert received == []
    status, _ = await post(base, {"sender": "sess-meta-01", "message": "hi",
                                  "metadata": {"lang": "en", "page": "/faq.html"}})
    assert status == 200 and client_sent(received[-1].metadata) == {"lang": "en", "page": "/faq.html"}


@pytest.mark.parametrize("depth", [common.DEFAULT_MAX_METADATA_DEPTH + 1, 100, 900, 5000])
async def test_rest_metadata_nested_too_deep_is_a_400(server, depth):
    """900 deep was a 500 (RecursionError) before."""
    base, received = server
    # written by hand: json.dumps itself recurses too deep at a few thousand levels
    raw = ('{"sender": "sess-deep-01", "message": "hi", "metadata": '
           + '{"x": ' * depth + "1" + "}" * depth + "}").encode()
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/webhooks/rest/webhook", data=raw,
                             headers={"Content-Type": "application/json"}) as resp:
            status, body = resp.status, await resp.json()
    assert status in (400, 413), (status, body)  # 5000 levels are also over 8 KB
    assert body["error"] in ("metadata_too_deep", "metadata_too_large", "bad_request") and body["message"]
    assert received == []


async def test_rest_metadata_at_the_depth_limit_is_accepted(server):
    base, received = server
    status, _ = await post(base, {"sender": "sess-deep-02", "message": "hi",
                                  "metadata": nested(common.DEFAULT_MAX_METADATA_DEPTH)})
    assert status == 200 and client_sent(received[-1].metadata) == nested(common.DEFAULT_MAX_METADATA_DEPTH)
    status, body = await post(base, {"sender": "sess-deep-02", "message": "hi",
                                     "metadata": {"list": [[[[[[[[1]]]]]]]]}})  # lists count too
    assert status == 400 and body["error"] == "metadata_too_deep"
    assert str(common.DEFAULT_MAX_METADATA_DEPTH) in body["message"]


@pytest.mark.parametrize("metadata", ["x" * 10_000, "{}", [1, 2], 5, True, [{"a": 1}]],
                         ids=["long-string", "json-string", "list", "number", "bool", "list-of-objects"])
async def test_rest_metadata_that_is_not_an_object_is_a_400(server, metadata):
    base, received = server
    status, body = await post(base, {"sender": "sess-meta-02", "message": "hi", "metadata": metadata})
    assert status == 400 and body["error"] == "bad_metadata" and "object" in body["message"]
    assert received == []


async def test_rest_absent_or_null_metadata_is_fine(server):
    base, received = server
    for extra in ({}, {"metadata": None}, {"metadata": {}}):
        status, _ = await post(base, {"sender": "sess-meta-03", "message": "hi", **extra})
        assert status == 200 and client_sent(received[-1].metadata) == {}


def test_metadata_limits_come_from_the_credentials():
    for cls in (AuthRestInput, AuthSocketIOInput):
        default = cls.from_credentials({})
        assert default.max_metadata_bytes == common.DEFAULT_MAX_METADATA_BYTES == 8 * 1024
        assert default.max_metadata_depth == common.DEFAULT_MAX_METADATA_DEPTH == 8
        tuned = cls.from_credentials({"max_metadata_bytes": 2048, "max_metadata_depth": 4})
        assert (tuned.max_metadata_bytes, tuned.max_metadata_depth) == (2048, 4)


def test_depth_check_is_iterative_and_bounded():
    """A million levels (which json.loads cannot even build) or a huge flat list is
    refused quickly, without RecursionError: the walk stops at the first limit."""
    deep: object = 1
    for _ in range(1_000_000):
        deep = [deep]
    with pytest.raises(common.MetadataRefused) as err:
        common.checked_metadata({"a": deep}, 8192, 8)
    assert err.value.code == "metadata_too_deep" and err.value.status == 400
    with pytest.raises(common.MetadataRefused) as err:
        common.checked_metadata({"a": list(range(2_000_000))}, 8192, 8)
    assert err.value.code == "metadata_too_large" and err.value.status == 413
    assert common.checked_metadata(None, 8192, 8) == {}
    assert common.checked_metadata({"a": [1, {"b": "ü"}]}, 8192, 8) == {"a": [1, {"b": "ü"}]}


async def test_socketio_metadata_limits_get_a_reply_and_bot_done(server):
    base, received = server
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {})
    await w.next("session_confirm")
    # (the socket.io client itself cannot encode objects much deeper than 200 levels;
    # deeper ones are sent as a JSON string, which the channel also accepts)
    for metadata, words in (({"blob": "x" * 400_000}, "too large"), (nested(200), "nested"),
                            ('{"x": ' * 900 + "1" + "}" * 900, "nested"),
                            ("[" * 100_000 + "]" * 100_000, "object"),  # too deep to parse
                            ("not json", "object"), ([1, 2], "object"), ('{"a": [1]}', None)):
        await w.client.emit("user_uttered", {"message": "hi", "metadata": metadata})
        reply = await w.next("bot_uttered")
        await w.next("bot_done")
        if words:
            assert words in reply["text"], reply
        else:
            assert reply["text"] == "echo hi"  # a JSON string holding an object still works
    assert len(received) == 1 and client_sent(received[0].metadata) == {"a": [1]}
    await w.close()


# --- finding 5: lone surrogates ---------------------------------------------------

@pytest.mark.parametrize("text", LONE_SURROGATES)
async def test_rest_lone_surrogate_in_the_message_is_a_400(server, text):
    base, received = server
    status, body = await post(base, {"sender": "sess-utf-01", "message": text})
    assert status == 400 and body["error"] == "invalid_text" and body["message"]
    assert received == []


async def test_rest_a_real_emoji_still_works(server):
    base, received = server
    status, replies = await post(base, {"sender": "sess-utf-02", "message": "hi \U0001f600 \u05e9\u05dc\u05d5\u05dd"})
    assert status == 200 and received[-1].text == "hi \U0001f600 \u05e9\u05dc\u05d5\u05dd"


@pytest.mark.parametrize("metadata", [{"name": "\ud800"}, {"\udfff": 1}, {"a": ["ok", {"b": "x\ud83d"}]},
                                      {"n": float("inf")}])
async def test_rest_invalid_text_in_metadata_is_a_400(server, metadata):
    base, received = server
    raw = json.dumps({"sender": "sess-utf-03", "message": "hi", "metadata": metadata}).encode()
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/webhooks/rest/webhook", data=raw,
                             headers={"Content-Type": "application/json"}) as resp:
            status, body = resp.status, await resp.json()
    assert status == 400 and body["error"] == "bad_metadata", body
    assert received == []


async def test_socketio_lone_surrogate_gets_a_reply_and_bot_done(server):
    base, received = server
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {})
    await w.next("session_confirm")
    for text in LONE_SURROGATES:
        await w.client.emit("user_uttered", {"message": text})
        assert "characters" in (await w.next("bot_uttered"))["text"]
        await w.next("bot_done")
    await w.client.emit("user_uttered", {"message": "hi", "metadata": {"x": "\ud800"}})
    assert "metadata" in (await w.next("bot_uttered"))["text"]
    await w.next("bot_done")
    assert received == []
    await w.close()


# --- finding 9 (part): every socket.io message ends with bot_done -----------------

@pytest.mark.parametrize("payload", [42, "just a string", [1, 2], None, True])
async def test_socketio_non_dict_message_gets_a_reply_and_bot_done(server, payload):
    base, received = server
    w = Widget()
    await w.connect(base)
    if payload is None:
        await w.client.emit("user_uttered")
    else:
        await w.client.emit("user_uttered", payload)
    assert (await w.next("bot_uttered"))["text"] == common.not_text_reply()
    await w.next("bot_done", timeout=2)
    await w.client.emit("user_uttered", {"message": {"not": "text"}})
    assert (await w.next("bot_uttered"))["text"] == common.not_text_reply()
    await w.next("bot_done", timeout=2)
    assert received == []
    await w.close()


# --- finding 9: guest session ids are minted by the server ------------------------

async def test_two_guests_sending_the_same_session_id_never_share_a_conversation(server):
    base, received = server
    alice, mallory = Widget(), Widget()
    await alice.connect(base)
    await mallory.connect(base)
    for w in (alice, mallory):
        await w.client.emit("session_request", {"session_id": "my-session-1"})
    alice_id, mallory_id = await alice.next("session_confirm"), await mallory.next("session_confirm")
    assert alice_id != mallory_id and "my-session-1" not in (alice_id, mallory_id)
    assert common.signed_session_id(alice_id) and common.signed_session_id(mallory_id)
    await alice.client.emit("user_uttered", {"message": "my order CS2611240001", "session_id": "my-session-1"})
    assert (await alice.next("bot_uttered"))["text"] == "echo my order CS2611240001"
    await alice.next("bot_done")
    assert received[-1].sender_id == f"guest:{alice_id}"
    # mallory names the id in the message itself too: still only its own conversation
    await mallory.client.emit("user_uttered", {"message": "hi", "session_id": "my-session-1"})
    assert (await mallory.next("bot_uttered"))["text"] == "echo hi"
    assert received[-1].sender_id == f"guest:{mallory_id}"
    with pytest.raises(asyncio.TimeoutError):
        await mallory.next("bot_uttered", timeout=0.5)  # never alice's reply
    # a made-up id shaped like a minted one is not accepted either
    forged = alice_id[:-4] + ("0000" if not alice_id.endswith("0000") else "1111")
    await mallory.client.emit("session_request", {"session_id": forged})
    assert await mallory.next("session_confirm") == mallory_id
    for w in (alice, mallory):
        await w.close()


async def test_a_reloaded_widget_keeps_its_conversation(server):
    """The widget stores the confirmed id (sessionStorage) and sends it after a reload."""
    base, received = server
    first = Widget()
    await first.connect(base)
    await first.client.emit("session_request", {"session_id": "chosen-by-page-1"})
    minted = await first.next("session_confirm")
    await first.client.emit("user_uttered", {"message": "one", "session_id": minted})
    await first.next("bot_done")
    await first.close()
    reloaded = Widget()
    await reloaded.connect(base)
    await reloaded.client.emit("session_request", {"session_id": minted})
    assert await reloaded.next("session_confirm") == minted
    await reloaded.client.emit("user_uttered", {"message": "two", "session_id": minted})
    await reloaded.next("bot_done")
    assert [m.sender_id for m in received] == [f"guest:{minted}"] * 2
    await reloaded.close()


def test_session_ids_are_signed_with_a_key_derived_from_the_token_secret(monkeypatch):
    from bot import identity

    minted = common.mint_session_id()
    assert common.valid_session_id(minted) and common.signed_session_id(minted)
    assert not common.signed_session_id("my-session-1")
    assert not common.signed_session_id(minted.upper())
    assert len({common.mint_session_id() for _ in range(100)}) == 100
    monkeypatch.setenv(identity.SECRET_ENV, "another-secret-" + "k" * 40)
    assert not common.signed_session_id(minted)  # another deployment's key
    monkeypatch.delenv(identity.SECRET_ENV)  # no secret at all: a per-process key
    local = common.mint_session_id()
    assert common.signed_session_id(local) and not common.signed_session_id(minted)


# --- finding 7 (channel side): the client address, keyed, set by the server only ---

async def test_rest_passes_a_keyed_client_address_that_clients_cannot_forge(server):
    base, received = server
    status, _ = await post(base, {"sender": "sess-addr-01", "message": "hi", "metadata": {
        "client_address": "f" * 32, " Client_Address ": "0" * 32, "lang": "en"}},
        {"X-Forwarded-For": "203.0.113.9"})  # no proxy configured: not believed
    assert status == 200
    assert received[-1].metadata == {"lang": "en",
                                     common.CLIENT_ADDRESS_KEY: common.address_key("127.0.0.1")}
    assert "127.0.0.1" not in json.dumps(received[-1].metadata)  # keyed, not the address


async def test_rest_believes_the_proxy_header_only_when_configured(server, monkeypatch):
    base, received = server
    monkeypatch.setattr(AuthRestInput, "trusted_proxy_header", "X-Forwarded-For")
    for forwarded in ("203.0.113.9", "198.51.100.1, 203.0.113.9"):  # the proxy appends last
        status, _ = await post(base, {"sender": "sess-addr-02", "message": "hi"},
                               {"X-Forwarded-For": forwarded})
        assert status == 200
        assert received[-1].metadata[common.CLIENT_ADDRESS_KEY] == common.address_key("203.0.113.9")
    status, _ = await post(base, {"sender": "sess-addr-02", "message": "hi"})  # not via the proxy
    assert received[-1].metadata[common.CLIENT_ADDRESS_KEY] == common.address_key("127.0.0.1")


async def test_socketio_passes_a_keyed_client_address_that_clients_cannot_forge(server):
    base, received = server
    w = Widget()
    await w.connect(base)
    await w.client.emit("session_request", {})
    await w.next("session_confirm")
    await w.client.emit("user_uttered", {"message": "hi", "metadata": {"CLIENT_ADDRESS": "f" * 32}})
    await w.next("bot_done")
    assert received[-1].metadata == {common.CLIENT_ADDRESS_KEY: common.address_key("127.0.0.1")}
    await w.close()


def test_client_ip_parsing():
    ip = common.client_ip
    assert ip("192.0.2.7") == "192.0.2.7"
    assert ip("192.0.2.7", {"X-Forwarded-For": "203.0.113.9"}) == "192.0.2.7"  # not trusted
    assert ip("10.0.0.2", {"X-Forwarded-For": "6.6.6.6, 203.0.113.9"}, "X-Forwarded-For") == "203.0.113.9"
    assert ip("10.0.0.2", {"X-Real-IP": "203.0.113.9"}, "X-Real-IP") == "203.0.113.9"
    assert ip("10.0.0.2", {"Forwarded": 'for=6.6.6.6, for="[2001:db8::1]:4711";proto=https'},
              "Forwarded") == "2001:db8::/64"
    assert ip("10.0.0.2", {"X-Forwarded-For": "garbage"}, "X-Forwarded-For") == "10.0.0.2"
    assert ip("2001:db8::1") == ip("2001:db8::ffff") == "2001:db8::/64"  # one /64, one client
    assert ip("::ffff:192.0.2.7") == "192.0.2.7"
    assert ip(None) is None and ip("not an ip") is None
    assert common.address_key(None) is None
    assert common.ADDRESS_KEY.fullmatch(common.address_key("192.0.2.7"))
    assert common.address_key("192.0.2.7") != common.address_key("192.0.2.8")
