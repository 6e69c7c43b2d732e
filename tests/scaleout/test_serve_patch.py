"""bot.scaleout.serve's cached action-response validator accepts and rejects exactly
what Rasa's own `RemoteAction._validate_action_result` does (same schema), only
without rebuilding the validator per call (docs/PERFORMANCE.md)."""
from __future__ import annotations

import time

import pytest

action = pytest.importorskip("rasa.core.actions.action")
from jsonschema import ValidationError  # noqa: E402

from bot.scaleout import serve  # noqa: E402

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "refund_item", "value": "CS2611240001", "timestamp": None}],
     "responses": [{"response": "utter_service_down", "hotline_number": "x"}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "action_x"}]},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"events": [{"event": "slot", "name": 5}]},
    {"responses": "nope"},
]


@pytest.mark.parametrize("result", GOOD)
def test_valid_replies_pass_both(result) -> None:
    ra = action.RemoteAction("x", None)
    assert action.RemoteAction._validate_action_result(ra, result) is True
    assert serve._fast_validate_action_result(ra, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_replies_fail_both(result) -> None:
    ra = action.RemoteAction("x", None)
    original_rejects = fast_rejects = False
    try:
        action.RemoteAction._validate_action_result(ra, result)
    except ValidationError:
        original_rejects = True
    try:
        serve._fast_validate_action_result(ra, result)
    except ValidationError as err:
        fast_rejects = True
        assert "Failed to validate Action server response" in err.message
    assert original_rejects == fast_rejects


def test_patch_installs_and_is_much_faster(monkeypatch) -> None:
    monkeypatch.setattr(serve, "_PATCHED", False)
    original = action.RemoteAction._validate_action_result
    monkeypatch.setattr(action.RemoteAction, "_validate_action_result", original)
    ra = action.RemoteAction("x", None)
    t0 = time.perf_counter()
    for _ in range(5):
        original(ra, GOOD[1])
    slow = time.perf_counter() - t0
    serve.apply_patches()
    assert action.RemoteAction._validate_action_result is serve._fast_validate_action_result
    ra.__class__._validate_action_result(ra, GOOD[1])  # warm the cache
    t0 = time.perf_counter()
    for _ in range(5):
        ra._validate_action_result(GOOD[1])
    fast = time.perf_counter() - t0
    assert fast * 5 < slow, (fast, slow)


def test_minimal_graph_schema_memo_returns_the_same_pruning() -> None:
    from rasa.engine.graph import GraphSchema, SchemaNode
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

    def node(**needs: str) -> SchemaNode:
        return SchemaNode(needs=needs, uses=WhitespaceTokenizer, constructor_name="create",
                          fn="process", config={})

    schema = GraphSchema({"a": node(), "b": node(x="a"), "c": node(x="b"), "d": node(x="a")})
    serve.apply_patches()
    original = serve._ORIGINAL_MINIMAL
    for targets in (["c"], ["d"], ["b", "d"], None):
        expected = set(original(schema, targets).nodes)
        first = schema.minimal_graph_schema(targets)
        assert set(first.nodes) == expected
        assert schema.minimal_graph_schema(targets) is first  # memoised
