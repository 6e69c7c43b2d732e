"""The hotline-deflection FAQ page, generated from the policy data.

Every figure is a `{key}` of `load_policy().figures()` rendered as
`<span data-figure="key">`, every quoted rule is `load_policy().rule(id).clause`
rendered as `<blockquote data-rule="ID">`, and the support-scope lists come from
the policy's scope data. The prose around them holds no digits at all, so the page
cannot state a number the policy does not (tests/web/test_faq.py checks all three).

    python -m bot.web.faq --out var/faq.html     # write the static page
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Mapping, Optional, Sequence

from bot.policy import Policy, load_policy

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Entry:
    """One question: answer paragraphs (with {figure} placeholders), rules quoted."""

    slug: str
    question: str
    answer: Sequence[str]
    rules: Sequence[str]
    ask: str            # what the widget sends (an intent payload) ...
    ask_title: str      # ... and shows as the customer's words
    lists: Sequence[str] = field(default_factory=tuple)  # "provided" / "not_provided"


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    entries: Sequence[Entry]


SECTIONS: Sequence[Section] = (
    Section("refunds", "Refunds", (
        Entry("refund-products", "Which products can be refunded in full?",
              ("Prepaid products: those billed hourly, monthly or yearly (R1). Pay-per-use "
               "products, pay-per-use packages included, are not refundable (R5).",),
              ("R1", "R5"), "/request_refund", "Can my order be refunded?"),
        Entry("refund-window", "How long do I have to ask for a refund?",
              ("Within {refund_days} days of purchase: a request is in time while no more "
               "than {refund_window_hours} hours have passed since the purchase time (R2).",),
              ("R2",), "/request_refund", "Is my order still within the refund window?"),
        Entry("refund-limit", "How many refunds can I request?",
              ("A common customer can request at most {refund_limit} refunds per calendar "
               "year. One request covers one order or one resource; refunding several "
               "counts as several refunds. The published limit is for common customers; "
               "VIP accounts have none (R3).",),
              ("R3",), "/request_refund", "How many refunds do I have left this year?"),
        Entry("refund-blockers", "What stops a refund?",
              ("An invoice that was issued and not returned (R4). A resource of a monthly "
               "or yearly order that is in its grace or reservation period cannot be "
               "refunded, but it can be deleted (R6).",),
              ("R4", "R6"), "/request_refund", "Why can't my order be refunded?"),
        Entry("refund-amount", "How much is refunded, and what happens to my data?",
              ("The full amount paid. Discounts and rewards are cancelled, and any that "
               "cannot be recovered is deducted from the refund (R7).",
               "Back up or migrate your data first: after the refund the resources and "
               "all their data are permanently deleted, so the assistant asks you to "
               "confirm before it submits a request (R8).",
               "The request is submitted, reviewed and confirmed, a refund receipt is "
               "issued, and the refund completes (R9)."),
              ("R7", "R8", "R9"), "/request_refund", "I'd like a refund"),
    )),
    Section("compensation", "Fault compensation", (
        Entry("compensation-when", "When am I compensated for a fault?",
              ("{fault_multiplier} times the cost of the fault duration when the platform "
               "makes cloud servers, storage or network services unavailable, or makes "
               "your website inaccessible (C1).",
               "Up to {fault_cap_multiplier} times the cost of the fault duration when the "
               "platform delays or fails provisioning or a configuration change, or bills "
               "incorrectly; that figure is a ceiling (C2)."),
              ("C1", "C2"), "/report_fault", "I want compensation for a fault"),
        Entry("compensation-formula", "How is the amount calculated?",
              ("The daily cost of the affected service, taken per minute, times the fault's "
               "length in minutes (from its start to its rectification, seconds "
               "included), times the multiplier above. The amount is rounded once, at "
               "the end (C3).",
               "The product's own service level agreement applies too, so the final "
               "amount is confirmed when the application is reviewed (C6)."),
              ("C3", "C6"), "/report_fault", "How much compensation do I get for my fault?"),
        Entry("compensation-exclusions", "Which faults are not compensated?",
              ("Faults with an excluded cause: force majeure and unexpected events, "
               "scheduled maintenance, carrier faults, Internet backbone faults, attacks "
               "or viruses, your own network or devices, improper operation or "
               "negligence on your side, violations of the terms, and other unforeseeable "
               "events not caused by the platform (C4). When the cause is not yet known, "
               "the answer waits for a review of the cause.",),
              ("C4",), "/report_fault", "Is my fault excluded from compensation?"),
        Entry("compensation-deadline", "How long do I have to apply?",
              ("Within {compensation_apply_days} days of the fault, counted from the time "
               "it was rectified: {compensation_apply_hours} hours (C5). While the fault "
               "is still open, the period has not started.",),
              ("C5",), "/report_fault", "Am I still in time to apply for compensation?"),
    )),
    Section("icp", "ICP filing reward", (
        Entry("icp-conditions", "Who gets the ICP filing reward?",
              ("Customers whose website hosts are used with a monthly or yearly "
               "subscription (I1) and serve websites (I2), filing through us for the "
               "first time (I3), with an accumulated recharge of more than "
               "{icp_min_recharge} (I4). Each account gets it once (I5); not when the "
               "service was terminated early or expired without renewal (I6); only for a "
               "filing submitted to the Telecommunications Authority and approved (I7). "
               "A filing delayed by {icp_delay_days} days counts as abandoning the reward "
               "(I8).",),
              ("I1", "I2", "I3", "I4", "I5", "I6", "I7", "I8"),
              "/ask_icp_reward", "Can I get the ICP filing reward?"),
        Entry("icp-amount", "How much is the reward, and when do I get it?",
              ("{icp_reward_common} for a common customer, {icp_reward_vip} for a VIP. It "
               "is credited to your account within {icp_credit_days} days of the "
               "approval, is valid for {icp_valid_years} year, and cannot be withdrawn as "
               "cash (I9).",),
              ("I9",), "/ask_icp_reward", "When will I get my ICP reward?"),
    )),
    Section("support", "What support covers", (
        Entry("support-scope", "What does after-sales support cover?",
              ("Provided (S1):", "Not provided (S2):"),
              ("S1", "S2"), "Is my problem covered by after-sales support?",
              "Is my problem covered by after-sales support?",
              lists=("provided", "not_provided")),
    )),
    Section("contact", "Contact", (
        Entry("contact-hotline", "How do I reach a person?",
              ("Submit a service ticket at any hour, or call the hotline "
               "{hotline_number} (H1).",
               "Refund and compensation help on the hotline: {hotline_days}, "
               "{hotline_open} to {hotline_close} {hotline_tz}, opening time included, "
               "closing time excluded (H2)."),
              ("H1", "H2"), "/ask_hotline", "Is the hotline open now?"),
    )),
)


def fill(template: str, figures: Mapping[str, str]) -> str:
    """Escape the prose and turn each {key} into a tagged figure from the policy."""
    out, last = [], 0
    for match in PLACEHOLDER.finditer(template):
        key = match.group(1)
        if key not in figures:
            raise KeyError(f"FAQ text uses {{{key}}}, which load_policy().figures() lacks")
        out.append(escape(template[last:match.start()]))
        out.append(f'<span class="fig" data-figure="{escape(key)}">{escape(figures[key])}</span>')
        last = match.end()
    out.append(escape(template[last:]))
    return "".join(out)


def _entry_html(entry: Entry, policy: Policy, figures: Mapping[str, str]) -> str:
    parts = [f'<article class="faq-entry" id="{entry.slug}" aria-labelledby="{entry.slug}-q">',
             f'<h3 id="{entry.slug}-q">{escape(entry.question)}</h3>']
    for index, paragraph in enumerate(entry.answer):
        parts.append(f'<p class="answer">{fill(paragraph, figures)}</p>')
        if index < len(entry.lists):
            key = entry.lists[index]
            items = "".join(
                f'<li data-scope-topic="{escape(topic)}">{escape(policy.scope["labels"][topic])}</li>'
                for topic in policy.scope[key]
            )
            parts.append(f'<ul class="scope-list" data-scope="{escape(key)}">{items}</ul>')
    for rule_id in entry.rules:
        rule = policy.rule(rule_id)
        parts.append(
            f'<figure class="clause"><blockquote data-rule="{escape(rule_id)}">'
            f"{escape(rule.clause)}</blockquote><figcaption>Published text, rule "
            f"{escape(rule_id)}: {escape(rule.title)}</figcaption></figure>"
        )
    parts.append(
        f'<button type="button" class="ask" data-ask="{escape(entry.ask)}" '
        f'data-ask-title="{escape(entry.ask_title)}">Ask the assistant about my case</button>'
    )
    parts.append("</article>")
    return "\n".join(parts)


def faq_body(policy: Optional[Policy] = None) -> str:
    """The <main> content of the FAQ page for this policy version."""
    policy = policy or load_policy()
    figures = policy.figures()
    toc = "".join(f'<li><a href="#{s.slug}">{escape(s.title)}</a></li>' for s in SECTIONS)
    sections = "\n".join(
        f'<section class="faq-section" id="{s.slug}" aria-labelledby="{s.slug}-h">'
        f'<h2 id="{s.slug}-h">{escape(s.title)}</h2>\n'
        + "\n".join(_entry_html(e, policy, figures) for e in s.entries)
        + "</section>"
        for s in SECTIONS
    )
    return (
        '<h1>Frequently asked questions</h1>\n'
        f'<p class="lead">Answers from the service-assurance policy, version '
        f'<span class="fig" data-figure="policy_version">{escape(figures["policy_version"])}</span>, '
        f'effective <span class="fig" data-figure="policy_effective_from">'
        f'{escape(figures["policy_effective_from"])}</span>. Each answer quotes the published rule. '
        "For your own orders, ask the assistant.</p>\n"
        f'<nav aria-label="FAQ sections"><ul class="toc">{toc}</ul></nav>\n{sections}'
    )


def faq_page(policy: Optional[Policy] = None, *, rasa_url: str = "http://localhost:5005",
             demo: bool = False) -> str:
    """The complete FAQ document (with the chat widget)."""
    from bot.web.pages import shell

    policy = policy or load_policy()
    return shell("FAQ", faq_body(policy), rasa_url=rasa_url, demo=demo, active="faq",
                 figures=policy.figures())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Write the FAQ page generated from the policy data.")
    parser.add_argument("--out", type=Path, required=True, help="HTML file to write")
    parser.add_argument("--rasa-url", default="http://localhost:5005")
    parser.add_argument("--policy", type=Path, default=None, help="another policy.yaml (what-if)")
    args = parser.parse_args(argv)
    html = faq_page(load_policy(args.policy) if args.policy else None, rasa_url=args.rasa_url)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(html, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
