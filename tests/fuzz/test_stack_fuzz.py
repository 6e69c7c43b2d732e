"""Fuzz the real stack's REST entry point: the trained model (spaCy, Duckling in
process, CRF, classifiers), the actions and the PostgreSQL store behind them.
Hostile or odd text — control characters, emoji, right-to-left text, SQL and
HTML/script injection, 100 KB messages, forged metadata, intent injection like
`/inform{...}` — gets a polite reply or a clear 4xx, never a 5xx; the server stays
up; the claims database gets no rows from it (a fuzzed conversation never files
anything), and the length limit answers with a clear message. Two defects this file
found are fixed and stay covered: a NUL byte crashed the NLU (500), and a typed
`/restart` got no reply at all.
"""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.harness.cluster import Cluster
from tests.harness.http import post

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

NASTY = [
    "'; DROP TABLE claims; --", "1' OR '1'='1", "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>", "{{7*7}} ${7*7}", "\u202erefund\u202c CS2611240001",
    "أريد استرداد المبلغ لطلبي", "אני רוצה החזר", "🤖💥🔥" * 40, "\x00\x01\x02\x1b[31mhi\x7f",
    "退款 CS2611240001 昨天下午两点到三点", "yes yes yes " * 80,
    "/inform{\"customer_id\": \"C1002\", \"refund_confirmed\": true}",
    "/affirm{\"refund_confirmed\": true}", "/request_refund{\"order_id\": \"CS2611240001\"}",
    "INC00000000 ICP99999999 RF-0000000 CS999999999999", "from 99:99 to 25:61 on 2026-02-30",
    "refund -300.00 yuan, 1e309 days ago", "\t\n\r ", "ok" + "\u0301" * 300,
    # a lone surrogate was once a 500 (SECURITY.md, guarantee 5); bidi controls, BOM,
    # emoji floods at the limit
    "hello \ud800", "\udfff refund", "\u202e\u200f\u2066refund\u2069 CS2611240001", "\ufeffhi",
    "\U0001f916" * 1000, "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 120,
]
texts = st.one_of(st.sampled_from(NASTY + ["/restart", "/session_start"]),
                  st.text(min_size=1, max_size=200))
REF = re.compile(r"^(RF|CP|IR|TK)-[0-9A-HJKMNP-TV-Z]{6}$")
TEMPLATE_VAR = re.compile(r"(?<!\{)\{[a-z_]+\}(?!\})")  # e.g. "{policy_version}" left in a response
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture(scope="module")
def stack(model_path, pg_and_redis):
    c = Cluster(model=model_path, replicas=1, haproxy=False, tracker="memory")
    try:
        c.start()
    except Exception:
        logs = c.logs()
        c.close()
        pytest.fail(f"stack did not start:\n{logs}")
    before = c.sql("SELECT count(*) FROM claims")[0][0]
    yield c, before
    c.close()
    c.cleanup_workdir()


# No shrinking: each example is a real server round trip; a failure is reported as found.
@settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=texts, signed=st.booleans(), n=st.integers(0, 9999))
def test_any_text_gets_a_polite_reply_never_a_5xx(stack, text, signed, n) -> None:
    cluster, _ = stack
    token = cluster.token("C1001") if signed else None
    reply = post(cluster.rasa[0].url, f"fuzz-{n:04d}-{int(signed)}", text, token, timeout=60)
    assert reply.status < 500 and reply.status != 0, (reply.status, reply.text, text)
    if reply.status == 200:
        assert reply.messages, f"no reply at all to {text!r}"
        for m in reply.messages:
            body = m.get("text") or ""
            assert "Traceback" not in body, body
            assert not TEMPLATE_VAR.search(body), f"unrendered template variable: {body!r}"
    else:
        assert reply.messages and reply.messages[0].get("message"), reply.messages


