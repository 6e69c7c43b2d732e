"""Scale-out for real (docs/SCALEOUT.md): two Rasa server processes on their own
ports over a fresh PostgreSQL database (Rasa's SQL tracker store) and Redis (Rasa's
lock store, a unique key prefix), one action server, claims in a fresh store
database, HAProxy in front (deploy/haproxy/haproxy.cfg as deployed).

1. Many refund conversations at once, each turn sent to the *other* replica than
   the one before (directly, bypassing HAProxy): the form and its slots survive
   every hop, every claim is filed exactly once, no reply is lost.
2. (last) Through HAProxy, many conversations at once; one replica is SIGKILLed
   mid-run; its conversations carry on at the other replica (requests in flight
   are replayed there), every one completes and files its claim exactly once.
3. Messages of one customer sent at the same moment are serialised by the lock
   store (bot.scaleout.locks.AtomicRedisLockStore), through HAProxy and even
   sent straight to both replicas: in the shared tracker every user message is
   fully handled (up to action_listen) before the next one starts.
The kill test runs last (it leaves one replica).
"""
from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.harness import haproxy
from tests.harness.cluster import Cluster
from tests.harness.http import Reply, post

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

REF = re.compile(r"\bRF-[0-9A-HJKMNP-TV-Z]{6}\b")


@pytest.fixture(scope="module")
def cluster(model_path, pg_and_redis, haproxy_binary):
    c = Cluster(model=model_path, replicas=2, haproxy=True, lock_lifetime_s=5)
    try:
        c.start()
    except Exception:
        logs = c.logs()
        c.close()
        pytest.fail(f"cluster did not start:\n{logs}")
    yield c
    c.close()
    c.cleanup_workdir()


def refund_turns(order_id: str) -> list[tuple[str, callable]]:
    """The refund dialog (R1-R9) for a known customer, with what each reply must show."""
    return [
        ("I want a refund", lambda r: "order" in r.text.lower()),
        (order_id, lambda r: order_id in r.text and "?" in r.text),  # decision + R8 + confirm
        ("yes", lambda r: REF.search(r.text) is not None),
        ("where is my refund?", lambda r: REF.search(r.text) is not None),
    ]


def claims_of(cluster: Cluster, cid: str) -> list[tuple]:
    return cluster.sql("SELECT reference, status FROM claims WHERE customer_id = :c AND kind = 'refund'",
                       c=cid)


def test_turns_alternate_between_replicas_forms_and_claims_survive(cluster: Cluster) -> None:
    pairs = cluster.add_customers(8, first=2001)
    urls = [r.url for r in cluster.rasa]
    failures: list[str] = []
    filed: dict[str, str] = {}

    def converse(i: int, cid: str, order_id: str) -> None:
        token, session = cluster.token(cid), f"hop-session-{i:03d}"
        for n, (text, ok) in enumerate(refund_turns(order_id)):
            url = urls[(i + n) % 2]  # every turn goes to the other replica
            reply = post(url, session, text, token)
            if reply.status != 200 or not reply.messages or not ok(reply):
                failures.append(f"{cid} turn {n} {text!r} at {url}: {reply.status} {reply.text!r}")
                return
            if n == 2:
                filed[cid] = REF.search(reply.text).group(0)

    with ThreadPoolExecutor(len(pairs)) as pool:
        list(pool.map(lambda a: converse(a[0], *a[1]), enumerate(pairs)))
    assert not failures, "\n".join(failures)
    for cid, _ in pairs:
        rows = claims_of(cluster, cid)
        assert [r[0] for r in rows] == [filed[cid]], (cid, rows)  # exactly once, the one told
    # The form really lived in the shared tracker: refund_form was active across hops.
    events = cluster.events(f"acct:{pairs[0][0]}:hop-session-000")
    loops = [e.get("name") for e in events if e["event"] == "active_loop"]
    assert "refund_form" in loops and loops[-1] is None


@pytest.mark.parametrize("route", ["haproxy", "both_replicas"])
def test_same_moment_messages_of_one_customer_are_serialised(cluster: Cluster, route: str) -> None:
    """Through HAProxy (sticky: one replica) and, harder, sent straight to both
    replicas at once: the atomic lock store serialises them either way."""
    assert cluster.front is not None
    front = cluster.front.url
    urls = [front] if route == "haproxy" else [r.url for r in cluster.rasa]
    session = f"burst-{route.replace('_', '-')}"
    first = post(front, session, "hello")
    assert first.status == 200 and first.messages
    questions = ["how many days do I have to ask for a refund?", "are pay-per-use products refundable?",
                 "what is the hotline number?", "how much is the ICP filing reward?",
                 "can you help me deploy wordpress?", "thanks"]
    barrier = threading.Barrier(len(questions))

    def send(i: int, text: str) -> Reply:
        barrier.wait()
        return post(urls[i % len(urls)], session, text)

    with ThreadPoolExecutor(len(questions)) as pool:
        results = list(pool.map(send, range(len(questions)), questions))
    assert all(r.status == 200 and r.messages for r in results), [(r.status, r.text) for r in results]
    events = cluster.events(f"guest:{session}")
    kinds = [e["event"] if e["event"] != "action" else f"action:{e['action']}" for e in events]
    users = [i for i, k in enumerate(kinds) if k == "user"]
    assert len(users) == 1 + len(questions)
    for a, b in zip(users, users[1:], strict=False):  # consecutive pairs
        between = kinds[a + 1:b]
        # each message was handled to the end (the bot listens again) before the next began
        assert between and between[-1] == "action:action_listen", kinds[a:b + 1]
        assert "user" not in between


def test_replica_killed_mid_run_conversations_carry_on(cluster: Cluster) -> None:
    pairs = cluster.add_customers(10, first=2101)
    assert cluster.front is not None
    front = cluster.front.url
    done_turns = [0]
    lock = threading.Lock()
    failures: list[str] = []
    replies: dict[str, list[Reply]] = {}

    def converse(i: int, cid: str, order_id: str) -> None:
        token, session = cluster.token(cid), f"kill-session-{i:03d}"
        replies[cid] = []
        for n, (text, ok) in enumerate(refund_turns(order_id)):
            reply = post(front, session, text, token, timeout=120)
            replies[cid].append(reply)
            if reply.status != 200 or not reply.messages or not ok(reply):
                failures.append(f"{cid} turn {n} {text!r}: {reply.status} {reply.replica} {reply.text!r}")
                return
            with lock:
                done_turns[0] += 1
            time.sleep(0.05)

    victim = cluster.rasa[0]
    with ThreadPoolExecutor(len(pairs)) as pool:
        futures = [pool.submit(converse, i, cid, oid) for i, (cid, oid) in enumerate(pairs)]
        total = len(pairs) * 4
        deadline = time.monotonic() + 120
        while done_turns[0] < total // 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        victim.kill()  # SIGKILL the whole process group, requests in flight included
        for f in futures:
            f.result()
    assert not victim.alive()
    assert not failures, "\n".join(failures) + "\n" + cluster.logs()
    served_by = {r.replica for rs in replies.values() for r in rs}  # HAProxy's X-Replica
    assert served_by == {haproxy.replica_name(0), haproxy.replica_name(1)}
    for cid, _ in pairs:
        rows = claims_of(cluster, cid)
        told = {REF.search(r.text).group(0) for r in replies[cid][2:3]}
        assert len(rows) == 1 and {rows[0][0]} == told, (cid, rows, told)
