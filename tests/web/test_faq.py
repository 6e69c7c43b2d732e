"""The FAQ page can never disagree with the policy module.

The generated HTML is parsed; every tagged figure must equal `figures()[key]`, every
quoted clause must equal `rule(id).clause`, the scope lists must equal the policy's,
and the prose outside those elements may hold no digit at all (so no number can be
retyped there). A changed policy file must show up in the page.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from bot.policy import load_policy
from bot.web import faq
from tests.domain import domain_dict

RULE_ID = re.compile(r"\b[RCISH]\d\b")


class Page(HTMLParser):
    """Collects figures, clauses, scope lists, ask buttons and the free prose."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[str, str]] = []
        self.clauses: list[tuple[str, str]] = []
        self.scope: dict[str, list[str]] = {}
        self.asks: list[dict] = []
        self.prose: list[str] = []
        self._stack: list[tuple[str, dict]] = []
        self._capture: list[list] = []  # [kind, key, text parts]
        self._in_main = False
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._stack.append((tag, a))
        if tag == "main":
            self._in_main = True
        if "data-figure" in a:
            self._capture.append(["figure", a["data-figure"], []])
        elif tag == "blockquote" and "data-rule" in a:
            self._capture.append(["clause", a["data-rule"], []])
        elif tag == "figcaption":
            self._capture.append(["caption", None, []])
        elif tag == "li" and "data-scope-topic" in a:
            self._capture.append(["scope", a["data-scope-topic"], []])
        elif tag == "button" and "data-ask" in a:
            self.asks.append(a)
        if tag == "ul" and "data-scope" in a:
            self._current_scope = a["data-scope"]
            self.scope[a["data-scope"]] = []

    def handle_endtag(self, tag):
        if self._stack:
            open_tag, a = self._stack.pop()
            if self._capture and (
                ("data-figure" in a and self._capture[-1][0] == "figure")
                or (open_tag == "blockquote" and "data-rule" in a)
                or open_tag == "figcaption"
                or (open_tag == "li" and "data-scope-topic" in a)
            ):
                kind, key, parts = self._capture.pop()
                text = "".join(parts)
                if kind == "figure":
                    self.figures.append((key, text))
                elif kind == "clause":
                    self.clauses.append((key, text))
                elif kind == "scope":
                    self.scope[self._current_scope].append(key)
        if tag == "main":
            self._in_main = False

    def handle_data(self, data):
        if self._capture:
            self._capture[-1][2].append(data)
        elif self._in_main or any(t == "footer" for t, _ in self._stack):
            self.prose.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def check_against(policy, html: str) -> Page:
    figures = policy.figures()
    page = parse(html)
    assert page.figures, "no tagged figures on the page"
    for key, shown in page.figures:
        assert shown == figures[key], f"figure {key}: page says {shown!r}, policy {figures[key]!r}"
    for rule_id, shown in page.clauses:
        assert shown == policy.rule(rule_id).clause, f"clause {rule_id} differs from the policy"
    quoted = {rule_id for rule_id, _ in page.clauses}
    expected = {f"R{i}" for i in range(1, 10)} | {f"C{i}" for i in range(1, 7)} \
        | {f"I{i}" for i in range(1, 10)} | {"S1", "S2", "H1", "H2"}
    assert expected <= quoted, f"rules not quoted: {sorted(expected - quoted)}"
    assert page.scope == {"provided": list(policy.scope["provided"]),
                          "not_provided": list(policy.scope["not_provided"])}
    prose = RULE_ID.sub("", " ".join(page.prose))
    typed = re.findall(r".{0,30}\d.{0,30}", prose)
    assert not typed, f"a number typed in the FAQ prose: {typed}"
    return page


def test_faq_page_agrees_with_the_policy():
    policy = load_policy()
    page = check_against(policy, faq.faq_page(policy))
    keys = {key for key, _ in page.figures}
    for needed in ("refund_days", "refund_window_hours", "refund_limit", "fault_multiplier",
                   "fault_cap_multiplier", "compensation_apply_days", "icp_min_recharge",
                   "icp_reward_common", "icp_reward_vip", "icp_delay_days", "icp_credit_days",
                   "icp_valid_years", "hotline_number", "hotline_days", "hotline_open",
                   "hotline_close", "hotline_tz", "policy_version"):
        assert needed in keys, f"the FAQ does not state {needed}"


def test_every_answer_has_an_ask_button_with_a_known_intent():
    page = parse(faq.faq_page())
    entries = sum(len(s.entries) for s in faq.SECTIONS)
    assert len(page.asks) == entries
    intents = set(domain_dict()["intents"])
    for ask in page.asks:
        assert ask["data-ask-title"]
        if ask["data-ask"].startswith("/"):
            assert ask["data-ask"][1:] in intents, ask["data-ask"]


def test_a_policy_change_shows_up_in_the_page(tmp_path):
    raw = yaml.safe_load(Path(load_policy().path).read_text(encoding="utf-8"))
    raw["version"] = "what-if-1"
    raw["figures"]["refund_limit"]["value"] = 12
    raw["figures"]["hotline_number"]["value"] = "+86-4000-000-111"
    raw["rules"]["R4"]["clause"] = "Changed clause: invoices must be returned first."
    raw["scope"]["not_provided"] = raw["scope"]["not_provided"][:-1]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    changed = load_policy(path)
    html = faq.faq_page(changed)
    page = check_against(changed, html)
    shown = dict(page.figures)
    assert shown["refund_limit"] == changed.figures()["refund_limit"] != load_policy().figures()["refund_limit"]
    assert shown["hotline_number"] == "+86-4000-000-111"
    assert "what-if-1" in html and "Changed clause: invoices must be returned first." in html
    # and the check really catches a page that disagrees
    with pytest.raises(AssertionError):
        check_against(load_policy(), html)


def test_cli_writes_the_page(tmp_path):
    out = tmp_path / "faq.html"
    assert faq.main(["--out", str(out)]) == 0
    check_against(load_policy(), out.read_text(encoding="utf-8"))


def test_unknown_placeholder_is_an_error():
    with pytest.raises(KeyError, match="no_such_figure"):
        faq.fill("{no_such_figure}", load_policy().figures())