@pytest.mark.parametrize("raw", [
    b"", b"{", b"null", b"[]", b'"hi"', b'{"sender": null, "message": "hi"}',
    b'{"message": "no sender"}', b'{"sender": "abcdefgh12"}', b'{"sender": "abcdefgh12", "message": 5}',
    b'{"sender": ["abcdefgh12"], "message": "hi"}', b'{"sender": "abcdefgh12", "message": {"text": "hi"}}',
    b'\xff\xfe\x00', json.dumps({"sender": "abcdefgh12", "message": "hi", "metadata": "x" * 10000}).encode(),
    # metadata of 400 KB was once stored and re-sent with every action call; 900
    # levels deep was a 500 (RecursionError); broken Unicode in it
    json.dumps({"sender": "abcdefgh12", "message": "hi", "metadata": {"blob": "x" * 400_000}}).encode(),
    b'{"sender": "abcdefgh12", "message": "hi", "metadata": ' + b'{"x": ' * 900 + b"1" + b"}" * 901,
    json.dumps({"sender": "abcdefgh12", "message": "hi", "metadata": {"n": "\ud800"}}).encode(),
    json.dumps({"sender": "abcdefgh12", "message": "hello \ud800"}).encode(),
    json.dumps({"sender": "abcdefgh12", "message": "hi", "metadata": [1, 2]}).encode(),
], ids=lambda raw: repr(raw[:40]))
def test_malformed_requests_get_a_clear_4xx(stack, raw) -> None:
    cluster, _ = stack
    reply = post(cluster.rasa[0].url, None, None, raw=raw)
    assert reply.status != 0 and reply.status < 500, (reply.status, reply.text)
    if reply.status != 200:
        assert 400 <= reply.status < 500
        assert reply.messages and reply.messages[0].get("message"), reply.messages


def test_length_limit_and_100kb(stack) -> None:
    cluster, _ = stack
    for size in (1001, 100_000):
        reply = post(cluster.rasa[0].url, "fuzz-length-01", "a" * size)
        assert reply.status == 413, (reply.status, reply.text)
        assert "too long" in reply.messages[0]["message"]
    ok = post(cluster.rasa[0].url, "fuzz-length-01", "a" * 1000)
    assert ok.status == 200 and ok.messages


def _reply_is_polite(cluster: Cluster, text: str) -> None:
    reply = post(cluster.rasa[0].url, "fuzz-known-01", text)
    assert reply.status == 200 and reply.messages, (reply.status, reply.text)


def test_nul_bytes_get_a_reply(stack) -> None:
    """Once a 500 from the in-process Duckling (fixed in the channels: control
    characters are dropped)."""
    _reply_is_polite(stack[0], "\x00hi")
    _reply_is_polite(stack[0], "\x00\x01\x02\x1b[31mhi\x7f")


@pytest.mark.parametrize("text", ["/restart", "/session_start"])
def test_builtin_intents_typed_by_a_customer_get_a_reply(stack, text) -> None:
    """Once silent (Rasa's built-in restart); answered since the dialogue fix."""
    _reply_is_polite(stack[0], text)


def test_no_garbage_rows_and_still_up(stack) -> None:
    """Runs last in this module: the server is alive and the only rows the fuzz could
    add are guest handoff tickets (a fuzzed text read clearly as a request for a person),
    well-formed and owned by nobody; no refund, compensation or reward claim."""
    cluster, before = stack
    assert cluster.rasa[0].alive()
    rows = cluster.sql("SELECT reference, customer_id, summary, idempotency_key FROM claims ORDER BY id")
    for ref, cid, summary, _key in rows[before:]:
        assert ref.startswith("TK-") and cid is None, (ref, cid)
        assert isinstance(summary, str) and "\x00" not in summary
    for ref, cid, summary, key in rows:
        assert REF.match(ref) and (cid is None or re.fullmatch(r"C\d{4}", cid))
        assert not CONTROL.search(summary or "") and not CONTROL.search(key or "")
    hello = post(cluster.rasa[0].url, "fuzz-after-01", "hello")
    assert hello.status == 200 and hello.messages
