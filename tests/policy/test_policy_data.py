"""The policy as data: every figure lives in policy.yaml, with its clause;
the code retypes none of them; a policy change is a data change."""
from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.policy import decide, load_policy
from bot.policy.data import Policy
from policy_cases import ago, item, refund

PACKAGE = Path(__file__).resolve().parents[2] / "bot" / "policy"
# A copy of ../shared/seed/service-assurance.txt kept in the repo so the check always runs.
PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "published" / "service-assurance.txt"

#: docs/ARCHITECTURE.md "Policy figures": the keys five other parts render.
ARCHITECTURE_KEYS = ["refund_days", "refund_window_hours", "refund_limit", "fault_multiplier",
                     "fault_cap_multiplier", "compensation_apply_days", "icp_min_recharge",
                     "icp_reward_common", "icp_reward_vip", "icp_delay_days", "icp_credit_days",
                     "icp_valid_years", "hotline_number", "hotline_days", "hotline_open", "hotline_close",
                     "hotline_tz", "policy_version"]
RULE_IDS = [f"R{i}" for i in range(1, 10)] + [f"C{i}" for i in range(1, 7)] + \
           [f"I{i}" for i in range(1, 10)] + ["S1", "S2", "H1", "H2"]


def test_figures_has_every_architecture_key_as_a_string():
    figures = load_policy().figures()
    for key in ARCHITECTURE_KEYS:
        assert isinstance(figures[key], str) and figures[key], key


def test_figures_today_match_the_architecture_table():
    f = load_policy().figures()
    assert (f["refund_days"], f["refund_window_hours"], f["refund_limit"]) == ("5", "120", "10")
    assert (f["fault_multiplier"], f["fault_cap_multiplier"], f["compensation_apply_days"]) == ("100", "2", "7")
    assert (f["icp_min_recharge"], f["icp_reward_common"], f["icp_reward_vip"]) == ("200", "100", "200")
    assert (f["icp_delay_days"], f["icp_credit_days"], f["icp_valid_years"]) == ("10", "7", "1")
    assert f["hotline_number"] == "+86-4000-955-988"
    assert (f["hotline_days"], f["hotline_open"], f["hotline_close"], f["hotline_tz"]) == \
        ("Monday to Friday", "09:00", "18:00", "UTC+08:00")
    assert f["policy_version"] == load_policy().version


def test_figures_is_a_copy():
    load_policy().figures()["refund_days"] = "99"
    assert load_policy().figures()["refund_days"] == "5"


def test_every_figure_names_its_rule_and_clause():
    policy = load_policy()
    for key, row in policy.figure_sources.items():
        assert row["rule"] in RULE_IDS, key
        assert row["clause"].strip(), key


def test_version_and_effective_date():
    policy = load_policy()
    assert policy.version and policy.effective_from.isoformat() == load_policy().figures()["policy_effective_from"]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_rule_has_a_row_with_published_clause(rule_id):
    rule = load_policy().rule(rule_id)
    assert rule.id == rule_id and rule.title and rule.clause and rule.reading


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_figure_clauses_are_quoted_from_the_published_text():
    published = _normal(PUBLISHED.read_text(encoding="utf-8"))
    for key, row in load_policy().figure_sources.items():
        if row["clause"].startswith("(not in the published text)"):
            continue
        assert _normal(row["clause"]).rstrip(".") in published, key
    for cause, bullet in load_policy().compensation["cause_clauses"].items():
        assert _normal(bullet) in published, cause


def test_every_excluded_cause_has_its_published_bullet():
    comp = load_policy().compensation
    assert set(comp["cause_clauses"]) == set(comp["excluded_causes"])


def test_no_policy_figure_is_retyped_in_the_code():
    """Numbers of the policy (5, 7, 10, 100, 120, 168, 200) and the hotline's
    number and hours appear in no Python file of bot/policy (powers of ten for
    decimal scaling excepted)."""
    numbers = {5, 7, 10, 100, 120, 168, 200}
    allowed_names = {"_CENTS"}  # compensation.py: money is shown to 0.01 (100 cents), not C1's 100
    words = ["4000-955-988", "09:00", "18:00", "Monday to Friday"]
    offenders = []
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        powers = {id(n.left) for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow)}
        powers |= {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                   and any(getattr(t, "id", None) in allowed_names for t in n.targets)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and type(node.value) in (int, float) and node.value in numbers \
                    and id(node) not in powers:
                offenders.append(f"{path.name}:{node.lineno}: {node.value}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                offenders += [f"{path.name}:{node.lineno}: {w!r}" for w in words if w in node.value]
    assert not offenders, offenders


def test_a_policy_change_is_a_data_change():
    raw = dict(load_policy().raw)
    raw["figures"] = {k: dict(v) for k, v in raw["figures"].items()}
    raw["figures"]["refund_days"]["value"] = 6
    raw["version"] = "test-6-days"
    six = Policy(raw)
    case = refund([item(purchased_at=ago(timedelta(days=5, seconds=1)))])
    assert decide(case)["decision"] == "ineligible"
    changed = decide(case, six)
    assert changed["decision"] == "eligible" and changed["policy_version"] == "test-6-days"
    assert six.figures()["refund_window_hours"] == str(6 * 24)


def test_reasons_are_composed_from_the_rule_table():
    d = decide(refund([item(invoice="issued")]))
    rule = load_policy().rule("R4")
    assert d["reasons"] == [f'Item CS2611270001: R4 ({rule.title}) is not met: {rule.fail}. '
                            f'The policy says: "{rule.clause}"']


def test_policy_is_loaded_once():
    assert load_policy() is load_policy()
