"""`python -m bot.scaleout.serve run ...`: the `rasa` command with measured fixes.

Why: profiling the Rasa server under load (docs/PERFORMANCE.md) showed about a
third of its CPU in `RemoteAction._validate_action_result`, which calls
`jsonschema.validate()` on every action server reply; that function re-checks the
schema against its meta-schema and builds a new validator each time (~30 ms per
call for Rasa's event schema, several calls per turn). The launcher compiles the
validator once and validates with the very same schema, so a malformed action
server reply is still rejected with the same `ValidationError`.

Everything else is plain `rasa`: any argument list `rasa` accepts works here, e.g.
`python -m bot.scaleout.serve run --model models/assistant.tar.gz --port 5005`.
The thread settings of docs/PERFORMANCE.md are applied as defaults (an explicit
environment variable wins).
"""
from __future__ import annotations

import functools
import os
import sys
from typing import Any, Callable, Optional

#: Defaults measured on a 2-core machine (docs/PERFORMANCE.md); env wins.
THREAD_ENV = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # Telemetry re-reads the whole model archive at start-up (and has no network here).
    "RASA_TELEMETRY_ENABLED": "false",
}

_PATCHED = False


@functools.lru_cache(maxsize=None)
def _compiled_validator() -> Any:
    """Rasa's action-response schema, checked once and compiled once."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _fast_validate_action_result(self: Any, result: dict) -> bool:
    """Same contract as RemoteAction._validate_action_result, with a cached validator."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match

    from rasa.shared.constants import DOCS_BASE_URL

    error: Optional[ValidationError] = best_match(_compiled_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response "
        "from the Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions")
    raise error


_ORIGINAL_MINIMAL: Optional[Callable[..., Any]] = None


def _cached_minimal_graph_schema(self: Any, targets: Optional[list] = None) -> Any:
    """GraphSchema.minimal_graph_schema, memoised per schema and target list.

    Rasa prunes its (immutable, loaded-once) inference graph to the requested targets
    on every parse and every prediction, walking every dependency path again.
    """
    cache = self.__dict__.setdefault("_assurance_minimal_cache", {})
    key = tuple(targets) if targets else None
    if key not in cache:
        assert _ORIGINAL_MINIMAL is not None
        cache[key] = _ORIGINAL_MINIMAL(self, targets)
    return cache[key]


def apply_patches() -> None:
    """Install the fixes (idempotent)."""
    global _PATCHED, _ORIGINAL_MINIMAL
    if _PATCHED:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.engine.graph import GraphSchema

    RemoteAction._validate_action_result = _fast_validate_action_result  # type: ignore[assignment]
    if GraphSchema.minimal_graph_schema is not _cached_minimal_graph_schema:
        _ORIGINAL_MINIMAL = GraphSchema.minimal_graph_schema
    GraphSchema.minimal_graph_schema = _cached_minimal_graph_schema  # type: ignore[assignment]
    _PATCHED = True


def main(argv: Optional[list[str]] = None, rasa_main: Optional[Callable[[], None]] = None) -> None:
    for key, value in THREAD_ENV.items():
        os.environ.setdefault(key, value)
    apply_patches()
    sys.argv = ["rasa"] + list(sys.argv[1:] if argv is None else argv)
    if rasa_main is None:
        from rasa.__main__ import main as stock_main

        rasa_main = stock_main
    rasa_main()


if __name__ == "__main__":
    main()
