"""docs/POLICY_RULES.md is the rule table the code implements: its figures, rule
rows, data keys and code references must match policy.yaml and the source tree,
so the page cannot drift from what the engine does."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.policy import decide, load_policy
from policy_cases import compensation, icp

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "POLICY_RULES.md"
PUBLISHED = ROOT / "docs" / "published" / "service-assurance.txt"
TEXT = DOC.read_text(encoding="utf-8")

_ROW = re.compile(r"^\|(.+)\|\s*$", re.M)
_CODE_REF = re.compile(r"`((?:bot|actions|tests)/[\w/]+\.py)(?:::(\w+))?`")
_DATA_REF = re.compile(r"`((?:figures|rules|refund|compensation|icp|scope|timezone)\.[\w.]+)`")


def rows() -> list[list[str]]:
    """Every table row of the page, cells stripped (header and rule lines skipped)."""
    out = []
    for match in _ROW.finditer(TEXT):
        cells = [c.strip() for c in match.group(1).split("|")]
        if set("".join(cells)) <= set("-: ") or cells[0] in ("figure", "ID"):
            continue
        out.append(cells)
    return out


def figure_rows() -> dict[str, str]:
    return {cells[0].strip("`"): cells[1] for cells in rows() if cells[0].startswith("`")}


def rule_rows() -> dict[str, list[str]]:
    return {cells[0]: cells for cells in rows() if re.fullmatch(r"[RCISH]\d", cells[0])}


def test_every_figure_row_shows_todays_value():
    figures = load_policy().figures()
    shown = figure_rows()
    assert shown, "no figures table found"
    wrong = {k: (v, figures.get(k)) for k, v in shown.items() if figures.get(k) != v}
    assert not wrong, f"figures in docs/POLICY_RULES.md differ from policy.yaml: {wrong}"


def test_figure_quotes_are_the_published_words():
    published = " ".join(PUBLISHED.read_text(encoding="utf-8").split())
    quotes = [q for cells in rows() if cells[0].startswith("`") for q in re.findall(r'"([^"]+)"', cells[-1])]
    assert quotes
    absent = [q for q in quotes if q not in published]
    assert not absent, f"quoted as published but not in the published text: {absent}"


def test_every_stored_figure_has_a_row():
    policy = load_policy()
    stored = [k for k, row in policy.figure_sources.items() if not isinstance(row["value"], list)]
    missing = [k for k in stored if k not in figure_rows()]
    assert not missing, f"figures in policy.yaml without a row in docs/POLICY_RULES.md: {missing}"


def test_one_row_per_rule_in_table_order():
    assert list(rule_rows()) == list(load_policy().rule_order)


@pytest.mark.parametrize("rule_id", list(load_policy().rule_order))
def test_each_rule_row_names_its_data_and_code(rule_id):
    cells = rule_rows()[rule_id]
    data, code = cells[-2], cells[-1]
    assert f"`rules.{rule_id}`" in data, f"{rule_id}: the data column should name rules.{rule_id}"
    assert _CODE_REF.search(code), f"{rule_id}: the code column names no file"


def _resolve(raw: Any, dotted: str) -> bool:
    node = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_data_references_exist_in_policy_yaml():
    raw = load_policy().raw
    refs = set(_DATA_REF.findall(TEXT))
    assert refs
    stale = sorted(r for r in refs if not _resolve(raw, r))
    assert not stale, f"docs/POLICY_RULES.md names keys policy.yaml does not have: {stale}"


def _defines(source: str, name: str) -> bool:
    pattern = rf"^\s*(?:async\s+def|def|class)\s+{name}\b|^{name}\s*(?::[^=]+)?="
    return re.search(pattern, source, re.M) is not None


def test_code_references_exist():
    refs = set(_CODE_REF.findall(TEXT))
    assert refs
    stale = []
    for path, name in sorted(refs):
        file = ROOT / path
        if not file.is_file():
            stale.append(path)
        elif name and not _defines(file.read_text(encoding="utf-8"), name):
            stale.append(f"{path}::{name}")
    assert not stale, f"docs/POLICY_RULES.md points at code that is not there: {stale}"


def test_worked_examples_match_the_engine():
    examples = TEXT.split("## Worked examples", 1)[1]
    c1 = decide(compensation())
    i1 = decide(icp())
    assert c1["compensation"] in examples and c1["duration_minutes"].split(".")[0] in examples
    assert i1["reward_amount"] in examples
    for moment in (c1["apply_by"], i1["credit_by"], i1["valid_until"]):
        assert moment[:16] in examples, moment  # shown to the minute
