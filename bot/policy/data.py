"""policy.yaml, loaded once: the figures, enums and rule table the engine reads.

Why a class around the YAML: the other parts code against `load_policy().figures()`
and `.rule("R2").clause`; keeping every number in the data file means a policy
change is a data change plus a test, never a code change."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml

from .errors import PolicyDataError

DATA_FILE = Path(__file__).with_name("policy.yaml")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Rule:
    """One row of the rule table (docs/POLICY_RULES.md)."""

    id: str
    title: str
    clause: str
    reading: str
    fail: str = ""
    note: str = ""
    extra: Mapping[str, str] = None  # type: ignore[assignment]  # note_vip, note_open, ...

    def text(self, key: str) -> str:
        if key in ("fail", "note"):
            return getattr(self, key)
        return (self.extra or {}).get(key, "")


def _offset(text: str) -> timezone:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("+-").split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _hhmm(text: str) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


def _day_range(days: list[str]) -> str:
    """Contiguous weekdays -> "<first> to <last>", else a comma list."""
    idx = [WEEKDAYS.index(d) for d in days]
    if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
        return f"{days[0]} to {days[-1]}"
    return ", ".join(days)


class Policy:
    """The loaded policy. Attributes are plain values the rule modules read."""

    def __init__(self, raw: Mapping[str, Any], path: Optional[Path] = None) -> None:
        self.raw = raw
        self.path = path
        try:
            self.version: str = str(raw["version"])
            self.effective_from: date = date.fromisoformat(str(raw["effective_from"]))
            self.tz: timezone = _offset(raw["timezone"]["offset"])
            self.tz_label: str = str(raw["timezone"]["label"])
            self._figs: dict[str, Any] = {k: v["value"] for k, v in raw["figures"].items()}
            self.figure_sources: dict[str, Mapping[str, Any]] = dict(raw["figures"])
            self.enums: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in raw["enums"].items()}
            self.refund: Mapping[str, Any] = raw["refund"]
            self.compensation: Mapping[str, Any] = raw["compensation"]
            self.icp: Mapping[str, Any] = raw["icp"]
            self.scope: Mapping[str, Any] = raw["scope"]
            self.rule_order: tuple[str, ...] = tuple(raw["rule_order"])
            self._rules = {rid: self._rule(rid, row) for rid, row in raw["rules"].items()}
            self._derive()
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyDataError(f"policy data {path or ''} is inconsistent: {exc!r}") from exc
        self._check()

    @staticmethod
    def _rule(rid: str, row: Mapping[str, Any]) -> Rule:
        known = {"title", "clause", "reading", "fail", "note"}
        extra = {k: str(v) for k, v in row.items() if k not in known}
        return Rule(rid, str(row["title"]), str(row["clause"]), str(row["reading"]),
                    str(row.get("fail", "")), str(row.get("note", "")), extra)

    def _derive(self) -> None:
        """Numbers in the shapes the rules need (hours = days x 24, exact money)."""
        f = self._figs
        self.refund_window = timedelta(days=int(f["refund_days"]))
        self.refund_limit = int(f["refund_limit"])
        self.apply_window = timedelta(days=int(f["compensation_apply_days"]))
        self.multipliers = {k: int(f[k]) for k in ("fault_multiplier", "fault_cap_multiplier")}
        self.icp_min_recharge = Decimal(str(f["icp_min_recharge"]))
        self.icp_rewards = {tier: Decimal(str(f[key])) for tier, key in self.icp["rewards"].items()}
        self.icp_delay_days = Decimal(str(f["icp_delay_days"]))
        self.icp_credit = timedelta(days=int(f["icp_credit_days"]))
        self.icp_valid_years = int(f["icp_valid_years"])
        self.hotline_number = str(f["hotline_number"])
        self.hotline_weekdays = frozenset(WEEKDAYS.index(d) for d in f["hotline_weekdays"])
        self.hotline_open = _hhmm(f["hotline_open"])
        self.hotline_close = _hhmm(f["hotline_close"])
        self.holidays = frozenset(date.fromisoformat(str(d)) for d in f["hotline_holidays"])
        self._figures = self._render_figures()
        self._reason_parts: dict[str, tuple[str, str, str]] = {}  # text.reason's cache
        self._notes: dict[tuple[str, str], str] = {}               # text.note's cache

    def _render_figures(self) -> dict[str, str]:
        f = self._figs
        out = {k: str(v) for k, v in f.items() if not isinstance(v, list)}
        out.update(
            refund_window_hours=str(int(self.refund_window.total_seconds() // 3600)),
            compensation_apply_hours=str(int(self.apply_window.total_seconds() // 3600)),
            hotline_days=_day_range(list(f["hotline_weekdays"])),
            hotline_holidays=", ".join(str(d) for d in f["hotline_holidays"]) or "none",
            hotline_tz=self.tz_label,
            policy_version=self.version,
            policy_effective_from=self.effective_from.isoformat(),
        )
        return out

    def _check(self) -> None:
        missing = [r for r in self.rule_order if r not in self._rules]
        if missing:
            raise PolicyDataError(f"rule_order names rules without a row: {missing}")
        for name, row in self.compensation["scenarios"].items():
            if row["multiplier"] not in self.multipliers:
                raise PolicyDataError(f"scenario {name}: unknown multiplier {row['multiplier']}")

    # --- the public API (docs/ARCHITECTURE.md) --------------------------------
    def figures(self) -> dict[str, str]:
        """Template variables for responses, the FAQ page and explain (a copy)."""
        return dict(self._figures)

    def figure(self, key: str) -> str:
        return self._figures[key]

    def rule(self, rule_id: str) -> Rule:
        """A rule of the table; KeyError for an unknown ID."""
        return self._rules[rule_id]

    def rules(self) -> list[Rule]:
        return [self._rules[r] for r in self.rule_order]

    def rank(self, rule_id: str) -> int:
        return self._rank[rule_id]

    @functools.cached_property
    def _rank(self) -> dict[str, int]:
        return {r: i for i, r in enumerate(self.rule_order)}

    def sort_rules(self, ids) -> list[str]:
        """Unique rule IDs in table order."""
        ids = list(ids)
        if len(ids) < 2:
            return ids
        return sorted(set(ids), key=self._rank.__getitem__)


@functools.lru_cache(maxsize=8)
def _load(path: str) -> Policy:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return Policy(raw, Path(path))


def load_policy(path: Union[str, Path, None] = None) -> Policy:
    """The policy data (cached: read once per process). `path` lets a test or a
    what-if run load another version of the file."""
    return _load(str(Path(path) if path else DATA_FILE))
