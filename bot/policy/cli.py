"""`python -m bot.policy`: the decision contract on JSON Lines, and `explain`.

    python -m bot.policy [--line-buffered]   < cases.jsonl > decisions.jsonl
    python -m bot.policy explain '{"kind": "hotline"}'     (or the case on stdin)

Batch: one case a line in, one decision a line out, in order. A bad line gives
`{"id": ..., "error": "<field>: <what is wrong>"}` and the rest still run; blank
lines are skipped (no output line); the exit status is 0 whatever the lines held.
A case without `now` is decided at bot.clock.now() (ASSURANCE_NOW honoured)."""
from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import IO, Any, Callable, Iterable, Optional

from .data import load_policy
from .engine import DECIDERS, decide
from .errors import PolicyInputError
from .explain import explain

USAGE = __doc__ or ""
_CHUNK = 512  # decisions written per write() call


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


_loads = json.JSONDecoder(parse_float=Decimal, parse_constant=_reject_constant).decode
_dumps = json.JSONEncoder(default=_default, separators=(",", ":")).encode


def _clock_now() -> str:
    from bot import clock  # the one clock; imported only by the command line

    return clock.now().isoformat()


def with_now(case: Any, now: Callable[[], str]) -> Any:
    """The case, with `now` filled from the clock when it leaves it out."""
    if isinstance(case, dict) and case.get("now") is None and case.get("kind") in DECIDERS:
        case = dict(case)
        case["now"] = now()
    return case


def answer(line: str, now: Callable[[], str] = _clock_now) -> dict[str, Any]:
    """One input line -> one decision or error object (never raises)."""
    try:
        case = _loads(line)
    except RecursionError:
        return {"id": None, "error": "line: not valid JSON (nested too deeply)"}
    except ValueError as exc:
        return {"id": None, "error": f"line: not valid JSON ({exc})"}
    ident = case.get("id") if isinstance(case, dict) else None
    try:
        return decide(with_now(case, now))
    except PolicyInputError as err:
        return {"id": ident, "error": str(err)}
    except Exception as exc:  # noqa: BLE001 - a bug must not cost the rest of the batch
        sys.stderr.write(f"bot.policy: internal error on case id={ident!r}: {type(exc).__name__}: {exc}\n")
        return {"id": ident, "error": f"internal: {type(exc).__name__} (please report this case)"}


def run_batch(lines: Iterable[bytes], out: IO[str], line_buffered: bool = False,
              now: Callable[[], str] = _clock_now) -> int:
    """Decide every non-blank line; returns how many answers were written."""
    load_policy()  # fail fast on broken policy data, before reading input
    pending: list[str] = []
    written = 0
    for raw in lines:
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            result: dict[str, Any] = {"id": None, "error": f"line: not valid UTF-8 ({exc.reason} at byte {exc.start})"}
        else:
            if not line.strip():
                continue
            result = answer(line, now)
        pending.append(_dumps(result))
        written += 1
        if line_buffered or len(pending) >= _CHUNK:
            out.write("\n".join(pending) + "\n")
            pending.clear()
            if line_buffered:
                out.flush()
    if pending:
        out.write("\n".join(pending) + "\n")
    out.flush()
    return written


def run_explain(args: list[str], stdin: IO[bytes], out: IO[str]) -> int:
    """`explain [JSON|-] [--json]`: one case, read out as a hotline agent would."""
    show_json = "--json" in args
    args = [a for a in args if a != "--json"]
    text = args[0] if args and args[0] != "-" else stdin.read().decode("utf-8", "replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1 and not text.lstrip().startswith("{\n") and all(ln.lstrip().startswith("{") for ln in lines):
        text = lines[0]  # JSON Lines given: explain the first case only
    result = answer(text)
    out.write(explain(result) + "\n")
    if show_json:
        out.write(_dumps(result) + "\n")
    return 2 if "error" in result else 0


def main(argv: Optional[list[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if args and args[0] == "explain":
        return run_explain(args[1:], sys.stdin.buffer, sys.stdout)
    unknown = [a for a in args if a != "--line-buffered"]
    if unknown:
        sys.stderr.write(f"unknown arguments: {' '.join(unknown)}\n{USAGE}")
        return 64
    run_batch(sys.stdin.buffer, sys.stdout, line_buffered="--line-buffered" in args)
    return 0
