"""Faults with the real stack: one Rasa server over Rasa's SQL tracker
store on a fresh PostgreSQL database, Redis lock store, the action gateway in
front of the action server, and the action server reaching the claims database
through a TCP proxy the test can cut.

- The action server dies in the middle of the refund form: the customer is told
  the check cannot run right now, with the hotline (H1/H2 figures from the policy)
  and the 24/7 ticket option; once the server is back the form carries on and the
  claim is filed.
- The database goes away while a claim is submitted: no claim (and no claim item
  or event) is written, the customer is told; once it is back, a retry files the
  claim exactly once.
- The Rasa server is killed and restarted mid-conversation: the conversation
  continues where it was (the form and its slots live in PostgreSQL).
"""
from __future__ import annotations

import re

import pytest

from tests.harness.cluster import Cluster
from tests.harness.http import post

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

REF = re.compile(r"\bRF-[0-9A-HJKMNP-TV-Z]{6}\b")


@pytest.fixture(scope="module")
def cluster(model_path, pg_and_redis):
    c = Cluster(model=model_path, replicas=1, haproxy=False, gateway=True, store_proxy=True,
                lock_lifetime_s=10)
    try:
        c.start()
    except Exception:
        logs = c.logs()
        c.close()
        pytest.fail(f"stack did not start:\n{logs}")
    yield c
    c.close()
    c.cleanup_workdir()


@pytest.fixture(scope="module")
def figures() -> dict:
    from bot.policy import load_policy

    return load_policy().figures()


def counts(cluster: Cluster, cid: str) -> tuple[int, int, int]:
    """(claims, claim items, claim events) of ``cid``, read past the proxy."""
    row = cluster.sql(
        "SELECT (SELECT count(*) FROM claims WHERE customer_id = :c), "
        "(SELECT count(*) FROM claim_items i JOIN claims k ON k.id = i.claim_id WHERE k.customer_id = :c), "
        "(SELECT count(*) FROM claim_events e JOIN claims k ON k.id = e.claim_id WHERE k.customer_id = :c)",
        c=cid)[0]
    return int(row[0]), int(row[1]), int(row[2])


def told_service_down(text: str, figures: dict) -> bool:
    return (figures["hotline_number"] in text and "ticket" in text.lower()
            and "{" not in text and REF.search(text) is None)


def test_action_server_down_mid_form(cluster: Cluster, figures: dict) -> None:
    (cid, order), = cluster.add_customers(1, first=2201)
    url, token, session = cluster.rasa[0].url, cluster.token(cid), "fault-actions-01"
    first = post(url, session, "I want a refund", token)
    assert first.status == 200 and "order" in first.text.lower(), first.text
    cluster.stop_actions()
    try:
        down = post(url, session, order, token)
        assert down.status == 200, down.text
        assert told_service_down(down.text, figures), down.text
        assert counts(cluster, cid) == (0, 0, 0)
    finally:
        cluster.start_actions()
    again = post(url, session, order, token)  # the form is still waiting for the order
    assert again.status == 200 and order in again.text and "?" in again.text, again.text
    filed = post(url, session, "yes", token)
    assert REF.search(filed.text), filed.text
    assert counts(cluster, cid)[0] == 1


def test_database_down_while_claim_is_submitted(cluster: Cluster, figures: dict) -> None:
    (cid, order), = cluster.add_customers(1, first=2202)
    url, token, session = cluster.rasa[0].url, cluster.token(cid), "fault-database-01"
    assert "order" in post(url, session, "I want a refund", token).text.lower()
    confirm = post(url, session, order, token)
    assert order in confirm.text and "?" in confirm.text, confirm.text
    assert cluster.proxy is not None
    cluster.proxy.cut()
    try:
        down = post(url, session, "yes", token)
        assert down.status == 200, down.text
        assert told_service_down(down.text, figures), down.text
        assert counts(cluster, cid) == (0, 0, 0)  # no claim, no half claim
    finally:
        cluster.proxy.restore()
    # The retry: the customer asks again and says yes again; filed exactly once.
    texts = []
    for text in ("I want a refund", order, "yes"):
        reply = post(url, session, text, token)
        assert reply.status == 200, reply.text
        texts.append(reply.text)
        if REF.search(reply.text):
            break
    assert REF.search(texts[-1]), texts
    claims, items, events = counts(cluster, cid)
    assert claims == 1 and items >= 1 and events >= 1
    # Saying yes once more files nothing new.
    post(url, session, "yes", token)
    assert counts(cluster, cid)[0] == 1


def test_rasa_restart_mid_conversation_continues(cluster: Cluster) -> None:
    (cid, order), = cluster.add_customers(1, first=2203)
    token, session = cluster.token(cid), "fault-restart-01"
    first = post(cluster.rasa[0].url, session, "I want a refund", token)
    assert "order" in first.text.lower(), first.text
    cluster.rasa[0].kill()  # SIGKILL: nothing flushed on the way out
    server = cluster.restart_replica(0)
    cont = post(server.url, session, order, token)
    assert cont.status == 200 and order in cont.text and "?" in cont.text, cont.text
    filed = post(server.url, session, "yes", token)
    assert REF.search(filed.text), filed.text
    assert counts(cluster, cid)[0] == 1
