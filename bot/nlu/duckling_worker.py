"""Duckling (the GHC runtime behind pyduckling) in a small child process.

Why: loaded into the same process as TensorFlow, the Haskell runtime corrupted the C
heap now and then (glibc "malloc(): smallbin double linked list corrupted" aborts
during Rasa inference, about one run in three; never without Duckling loaded). A
child that imports nothing but `duckling` keeps the two runtimes apart, costs about
0.1 ms per call over a pipe, and is restarted if it ever dies.

Protocol: one JSON object per line on stdin {"text", "lang", "ts", "dims"}; one JSON
line back: {"ok": [...duckling matches...]} or {"error": "..."}. EOF ends the child.
"""
from __future__ import annotations

import json
import sys
from functools import lru_cache
from typing import Any, Dict, List, Tuple

ZONEINFO = "/usr/share/zoneinfo"
TIMEZONE = "Asia/Shanghai"


@lru_cache(maxsize=1)
def _runtime() -> Tuple[Any, Any]:
    import duckling

    return duckling, duckling.load_time_zones(ZONEINFO)


@lru_cache(maxsize=4)
def _locale(lang: str) -> Any:
    duckling, _ = _runtime()
    return duckling.default_locale_lang(duckling.parse_lang(lang))


@lru_cache(maxsize=8)
def _dimensions(dims: Tuple[str, ...]) -> Any:
    duckling, _ = _runtime()
    return duckling.parse_dimensions(list(dims))


def parse(text: str, lang: str, ts: int, dims: Tuple[str, ...]) -> List[dict]:
    """Duckling matches for text at reference timestamp ts in UTC+08:00."""
    duckling, tz_db = _runtime()
    ref_time = duckling.parse_ref_time(tz_db, TIMEZONE, int(ts))
    matches = duckling.parse(text, duckling.Context(ref_time, _locale(lang)), _dimensions(dims), False)
    for match in matches:  # the alternative readings are never used; keep the pipe small
        match.get("value", {}).pop("values", None)
    return matches


def main() -> int:
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # load_time_zones prints the path
        _runtime()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        reply: Dict[str, Any]
        try:
            req = json.loads(line)
            reply = {"ok": parse(req["text"], req["lang"], req["ts"], tuple(req["dims"]))}
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: B036 - a Rust panic is a BaseException;
            # a bad request must not kill the worker
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
