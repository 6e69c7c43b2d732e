"""`python -m bot.policy` end to end (a real subprocess): the JSON Lines contract
and the explain form."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from policy_cases import compensation, icp, item, refund

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ("id", "kind", "decision", "rules_failed", "reasons", "missing", "waiting_for")


def run(args, stdin: str, env=None):
    proc = subprocess.run([sys.executable, "-m", "bot.policy", *args], input=stdin.encode(),
                          capture_output=True, cwd=ROOT, timeout=60,
                          env={**os.environ, **(env or {})})
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_batch_with_bad_lines_answers_every_line_in_order():
    lines = [
        json.dumps(refund()),
        "this is not json",
        json.dumps(refund([item(purchased_at="2026-11-26T10:00:00")]) | {"id": "no-offset"}),
        "",
        json.dumps(compensation()),
        json.dumps(compensation(daily_cost="-1") | {"id": "neg"}),
        json.dumps({"id": "enum", "kind": "refund", "now": "2026-11-27T10:00:00+08:00",
                    "items": [item(billing="weekly")]}),
        json.dumps(compensation(fault_end="2026-11-26T13:00:00+08:00") | {"id": "order"}),
        json.dumps(refund(items=[]) | {"id": "empty"}),
        '{"id": "num", "kind": "compensation", "daily_cost": 1e999999, "now": "2026-11-27T10:00:00+08:00"}',
        '{"id": "nan", "kind": "compensation", "daily_cost": NaN}',
        json.dumps(icp()),
        "   ",
        '{"id": "s", "kind": "support_scope", "topic": "console"}',
    ]
    code, out, err = run([], "\n".join(lines) + "\n")
    assert code == 0 and "Traceback" not in err
    answers = [json.loads(x) for x in out.splitlines()]
    assert len(answers) == 12  # blank lines give no answer
    assert answers[0]["decision"] == "eligible" and answers[0]["refund_total"] == "300.00"
    assert answers[1] == {"id": None, "error": answers[1]["error"]} and answers[1]["error"].startswith("line:")
    assert answers[2]["id"] == "no-offset" and answers[2]["error"].startswith("items[0].purchased_at:")
    assert answers[3]["compensation"] == "316.67"
    assert answers[4]["error"].startswith("daily_cost:") and "negative" in answers[4]["error"]
    assert answers[5]["error"].startswith("items[0].billing: unknown value")
    assert answers[6]["error"].startswith("fault_end:")
    assert answers[7]["error"].startswith("items:")
    assert answers[8]["id"] == "num" and answers[8]["error"].startswith("daily_cost:")
    assert answers[9]["error"].startswith("line:")
    assert answers[10]["reward_amount"] == "200.00"
    assert answers[11]["decision"] == "provided"
    for a in answers:
        if "error" not in a:
            assert all(k in a for k in CONTRACT)


def test_missing_now_is_filled_from_the_clock():
    case = {"id": "h", "kind": "hotline"}
    code, out, _ = run([], json.dumps(case) + "\n", env={"ASSURANCE_NOW": "2026-11-27T10:00:00+08:00"})
    d = json.loads(out)
    assert code == 0 and d["open"] is True and d["now"] == "2026-11-27T10:00:00+08:00"


def test_invalid_utf8_line_is_an_error_line():
    proc = subprocess.run([sys.executable, "-m", "bot.policy"], input=b"\xff\xfe\n" + json.dumps(compensation()).encode() + b"\n",
                          capture_output=True, cwd=ROOT, timeout=60)
    answers = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert proc.returncode == 0 and "error" in answers[0] and answers[1]["compensation"] == "316.67"


def test_explain_reads_out_decision_amount_failed_rules_and_missing():
    case = refund([item(id="CS2611240001", invoice="issued"), item(id="CS2611240002", amount_paid=...)])
    code, out, _ = run(["explain", json.dumps(case)], "")
    assert code == 0
    assert "UNDETERMINED" in out and "Refund total: 0.00" in out
    assert "R4 Issued invoice not returned" in out
    assert 'Published clause: "If invoices have been issued but are not returned, refunds will not be given."' in out
    assert "items[1].amount_paid" in out


def test_explain_from_stdin_and_bad_input_exit_status():
    code, out, _ = run(["explain"], json.dumps(compensation(cause="carrier_fault")))
    assert code == 0 and "INELIGIBLE" in out and "C4" in out
    code, out, _ = run(["explain"], json.dumps(compensation(fault_start="2026-11-26T14:00:00")))
    assert code == 2 and "fault_start" in out


def test_unknown_argument_is_refused():
    code, _, err = run(["--frobnicate"], "")
    assert code == 64 and "unknown arguments" in err


def test_parallel_workers_keep_order_across_blocks_and_bad_lines():
    from bot.policy.cli import _BLOCK

    lines = []
    for n in range(2 * _BLOCK + 7):
        if n % 997 == 0 or n in (_BLOCK - 1, _BLOCK, 2 * _BLOCK):
            lines.append("not json" if n % 2 else "")
        else:
            lines.append(json.dumps(compensation(daily_cost=str(n)) | {"id": n}))
    stdin = "\n".join(lines) + "\n"
    code1, one, _ = run(["--workers", "1"], stdin)
    code2, two, err = run(["--workers=2"], stdin)
    assert code1 == code2 == 0 and "Traceback" not in err
    assert one == two
    answers = [json.loads(x) for x in two.splitlines()]
    assert len(answers) == sum(1 for ln in lines if ln.strip())
    ids = [a["id"] for a in answers if "error" not in a]
    assert ids == sorted(ids)


def test_bad_workers_argument_is_refused():
    code, _, err = run(["--workers", "0"], "")
    assert code == 64 and "--workers" in err


def test_odd_ids_and_deep_nesting_never_cost_the_batch():
    lines = ['{"id": ' + "[" * 900 + "]" * 900 + ', "kind": "support_scope", "topic": "console"}',
             '{"id": ' + "[" * 20000 + "]" * 20000 + "}",
             '{"id": "\\ud800", "kind": "support_scope", "topic": "\\ud800"}',
             '{"id": 1.5, "kind": "support_scope", "topic": "console"}']
    code, out, err = run([], "\n".join(lines) + "\n")
    answers = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(answers) == 4 and "Traceback" not in err
    assert "error" in answers[1] and answers[2]["error"].startswith("topic: unknown value")
    assert answers[3]["id"] == 1.5 and answers[3]["decision"] == "provided"
