"""`python -m bot.policy`: the decision contract on JSON Lines, and `explain`.

    python -m bot.policy [--workers N] [--line-buffered]  < cases.jsonl > decisions.jsonl
    python -m bot.policy explain '{"kind": "hotline"}'     (or the case on stdin)

Batch: one case a line in, one decision a line out, in order. A bad line gives
`{"id": ..., "error": "<field>: <what is wrong>"}` and the rest still run; blank
lines are skipped (no output line); the exit status is 0 whatever the lines held.
A case without `now` is decided at bot.clock.now() (ASSURANCE_NOW honoured).
`--workers N` (N > 1) shares a batch longer than one block (2000 lines) among N
worker processes, answers still in input order; the default is one process (on a
busy shared machine more processes gain nothing). `--line-buffered` answers each line at once (one
process), for a caller that sends a case and waits.
"""
from __future__ import annotations

import itertools
import json
import os
import sys
from collections import deque
from decimal import Decimal
from typing import IO, Any, Callable, Iterable, Iterator, Optional

from .data import load_policy
from .engine import DECIDERS, decide
from .errors import PolicyInputError
from .explain import explain

USAGE = __doc__ or ""
_BLOCK = 2000  # lines per write() call, and per worker task in a parallel batch


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
        try:
            sys.stderr.write(f"bot.policy: internal error on case id={ident!r:.80}: {type(exc).__name__}: {exc!r:.200}\n")
        except Exception:  # noqa: BLE001 - stderr itself failing must not stop the batch
            pass
        return {"id": ident, "error": f"internal: {type(exc).__name__} (please report this case)"}


def answer_raw(raw: Any, now: Callable[[], str] = _clock_now) -> Optional[str]:
    """One raw input line (bytes or str) -> its JSON answer line, or None if blank."""
    try:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        return _dumps({"id": None, "error": f"line: not valid UTF-8 ({exc.reason} at byte {exc.start})"})
    if not line or line.isspace():  # blank: no case, no answer (no copy of the line made)
        return None
    result = answer(line, now)
    try:
        return _dumps(result)
    except (ValueError, TypeError, RecursionError):  # e.g. an `id` nested too deeply to echo
        return _dumps({"id": None, "error": "id: cannot be echoed back (nested too deeply)"})


def _block(lines: list[Any]) -> str:
    """A worker's share: a block of raw lines -> their answers, newline-terminated."""
    answers = [a for a in map(answer_raw, lines) if a is not None]
    return "\n".join(answers) + "\n" if answers else ""


def _blocks(lines: Iterable[Any], size: int) -> Iterator[list[Any]]:
    block: list[Any] = []
    for raw in lines:
        block.append(raw)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


def default_workers() -> int:
    """Worker processes for a large batch: one per usable core, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def run_batch(lines: Iterable[Any], out: IO[str], line_buffered: bool = False,
              now: Callable[[], str] = _clock_now, workers: int = 1) -> int:
    """Decide every non-blank line, answers in input order; returns how many were
    written. With workers > 1 (and not line-buffered) a batch longer than one block
    is decided by that many processes, block by block, still written in order."""
    load_policy()  # fail fast on broken policy data, before reading input
    if line_buffered:
        written = 0
        for raw in lines:
            result = answer_raw(raw, now)
            if result is not None:
                out.write(result + "\n")
                out.flush()
                written += 1
        return written
    blocks = _blocks(lines, _BLOCK)
    first = next(blocks, None)
    if first is None:
        out.flush()
        return 0
    second = next(blocks, None) if len(first) == _BLOCK else None
    if workers <= 1 or second is None or now is not _clock_now:
        written = 0
        for block in itertools.chain([first], [second] if second else [], blocks):
            answers = [a for a in (answer_raw(raw, now) for raw in block) if a is not None]
            if answers:
                out.write("\n".join(answers) + "\n")
                written += len(answers)
        out.flush()
        return written
    return _run_parallel(itertools.chain([first, second], blocks), out, workers)


def _run_parallel(blocks: Iterable[list[Any]], out: IO[str], workers: int) -> int:
    """Blocks to a pool of forked workers; at most a few blocks in flight (bounded
    memory for an endless stream), results written strictly in input order."""
    import multiprocessing

    written = 0
    in_flight: deque = deque()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for block in blocks:
            in_flight.append(pool.apply_async(_block, (block,)))
            if len(in_flight) > 2 * workers:
                text = in_flight.popleft().get()
                out.write(text)
                written += text.count("\n")
        while in_flight:
            text = in_flight.popleft().get()
            out.write(text)
            written += text.count("\n")
    out.flush()
    return written


def run_explain(args: list[str], stdin: IO[bytes], out: IO[str]) -> int:
    """`explain [JSON|-] [--json]`: one case, read out as a hotline agent would.
    Given JSON Lines, the first non-blank line is explained."""
    show_json = "--json" in args
    args = [a for a in args if a != "--json"]
    text = args[0] if args and args[0] != "-" else stdin.read().decode("utf-8", "replace")
    try:
        _loads(text)
    except (ValueError, RecursionError):
        lines = [ln for ln in text.splitlines() if ln.strip()]
        text = lines[0] if lines else text
    result = answer(text)
    out.write(explain(result) + "\n")
    if show_json:
        out.write(_dumps(result) + "\n")
    return 2 if "error" in result else 0


def _workers(args: list[str]) -> tuple[int, list[str]]:
    """`--workers N` / `--workers=N` (default 1; `--workers auto`: one per usable
    core, at most 4)."""
    rest: list[str] = []
    workers = 1
    it = iter(args)
    for arg in it:
        value = None
        if arg == "--workers":
            value = next(it, "")
        elif arg.startswith("--workers="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
            continue
        if value == "auto":
            workers = default_workers()
            continue
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"--workers needs a whole number >= 1, got {value!r}")
        workers = int(value)
    return workers, rest


def main(argv: Optional[list[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if args and args[0] == "explain":
        return run_explain(args[1:], sys.stdin.buffer, sys.stdout)
    try:
        workers, args = _workers(args)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n{USAGE}")
        return 64
    unknown = [a for a in args if a != "--line-buffered"]
    if unknown:
        sys.stderr.write(f"unknown arguments: {' '.join(unknown)}\n{USAGE}")
        return 64
    try:
        run_batch(sys.stdin.buffer, sys.stdout, line_buffered="--line-buffered" in args, workers=workers)
    except Exception as exc:  # noqa: BLE001 - a worker process died: say so, no traceback
        sys.stderr.write(f"bot.policy: batch aborted: {type(exc).__name__}: {exc}\n")
        return 70
    return 0
