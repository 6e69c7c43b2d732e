"""Evaluate the trained assistant's NLU on the TEST splits of two public datasets.

    python -m tests.public_eval --model models/assistant.tar.gz [--gate] [--json PATH]

Data: tests/data/clinc150/test.json (CLINC150, CC BY 3.0) and tests/data/banking77/test.csv
(Banking77, CC BY 4.0); see the SOURCE.md files there. Only test splits are read here;
scripts/public_training_data.py trains on the train splits and drops any test line.

Benchmarks (share read correctly; gated ones fail `--gate` below the threshold):
- clinc_oos_test: CLINC `oos_test` (1000) -> out_of_scope or nlu_fallback (both shares and
  the combined one are printed), gate 0.90;
- clinc_smalltalk: CLINC test greeting/goodbye/thank_you/are_you_a_bot (4 x 30) -> greet,
  goodbye, thank, bot_challenge, gate 0.95;
- banking77_request_refund: Banking77 test `request_refund` (40) -> request_refund, gate 0.95;
- banking77_refund_status: Banking77 test `refund_not_showing_up` (40) -> refund_status, gate 0.90;
- clinc_other_intents (no gate): CLINC test utterances of the other 146 intents read as
  out_of_scope/nlu_fallback -- a customer going off topic. Split into the intents whose
  train lines feed out_of_scope and those deliberately kept out (yes/no/cancel/...).
The base intent (faq, scope as one intent each) is compared; wrong labels are shown at the
full level (faq/<key>, scope/<topic>). Parsing reuses tests/nlu_eval.py's helpers.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import importlib.util
import json
import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List, Optional, Sequence, Tuple

from tests.nlu_eval import FALLBACK, PINNED_NOW, _parse_all, _quiet, full_label

ROOT = Path(__file__).resolve().parents[1]
CLINC_TEST = ROOT / "tests" / "data" / "clinc150" / "test.json"
BANKING_TEST = ROOT / "tests" / "data" / "banking77" / "test.csv"
GENERATOR = ROOT / "scripts" / "public_training_data.py"
OOS_LABELS = frozenset({"out_of_scope", FALLBACK})


def generator() -> ModuleType:
    """scripts/public_training_data.py as a module (the one source of the intent mappings)."""
    spec = importlib.util.spec_from_file_location("public_training_data", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Benchmark:
    """One benchmark: examples (text, accepted gold labels) and an optional gate."""

    name: str
    description: str
    examples: List[Tuple[str, Tuple[str, ...]]]
    gate: Optional[float] = None
    # filled by score()
    n: int = 0
    correct: int = 0
    share: float = 0.0
    passed: Optional[bool] = None
    predicted: Dict[str, int] = field(default_factory=dict)
    wrong: List[Dict[str, Any]] = field(default_factory=list)


def load_benchmarks() -> List[Benchmark]:
    """The public test benchmarks (test splits only)."""
    gen = generator()
    clinc = json.loads(CLINC_TEST.read_text(encoding="utf-8"))
    with BANKING_TEST.open(encoding="utf-8", newline="") as handle:
        banking = [(r["text"], r["category"].lower()) for r in csv.DictReader(handle)]
    oos = tuple(sorted(OOS_LABELS))
    smalltalk = gen.CLINC_SMALLTALK
    kept_out = gen.CLINC_NOT_OOS
    return [
        Benchmark("clinc_oos_test", "CLINC150 oos_test -> out_of_scope | nlu_fallback",
                  [(t, oos) for t, _ in clinc["oos_test"]], gate=0.90),
        Benchmark("clinc_smalltalk", "CLINC150 test greeting/goodbye/thank_you/are_you_a_bot -> "
                  "greet/goodbye/thank/bot_challenge",
                  [(t, (smalltalk[l],)) for t, l in clinc["test"] if l in smalltalk], gate=0.95),
        Benchmark("banking77_request_refund", "Banking77 test request_refund -> request_refund",
                  [(t, ("request_refund",)) for t, c in banking if c == "request_refund"], gate=0.95),
        Benchmark("banking77_refund_status", "Banking77 test refund_not_showing_up -> refund_status",
                  [(t, ("refund_status",)) for t, c in banking if c == "refund_not_showing_up"], gate=0.90),
        Benchmark("clinc_other_intents", "CLINC150 test, the other 146 intents -> out_of_scope | "
                  "nlu_fallback (no gate)",
                  [(t, oos) for t, l in clinc["test"] if l not in smalltalk]),
        Benchmark("clinc_other_intents_oos_trained", "  of which the intents whose train lines feed "
                  "out_of_scope (in-distribution after training on data/nlu/public)",
                  [(t, oos) for t, l in clinc["test"] if l not in smalltalk and l not in kept_out]),
        Benchmark("clinc_other_intents_kept_out", "  of which the intents kept out of out_of_scope "
                  "(yes, no, cancel, ...; see CLINC_NOT_OOS)",
                  [(t, oos) for t, l in clinc["test"] if l in kept_out]),
    ]


def score(bench: Benchmark, parses: Dict[str, Dict[str, Any]], top: int = 5) -> None:
    """Fill the result fields of bench from the parses (keyed by text)."""
    predicted: Counter = Counter()
    wrong: Dict[str, List[str]] = {}
    for text, gold in bench.examples:
        parse = parses[text]
        intent = (parse.get("intent") or {}).get("name") or "None"
        predicted[intent] += 1
        if intent in gold:
            bench.correct += 1
        else:
            wrong.setdefault(full_label(parse), []).append(text)
    bench.n = len(bench.examples)
    bench.share = bench.correct / bench.n if bench.n else 0.0
    bench.predicted = dict(predicted.most_common())
    bench.passed = None if bench.gate is None else bench.share >= bench.gate
    ranked = sorted(wrong.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]
    bench.wrong = [{"label": label, "n": len(texts), "examples": texts[:2]} for label, texts in ranked]


def report(bench: Benchmark) -> None:
    """Print one benchmark."""
    gate = "no gate" if bench.gate is None else f"gate {bench.gate:.2f} {'PASS' if bench.passed else 'FAIL'}"
    print(f"\n{bench.name}: {bench.description}")
    print(f"  correct {bench.correct}/{bench.n} = {bench.share:.3f}  ({gate})")
    if bench.examples and set(bench.examples[0][1]) == OOS_LABELS:
        oos = bench.predicted.get("out_of_scope", 0)
        fb = bench.predicted.get(FALLBACK, 0)
        print(f"  out_of_scope {oos / max(bench.n, 1):.3f}  nlu_fallback {fb / max(bench.n, 1):.3f}  "
              f"combined {(oos + fb) / max(bench.n, 1):.3f}")
    if bench.wrong:
        print("  most common wrong labels (full level):")
        for item in bench.wrong:
            examples = "; ".join(repr(t) for t in item["examples"])
            print(f"    {item['label']:32} {item['n']:4d}  e.g. {examples}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate NLU on the CLINC150 / Banking77 test splits")
    parser.add_argument("--model", default="models/assistant.tar.gz")
    parser.add_argument("--gate", action="store_true", help="exit 1 when any gate fails")
    parser.add_argument("--json", metavar="PATH", help="save the results as JSON")
    parser.add_argument("--gated-only", action="store_true",
                        help="only the gated benchmarks (1,200 utterances instead of 5,580)")
    parser.add_argument("--floor", type=float, default=None,
                        help="exit 1 when a gated benchmark scores below this (a regression "
                             "floor; the issue's gates are still printed PASS/FAIL)")
    args = parser.parse_args(argv)

    if not Path(args.model).is_file():
        print(f"public_eval: model {args.model} not found (train it first)", file=sys.stderr)
        return 2
    _quiet()
    os.environ["ASSURANCE_NOW"] = PINNED_NOW  # same parse conditions as tests.nlu_eval
    started = time.perf_counter()
    from rasa.core.agent import Agent

    benchmarks = load_benchmarks()
    if args.gated_only:
        benchmarks = [b for b in benchmarks if b.gate is not None]
    agent = Agent.load(args.model)
    texts = sorted({t for b in benchmarks for t, _ in b.examples})
    t0 = time.perf_counter()
    parses = dict(zip(texts, asyncio.run(_parse_all(agent, texts)), strict=True))
    per_msg_ms = (time.perf_counter() - t0) * 1000 / max(len(texts), 1)

    print(f"Public NLU benchmarks for {args.model} ({len(texts)} distinct test utterances)")
    for bench in benchmarks:
        score(bench, parses)
        report(bench)

    gated = [b for b in benchmarks if b.gate is not None]
    failed = [b.name for b in gated if not b.passed]
    print("\nSummary: " + ", ".join(f"{b.name} {b.share:.3f}" for b in benchmarks[:5]))
    print(f"Timing: {per_msg_ms:.1f} ms/message, total {time.perf_counter() - started:.1f}s")
    if args.json:
        result = {
            "model": args.model,
            "benchmarks": {
                b.name: {k: v for k, v in asdict(b).items() if k not in ("examples", "name")} for b in benchmarks
            },
            "failed_gates": failed,
        }
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    verdict = "FAIL: " + ", ".join(failed) if failed else "PASS"
    print(f"{verdict} ({len(gated) - len(failed)}/{len(gated)} gates)")
    below = [b.name for b in gated if args.floor is not None and b.share < args.floor]
    if below:
        print(f"FAIL: below the floor {args.floor:.2f}: {', '.join(below)}")
    return 1 if (args.gate and failed) or below else 0


if __name__ == "__main__":
    sys.exit(main())
