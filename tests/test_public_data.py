"""Public datasets (tests/data/clinc150, tests/data/banking77) and the training lines made from them.

Fast, no model: the committed data parses, its SOURCE.md names the licence, the generated
data/nlu/public/*.yml is what scripts/public_training_data.py produces, and no generated
training line occurs in a test split (CLINC test/oos_test, Banking77 test, the project's
held-out splits tests/nlu/test_nlu.yml and tests/nlu/fresh/).
"""
from __future__ import annotations

import csv
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Dict, Iterable, List, Set

import pytest
import yaml

from tests.domain import domain_dict

ROOT = Path(__file__).resolve().parents[1]
CLINC = ROOT / "tests" / "data" / "clinc150"
BANKING = ROOT / "tests" / "data" / "banking77"
PUBLIC = ROOT / "data" / "nlu" / "public"
GENERATED = ("clinc150.yml", "banking77.yml")
PROJECT_HELD_OUT = (ROOT / "tests" / "nlu" / "test_nlu.yml", ROOT / "tests" / "nlu" / "fresh" / "test_nlu_fresh.yml")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("public_training_data", ROOT / "scripts" / "public_training_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _key(text: str) -> str:
    """Case-insensitive, whitespace-insensitive comparison key (independent of the generator's)."""
    return " ".join(text.lower().split())


def _generated() -> Dict[str, List[str]]:
    """{intent: [lines]} over data/nlu/public/*.yml, parsed as YAML."""
    out: Dict[str, List[str]] = {}
    for name in GENERATED:
        doc = yaml.safe_load((PUBLIC / name).read_text(encoding="utf-8"))
        for block in doc["nlu"]:
            lines = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
            out.setdefault(block["intent"], []).extend(lines)
    return out


def _test_texts() -> Dict[str, Set[str]]:
    """{split name: keys of its texts} for every test split the project uses."""
    clinc = json.loads((CLINC / "test.json").read_text(encoding="utf-8"))
    with (BANKING / "test.csv").open(encoding="utf-8", newline="") as handle:
        banking = {_key(r["text"]) for r in csv.DictReader(handle)}
    splits = {
        "clinc150 test": {_key(t) for t, _ in clinc["test"]},
        "clinc150 oos_test": {_key(t) for t, _ in clinc["oos_test"]},
        "banking77 test": banking,
    }
    for path in PROJECT_HELD_OUT:
        texts = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("    - "):
                texts.add(_key(re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[6:])))
        splits[path.name] = texts
    return splits


def overlaps(train: Iterable[str], splits: Dict[str, Set[str]]) -> Dict[str, List[str]]:
    """{split: training lines found in it} (empty when clean)."""
    found: Dict[str, List[str]] = {}
    for line in train:
        for name, texts in splits.items():
            if _key(line) in texts:
                found.setdefault(name, []).append(line)
    return found


def test_clinc150_files_parse_with_the_documented_sizes():
    train = json.loads((CLINC / "train.json").read_text(encoding="utf-8"))
    test = json.loads((CLINC / "test.json").read_text(encoding="utf-8"))
    assert {k: len(v) for k, v in train.items()} == {"train": 15000, "oos_train": 100}
    assert {k: len(v) for k, v in test.items()} == {"test": 4500, "oos_test": 1000}
    assert len({label for _, label in test["test"]}) == 150
    assert all(isinstance(t, str) and t and label == "oos" for t, label in test["oos_test"])


def test_banking77_files_parse_with_the_documented_sizes():
    for name, rows_expected, refund_rows in (("train.csv", 10003, (169, 162)), ("test.csv", 3080, (40, 40))):
        with (BANKING / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == rows_expected
        assert set(rows[0]) == {"text", "category"}
        cats = [r["category"].lower() for r in rows]
        assert (cats.count("request_refund"), cats.count("refund_not_showing_up")) == refund_rows


@pytest.mark.parametrize("folder, licence, licence_title", [
    (CLINC, "CC BY 3.0", "Attribution 3.0 Unported"),
    (BANKING, "CC BY 4.0", "Attribution 4.0 International"),
])
def test_source_names_the_licence_commit_and_paper(folder, licence, licence_title):
    source = (folder / "SOURCE.md").read_text(encoding="utf-8")
    assert licence in source
    assert re.search(r"\b[0-9a-f]{40}\b", source), "SOURCE.md must pin the upstream commit"
    assert "https://github.com/" in source
    assert ("Larson et al. 2019" if folder == CLINC else "Casanueva et al. 2020") in source
    assert licence_title in (folder / "LICENSE").read_text(encoding="utf-8")


def test_generated_training_data_uses_project_intents_and_clean_lines():
    domain = domain_dict()
    generated = _generated()
    assert set(generated) <= set(domain["intents"])
    assert set(generated) == {"greet", "goodbye", "thank", "bot_challenge", "out_of_scope",
                              "request_refund", "refund_status"}
    lines = [line for v in generated.values() for line in v]
    assert not [line for line in lines if "[" in line or "]" in line]
    assert len({_key(line) for line in lines}) == len(lines), "duplicate generated lines"
    assert 300 <= len(generated["out_of_scope"]) <= 360


def test_generator_is_deterministic():
    """Two builds agree (fixed seeds); the committed files may lag behind project edits
    (`python scripts/public_training_data.py --check` tells), the invariants below may not."""
    gen = _generator()
    assert gen.build() == gen.build()


def test_no_generated_line_has_another_label_in_the_project_data():
    labels: Dict[str, Set[str]] = {}
    for path in (ROOT / "data" / "nlu").rglob("*.yml"):
        if PUBLIC in path.parents:
            continue
        intent = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- intent:"):
                intent = line.split(":", 1)[1].strip()
            elif line.startswith("- "):
                intent = None  # synonym / regex / lookup blocks
            elif intent and line.startswith("    - "):
                text = re.sub(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})", r"\1", line[6:])
                labels.setdefault(_key(text), set()).add(intent.split("/")[0])
    conflicts = sorted(
        (line, intent, sorted(labels[_key(line)]))
        for intent, lines in _generated().items() for line in lines
        if labels.get(_key(line), {intent}) - {intent}
    )
    assert not conflicts, conflicts


def test_no_generated_training_line_occurs_in_a_test_split():
    found = overlaps([line for v in _generated().values() for line in v], _test_texts())
    assert not found, found


def test_overlap_check_catches_a_test_line():
    """The check above can fail: a test utterance (any case/spacing) is reported."""
    splits = _test_texts()
    planted = next(iter(sorted(splits["clinc150 oos_test"])))
    found = overlaps(["an innocent line", "  " + planted.upper() + " "], splits)
    assert list(found) == ["clinc150 oos_test"]
