"""Fuzz `python -m bot.policy` (the decision contract, docs/POLICY_ENGINE.md): whatever lines
arrive on stdin, every non-blank line gets exactly one JSON line back, in order,
either a decision (id, kind, decision, rules_failed, reasons, missing, waiting_for)
or `{"id": ..., "error": "..."}`; never a traceback, always exit status 0.

One subprocess per hypothesis batch (not per example) keeps this fast: the CLI is
fed many lines at once, which is also how it is used.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

KINDS = ["refund", "compensation", "icp_reward", "support_scope", "hotline"]
NASTY_STRINGS = [
    "", " ", "null", "NaN", "Infinity", "-1", "1e309", "0x10", "１２３", "٣", "\u202e", "\u0000",
    "'; DROP TABLE claims; --", "<script>alert(1)</script>", "🤖💥", "مرحبا", "2026-11-27T10:00:00",
    "2026-11-27T10:00:00+08:00", "2026-02-30T10:00:00+08:00", "9999-12-31T23:59:59Z", "-0.01",
    "300.005", "1" * 400, "monthly", "grace", "issued", "vip", "common", "platform", "unknown",
]
FIELDS = ["id", "kind", "now", "customer", "items", "tier", "refunds_this_year", "billing",
          "purchased_at", "amount_paid", "resource_state", "invoice", "unrecoverable_discounts",
          "scenario", "cause", "daily_cost", "fault_start", "fault_end", "host", "filing",
          "topic", "subscription", "status", "approved_at", "accumulated_recharge"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(NASTY_STRINGS), st.text(max_size=30))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner,
                                            max_size=6)),
    max_leaves=25)
cases = st.fixed_dictionaries(
    {"kind": st.sampled_from(KINDS) | scalars},
    optional={k: json_values for k in FIELDS if k != "kind"})
garbage_lines = st.one_of(
    st.text(max_size=200).map(lambda s: s.replace("\n", " ").replace("\r", " ")),
    st.binary(max_size=100).map(lambda b: b.decode("latin-1").replace("\n", " ").replace("\r", " ")),
    json_values.map(json.dumps),
    cases.map(json.dumps),
    st.sampled_from(['{"kind": "refund"', "[]", "{}", '{"id": 1}', '"refund"', "{" * 500 + "}" * 500]),
)


def run_cli(lines: list[str]) -> tuple[int, list[str], str]:
    payload = "\n".join(lines) + "\n"
    proc = subprocess.run([sys.executable, "-m", "bot.policy"], input=payload.encode("utf-8", "surrogatepass"),
                          capture_output=True, cwd=ROOT, timeout=120)
    out = proc.stdout.decode("utf-8").splitlines()
    return proc.returncode, out, proc.stderr.decode("utf-8", "replace")


def check_answer(line: str) -> dict:
    answer = json.loads(line)
    assert isinstance(answer, dict), line
    if "error" in answer:
        assert isinstance(answer["error"], str) and answer["error"].strip(), line
        assert "Traceback" not in answer["error"]
    else:
        for key in ("kind", "decision", "rules_failed", "reasons", "missing", "waiting_for"):
            assert key in answer, f"decision without {key!r}: {line}"
        for key in ("rules_failed", "reasons", "missing", "waiting_for"):
            assert isinstance(answer[key], list), line
    return answer


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(garbage_lines, min_size=1, max_size=40))
def test_every_line_gets_a_decision_or_an_error(lines: list[str]) -> None:
    # Surrogates cannot be written as UTF-8 by a real client; replace them.
    lines = [ln.encode("utf-8", "replace").decode("utf-8") for ln in lines]
    code, out, err = run_cli(lines)
    assert code == 0, err
    assert "Traceback" not in err, err
    expected = [ln for ln in lines if ln.strip()]
    assert len(out) == len(expected), (lines, out, err)
    for line in out:
        check_answer(line)


def test_ids_are_echoed_in_order_between_bad_lines() -> None:
    lines = ['{"id": "a", "kind": "support_scope", "topic": "console"}',
             "this is not json",
             '{"id": "b", "kind": "no_such_kind"}',
             '{"id": "c", "kind": "support_scope", "topic": "code_development"}',
             '{"id": "d", "kind": "refund", "items": []}']
    code, out, err = run_cli(lines)
    assert code == 0, err
    answers = [check_answer(x) for x in out]
    assert [a.get("id") for a in answers] == ["a", None, "b", "c", "d"]
    assert answers[0]["decision"] == "provided"  # S1
    assert "error" in answers[1] and "error" in answers[2]
    assert answers[3]["decision"] == "not_provided"  # S2
    assert "error" in answers[4]  # an empty item list is bad input (docs/POLICY_RULES.md)


def test_huge_and_binary_lines_do_not_crash() -> None:
    lines = ['{"id": "big", "kind": "support_scope", "topic": "' + "x" * 200_000 + '"}',
             "\x00\x01\x02\x7f",
             json.dumps({"id": "deep", "kind": "refund", "items": [[[[[[[[[]]]]]]]]]})]
    code, out, err = run_cli(lines)
    assert code == 0, err
    assert len(out) == 3
    for line in out:
        assert "error" in check_answer(line)
