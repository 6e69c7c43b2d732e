#!/usr/bin/env python
"""Benchmark `python -m bot.policy`: pipe N generated cases (default 100,000) through
the real command line in a subprocess and report decisions per second.

    .venv/bin/python scripts/bench_policy.py [--cases N] [--seed S] [--workers N] [--keep DIR]

Not a timed test (the machine is shared); the target is at least 20,000/s.
The cases are varied: every kind, eligible / ineligible / undetermined outcomes,
several offsets, amounts as numbers and strings, and about 1% bad lines."""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.policy import load_policy  # noqa: E402  (figures for realistic ranges only)

ZONES = [timezone(timedelta(hours=8)), timezone.utc, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]
BASE = datetime(2026, 11, 27, 10, 0, tzinfo=ZONES[0])


def iso(moment: datetime, rng: random.Random) -> str:
    text = moment.astimezone(rng.choice(ZONES)).isoformat()
    return text.replace("+00:00", "Z") if rng.random() < 0.5 else text


def amount(rng: random.Random, high: int = 2000):
    cents = rng.randint(0, high * 100)
    value = f"{cents // 100}.{cents % 100:02d}"
    return value if rng.random() < 0.7 else float(value)


def maybe(rng: random.Random, d: dict, key: str, p: float = 0.05) -> dict:
    if rng.random() < p:
        d.pop(key, None)
    return d


def refund_case(i: int, rng: random.Random, enums, window_h: int, limit: int) -> dict:
    now = BASE + timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    items = []
    for n in range(rng.choice((1, 1, 1, 2, 3))):
        item = {"id": f"CS26112{n}{i % 1000:04d}", "billing": rng.choice(enums["billing"]),
                "purchased_at": iso(now - timedelta(seconds=rng.randint(0, int(window_h * 3600 * 1.5))), rng),
                "amount_paid": amount(rng), "resource_state": rng.choice(enums["resource_state"]),
                "invoice": rng.choice(enums["invoice"]), "unrecoverable_discounts": amount(rng, 50)}
        for key in list(item)[1:]:
            maybe(rng, item, key, 0.03)
        items.append(item)
    case = {"id": f"r{i}", "kind": "refund", "now": iso(now, rng),
            "customer": {"tier": rng.choice(enums["tier"]), "refunds_this_year": rng.randint(0, limit + 2)},
            "items": items}
    return case


def compensation_case(i: int, rng: random.Random, enums, apply_h: int) -> dict:
    now = BASE + timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    end = now - timedelta(seconds=rng.randint(0, int(apply_h * 3600 * 1.3)))
    start = end - timedelta(seconds=rng.randint(0, 86400))
    case = {"id": f"c{i}", "kind": "compensation", "now": iso(now, rng),
            "scenario": rng.choice(enums["scenario"]),
            "cause": rng.choice(("platform",) * 8 + tuple(enums["cause"])),
            "daily_cost": amount(rng, 500), "fault_start": iso(start, rng),
            "fault_end": iso(end, rng) if rng.random() > 0.05 else None}
    for key in ("scenario", "daily_cost", "fault_start"):
        maybe(rng, case, key, 0.03)
    return case


def icp_case(i: int, rng: random.Random, enums, min_recharge: int) -> dict:
    now = BASE + timedelta(minutes=rng.randint(0, 60 * 24 * 60))
    return {"id": f"i{i}", "kind": "icp_reward", "now": iso(now, rng),
            "customer": {"tier": rng.choice(enums["tier"]), "icp_reward_received": rng.random() < 0.1,
                         "accumulated_recharge": amount(rng, min_recharge * 2)},
            "host": {"subscription": rng.choice(enums["billing"]), "used_for_website": rng.random() < 0.9,
                     "status": rng.choice(enums["host_status"])},
            "filing": {"first_with_provider": rng.random() < 0.9, "status": rng.choice(enums["filing_status"]),
                       "approved_at": iso(now - timedelta(hours=rng.randint(0, 500)), rng),
                       "customer_delay_days": rng.randint(0, 14)}}


BAD = ["not json", '{"id": "b", "kind": "refund", "items": []}',
       '{"id": "b", "kind": "compensation", "now": "2026-11-27T10:00:00", "scenario": "billing_error"}',
       '{"id": "b", "kind": "refund", "now": "2026-11-27T10:00:00+08:00", "items": [{"amount_paid": "-1"}]}',
       '{"id": "b", "kind": "weather"}']


def generate(n: int, seed: int) -> list[str]:
    policy = load_policy()
    enums = policy.enums
    f = policy.figures()
    window_h, apply_h = int(f["refund_window_hours"]), int(f["compensation_apply_hours"])
    limit, min_recharge = int(f["refund_limit"]), int(f["icp_min_recharge"])
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        r = rng.random()
        if r < 0.01:
            lines.append(rng.choice(BAD))
            continue
        if r < 0.45:
            case = refund_case(i, rng, enums, window_h, limit)
        elif r < 0.80:
            case = compensation_case(i, rng, enums, apply_h)
        elif r < 0.93:
            case = icp_case(i, rng, enums, min_recharge)
        elif r < 0.97:
            case = {"id": f"s{i}", "kind": "support_scope", "topic": rng.choice(enums["topic"])}
        else:
            now = BASE + timedelta(minutes=rng.randint(0, 60 * 24 * 14))
            case = {"id": f"h{i}", "kind": "hotline", "now": iso(now, rng)}
        lines.append(json.dumps(case))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--workers", default="1", help="passed to `python -m bot.policy --workers` (default 1)")
    parser.add_argument("--keep", type=Path, help="keep cases.jsonl and decisions.jsonl here")
    args = parser.parse_args()
    lines = generate(args.cases, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cases, decisions = folder / "cases.jsonl", folder / "decisions.jsonl"
        cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with open(cases, "rb") as src, open(decisions, "wb") as dst:
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "bot.policy", "--workers", args.workers], stdin=src, stdout=dst,
                                  stderr=subprocess.PIPE, cwd=ROOT, env={"ASSURANCE_NOW": BASE.isoformat()})
            elapsed = time.perf_counter() - started
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        out = decisions.read_text(encoding="utf-8").splitlines()
    if proc.returncode != 0 or len(out) != len(lines):
        print(f"FAILED: exit {proc.returncode}, {len(out)} answers for {len(lines)} cases\n{proc.stderr.decode()[-2000:]}")
        return 1
    outcomes = Counter(("error" if "error" in d else f"{d['kind']}:{d['decision']}") for d in map(json.loads, out))
    rate = len(lines) / elapsed
    print(f"{len(lines)} cases through `python -m bot.policy` in {elapsed:.2f} s "
          f"(process start included, --workers {args.workers}): {rate:,.0f} decisions/s (target 20,000/s)")
    print(f"CPU time of the child {cpu:.2f} s: {len(lines) / cpu:,.0f} decisions per CPU-second "
          f"(the wall-clock figure drops when other processes share the 2 cores)")
    print("outcomes: " + ", ".join(f"{k}={v}" for k, v in sorted(outcomes.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
