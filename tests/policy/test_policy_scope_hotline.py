"""Support scope S1-S2 and hotline H1-H2 (docs/POLICY_RULES.md)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from bot.policy import PolicyInputError, decide, load_policy
from bot.policy.data import Policy
from policy_cases import fig

S1 = load_policy().scope["provided"]
S2 = load_policy().scope["not_provided"]


@pytest.mark.parametrize("topic", S1)
def test_S1_provided_topics(topic):
    d = decide({"id": "s", "kind": "support_scope", "topic": topic})
    assert (d["decision"], d["rule"], d["rules_failed"]) == ("provided", "S1", [])


@pytest.mark.parametrize("topic", S2)
def test_S2_not_provided_topics(topic):
    d = decide({"id": "s", "kind": "support_scope", "topic": topic})
    assert (d["decision"], d["rule"], d["rules_failed"]) == ("not_provided", "S2", ["S2"])
    assert load_policy().rule("S2").clause in d["reasons"][0]


def test_S_topics_match_policy_md():
    assert set(S1) == {"product_function", "technical_issue", "operation_fault", "system_fault", "console"}
    assert set(S2) == {"third_party_deployment", "third_party_diagnosis", "code_development", "routine_om"}


def test_S_scope_without_topic_is_undetermined():
    d = decide({"kind": "support_scope"})
    assert d["decision"] == "undetermined" and d["missing"] == ["topic"]


def test_S_unknown_topic_is_bad_input():
    with pytest.raises(PolicyInputError) as err:
        decide({"kind": "support_scope", "topic": "x" * 10_000})
    assert err.value.field == "topic" and len(str(err.value)) < 400


def local(day: str, clock: str) -> str:
    return f"{day}T{clock}+08:00"


def hotline(now: str, policy=None):
    return decide({"id": "h", "kind": "hotline", "now": now}, policy)


OPEN, CLOSE = fig("hotline_open"), fig("hotline_close")  # e.g. 09:00, 18:00
FRIDAY, SATURDAY, MONDAY = "2026-11-27", "2026-11-28", "2026-11-30"


def minus_one_second(clock: str) -> str:
    t = datetime.combine(datetime(2026, 1, 1), time.fromisoformat(clock)) - timedelta(seconds=1)
    return t.strftime("%H:%M:%S")


def test_H2_opening_time_is_inclusive():
    d = hotline(local(FRIDAY, OPEN + ":00"))
    assert d["open"] is True and d["decision"] == "open"
    assert d["closes_at"] == local(FRIDAY, CLOSE + ":00")
    assert d["number"] == fig("hotline_number")


def test_H2_one_second_before_opening_is_closed():
    d = hotline(local(FRIDAY, minus_one_second(OPEN)))
    assert d["open"] is False and d["next_open"] == local(FRIDAY, OPEN + ":00")


def test_H2_closing_time_is_exclusive():
    assert hotline(local(FRIDAY, minus_one_second(CLOSE)))["open"] is True
    d = hotline(local(FRIDAY, CLOSE + ":00"))
    assert d["open"] is False and d["next_open"] == local(MONDAY, OPEN + ":00")


def test_H2_weekend_is_closed_and_next_open_is_monday():
    d = hotline(local(SATURDAY, "12:00:00"))
    assert d["open"] is False and d["next_open"] == local(MONDAY, OPEN + ":00")


def test_H2_worked_example_h1_saturday_evening():
    d = decide({"id": "h1", "kind": "hotline", "now": "2026-11-28T20:00:00+08:00"})
    assert d["open"] is False and d["next_open"] == "2026-11-30T09:00:00+08:00"


def test_H2_hours_are_counted_in_utc_plus_8():
    # 01:00 UTC on a Friday is 09:00 in UTC+08:00
    assert hotline("2026-11-27T01:00:00Z")["open"] is True
    assert hotline("2026-11-27T00:59:59Z")["open"] is False


def test_H2_holiday_list_closes_the_line(tmp_path):
    raw = dict(load_policy().raw)
    figures = {k: dict(v) for k, v in raw["figures"].items()}
    figures["hotline_holidays"]["value"] = [FRIDAY, MONDAY]
    raw["figures"] = figures
    policy = Policy(raw)
    d = hotline(local(FRIDAY, "12:00:00"), policy)
    assert d["open"] is False and d["next_open"] == local("2026-12-01", OPEN + ":00")
    assert load_policy().figures()["hotline_holidays"] == "none"  # empty by default


def test_H1_tickets_are_taken_24_7():
    d = hotline(local(SATURDAY, "03:00:00"))
    assert d["tickets"] == "24/7" and any(n.startswith("H1:") for n in d["notes"])
