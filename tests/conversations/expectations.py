"""What each `expect` key of the blind conversation format means in terms of what
the assistant did in one turn (tests/conversations/blind/*.yml, format in
docs: /work/briefs/conversation_format.md).

ONE table-driven module: the format's vocabulary (which keys, which `asks` names,
topics, decisions) and, for each, what counts as the assistant doing it:

* the domain response names of the turn's bot messages (Rasa 3.6 puts the response
  name in `BotUttered.metadata.utter_action` for every templated response, also the
  ones a custom action utters with `dispatcher.utter_message(response=...)`);
* the form state after the turn (`active_loop`, the `requested_slot` slot);
* the store delta of the turn (claims filed, tickets opened);
* the turn's text, for figures (amounts, dates, minutes, rule IDs) and for leaks.

The mapping was built by reading the domain (domain/) and actions/ (refund.py, compensation.py,
icp.py, scope.py, contact.py, handoff.py, smalltalk.py, faq.py). Where the assistant
has no way to do what the format asks (no question for the fault cause, no read-back
of the fault period), the table still names what WOULD count (the slot or response a
future version would naturally use) and the check simply fails today; nothing is
special-cased away.

Everything here is pure (no Rasa, no network): `check_turn`, `check_outcome` and
`leaks` work on plain observations built by tests/conversations/suite.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

# --- the format's vocabulary ------------------------------------------------------

ACCOUNTS = ("guest", "C1001", "C1002", "C1003", "C1004", "C1005")
CONVERSATION_KEYS = ("id", "persona", "account", "turns", "outcome")
REQUIRED_CONVERSATION_KEYS = ("id", "account", "turns")
TURN_KEYS = ("user", "expect")
EXPECT_KEYS = ("topic", "asks", "decision", "rules", "amount", "minutes", "apply_by", "scope",
               "hotline_open", "ticket", "filed")
OUTCOME_KEYS = ("ticket", "filed")
TOPICS = ("refund", "refund_status", "compensation", "icp_reward", "hotline", "scope", "faq",
          "handoff", "smalltalk", "out_of_scope", "stop")
DECISIONS = ("eligible", "ineligible", "undetermined", "partially_eligible")
SCOPES = ("provided", "not_provided")
RULE_ID = re.compile(r"^[RCISH]\d{1,2}$")


@dataclass(frozen=True)
class Ask:
    """One `asks` name: the slots whose question it is, and the responses that ask it.

    `slots`: a form's `requested_slot` values that mean "asking this" (a form asks
    `utter_ask_<slot>` / `action_ask_<slot>`; both are derived from the slot names).
    `responses`: further response names that ask it (custom `action_ask_*` wording).
    `gap`: why today's assistant has no way to ask it (the check fails; reported)."""

    slots: Tuple[str, ...]
    responses: Tuple[str, ...] = ()
    gap: str = ""

    def response_names(self) -> FrozenSet[str]:
        return frozenset(self.responses) | frozenset(f"utter_ask_{s}" for s in self.slots)


#: asks name -> what counts as asking it (domain/ slots/forms, actions/*.py asks)
ASKS: Dict[str, Ask] = {
    # refund (refund_form; action_ask_refund_item utters one of three wordings)
    "refund_item": Ask(("refund_item",), ("utter_ask_refund_item_choose", "utter_ask_refund_item_none",
                                          "utter_ask_refund_item_other")),
    "billing": Ask(("billing",)),
    "purchased_at": Ask(("purchased_at",)),
    "invoice": Ask(("invoice",)),
    "resource_state": Ask(("resource_state",)),
    "amount_paid": Ask(("amount_paid",)),
    "discounts": Ask(("unrecoverable_discounts",)),
    "customer_tier": Ask(("customer_tier",)),
    "refunds_this_year": Ask(("refunds_this_year",)),
    # refund (R8 yes) or compensation filing yes: action_ask_refund_confirmed / _fault_confirmed
    "confirm": Ask(("refund_confirmed", "fault_confirmed")),
    # compensation (fault_form)
    "incident": Ask(("fault_incident",)),
    "affected_order": Ask(("fault_order",)),
    "scenario": Ask(("scenario",)),
    "fault_cause": Ask(("fault_cause",), gap="the cause is never asked: it is read wherever the "
                                             "customer states it, else the review decides (C4)"),
    "fault_start": Ask(("fault_start",)),
    "fault_end": Ask(("fault_end",)),
    "daily_cost": Ask(("daily_cost",)),
    "period_confirm": Ask(("period_confirm", "period_confirmed", "fault_period_confirmed"),
                          gap="fault_form never reads the fault period back for a yes/no"),
    # ICP reward (icp_form)
    "host_subscription": Ask(("host_subscription",)),
    "used_for_website": Ask(("used_for_website",)),
    "first_filing": Ask(("first_with_provider",)),
    "accumulated_recharge": Ask(("accumulated_recharge",)),
    "reward_received": Ask(("icp_reward_received",)),
    "host_status": Ask(("host_status",)),
    "filing_status": Ask(("filing_status",)),
    "approved_at": Ask(("approved_at",)),
    "delay_days": Ask(("customer_delay_days",)),
}

#: Responses that end a turn with a question but ask for none of the facts above: a
#: turn whose LAST question is one of these does not ask the expected fact.
OTHER_QUESTIONS = frozenset({
    "utter_ask_continue_form", "utter_ask_icp_filing", "utter_offer_ticket", "utter_anything_else",
    "utter_greet", "utter_default", "utter_thank", "utter_out_of_scope", "utter_restart", "utter_back",
})


@dataclass(frozen=True)
class Topic:
    """What the assistant is dealing with: a form active after the turn, or a
    response of that topic in the turn (exact names or name prefixes)."""

    forms: Tuple[str, ...] = ()
    responses: Tuple[str, ...] = ()
    prefixes: Tuple[str, ...] = ()
    #: the topic is only shown when no form is active after the turn (stop)
    needs_no_form: bool = False

    def matches(self, name: str) -> bool:
        return name in self.responses or any(name.startswith(p) for p in self.prefixes)


#: policy answers about one check count for that check's topic too ("can I cash it out?"
#: after the ICP decision is answered by utter_faq/reward_validity: the ICP reward topic)
FAQ_SUBJECTS: Dict[str, Tuple[str, ...]] = {
    "refund": tuple(f"utter_faq/{k}" for k in ("products_covered", "refund_window", "refund_limit", "invoice",
                                                "discounts", "data_deletion", "refund_process", "pay_per_use",
                                                "grace_period")),
    "compensation": tuple(f"utter_faq/{k}" for k in ("compensation_formula", "compensation_exclusions",
                                                      "compensation_deadline", "compensation_payout",
                                                      "billing_correction")),
    "icp_reward": tuple(f"utter_faq/{k}" for k in ("reward_amount", "reward_validity", "reward_conditions",
                                                    "reward_payout", "filing_rejection")),
}

TOPIC_TABLE: Dict[str, Topic] = {
    "refund": Topic(
        forms=("refund_form",),
        responses=("utter_ask_refund_item", "utter_ask_refund_item_choose", "utter_ask_refund_item_none",
                   "utter_ask_refund_item_other",
                   "utter_ask_refunds_this_year", "utter_ask_billing", "utter_ask_purchased_at",
                   "utter_ask_invoice", "utter_ask_resource_state", "utter_ask_amount_paid",
                   "utter_ask_unrecoverable_discounts", "utter_ask_refund_confirmed",
                   "utter_explain_purchased_at", "utter_explain_amount_paid",
                   "utter_explain_unrecoverable_discounts", "utter_explain_refund_item",
                   "utter_claim_exists") + FAQ_SUBJECTS["refund"],
        prefixes=("utter_refund_",)),
    "refund_status": Topic(
        responses=("utter_status_guest", "utter_status_none", "utter_status_intro",
                   "utter_status_unknown_reference"),
        prefixes=("utter_claim_status_",)),
    "compensation": Topic(
        forms=("fault_form",),
        responses=("utter_ask_fault_incident", "utter_incident_not_found", "utter_ask_fault_order",
                   "utter_ask_scenario", "utter_ask_fault_start", "utter_ask_fault_end",
                   "utter_ask_daily_cost", "utter_ask_fault_confirmed", "utter_explain_daily_cost",
                   "utter_explain_fault_start", "utter_explain_fault_end",
                   "utter_claim_exists") + FAQ_SUBJECTS["compensation"],
        prefixes=("utter_fault_",)),
    "icp_reward": Topic(
        forms=("icp_form",),
        responses=("utter_ask_icp_filing", "utter_filing_not_found", "utter_ask_host_subscription",
                   "utter_ask_used_for_website", "utter_ask_host_status", "utter_ask_first_with_provider",
                   "utter_ask_filing_status", "utter_ask_approved_at", "utter_ask_customer_delay_days",
                   "utter_ask_accumulated_recharge", "utter_ask_icp_reward_received",
                   "utter_explain_host_status", "utter_explain_filing_status") + FAQ_SUBJECTS["icp_reward"],
        prefixes=("utter_icp_",)),
    "hotline": Topic(responses=("utter_hotline", "utter_hotline_open_now", "utter_hotline_closed_now",
                                "utter_hotline_open_then", "utter_hotline_closed_then")),
    "scope": Topic(responses=("utter_scope_provided", "utter_scope_not_provided", "utter_scope_provided_list",
                              "utter_scope_unknown", "utter_scope_overview", "utter_offer_ticket")),
    "faq": Topic(responses=("utter_faq_unknown",), prefixes=("utter_faq/",)),
    "handoff": Topic(responses=("utter_handoff_ticket", "utter_handoff_after_fallback", "utter_ticket_limit",
                                "utter_handoff_offer")),
    "smalltalk": Topic(responses=("utter_greet", "utter_goodbye", "utter_thank", "utter_iamabot",
                                  "utter_anything_else")),
    "out_of_scope": Topic(responses=("utter_out_of_scope",)),
    "stop": Topic(responses=("utter_form_cancelled", "utter_form_stopped"), needs_no_form=True),
}

#: decision -> the responses that state it (refund, compensation, ICP reward)
DECISION_RESPONSES: Dict[str, FrozenSet[str]] = {
    "eligible": frozenset({"utter_refund_eligible_full", "utter_refund_eligible_deducted",
                           "utter_refund_eligible_provisional", "utter_icp_eligible_provisional",
                           "utter_fault_amount", "utter_fault_amount_cap", "utter_icp_eligible"}),
    # "None of your recent orders / filings qualifies: • … (R2)" rules out every one
    "ineligible": frozenset({"utter_refund_ineligible", "utter_fault_ineligible", "utter_icp_ineligible",
                             "utter_refund_none_qualify", "utter_icp_none_qualify"}),
    "undetermined": frozenset({"utter_refund_undetermined", "utter_fault_undetermined",
                               "utter_fault_cause_review", "utter_fault_still_open",
                               "utter_icp_undetermined", "utter_icp_waiting_approval"}),
}
#: the refund answers of one item; some eligible and some not in one turn = partial
REFUND_ELIGIBLE = frozenset({"utter_refund_eligible_full", "utter_refund_eligible_deducted"})
REFUND_INELIGIBLE = frozenset({"utter_refund_ineligible"})

SCOPE_RESPONSES = {"provided": frozenset({"utter_scope_provided"}),
                   "not_provided": frozenset({"utter_scope_not_provided"})}
#: open or closed now, or at the time the customer asked about ("if I ring tomorrow?")
HOTLINE_RESPONSES = {True: frozenset({"utter_hotline_open_now", "utter_hotline_open_then"}),
                     False: frozenset({"utter_hotline_closed_now", "utter_hotline_closed_then"})}

#: store claim kinds: a ticket (handoff, H1) vs a filed claim
TICKET_KINDS = frozenset({"ticket"})
FILED_KINDS = frozenset({"refund", "compensation", "icp_reward"})
TICKET_RESPONSES = frozenset({"utter_handoff_ticket"})
FILED_RESPONSES = frozenset({"utter_refund_filed", "utter_fault_filed", "utter_refund_filed_guest", "utter_fault_filed_guest"})


def referenced_responses() -> FrozenSet[str]:
    """Every response name the tables name outright (tests check them in domain/);
    the `gap` asks are left out: they name what does not exist yet."""
    names = set(OTHER_QUESTIONS)
    for ask in ASKS.values():
        if not ask.gap:
            names |= ask.response_names()
    for topic in TOPIC_TABLE.values():
        names |= set(topic.responses)
    for group in (DECISION_RESPONSES, SCOPE_RESPONSES, HOTLINE_RESPONSES):
        for value in group.values():
            names |= value
    return frozenset(names | TICKET_RESPONSES | FILED_RESPONSES)


# --- observations (built by suite.py from the tracker and the store) ------------------


@dataclass
class Reply:
    text: str
    response: Optional[str] = None  # BotUttered.metadata.utter_action
    buttons: List[str] = field(default_factory=list)  # titles (what the customer sees)


@dataclass
class Claim:
    reference: str
    kind: str
    status: str = ""
    amount: Optional[str] = None


@dataclass
class TurnObservation:
    user: str
    replies: List[Reply] = field(default_factory=list)
    active_loop: Optional[str] = None
    requested_slot: Optional[str] = None
    slots: Dict[str, Any] = field(default_factory=dict)
    actions: List[str] = field(default_factory=list)
    intent: Optional[str] = None
    slots_set: Dict[str, Any] = field(default_factory=dict)  # SlotSet events of this turn
    new_claims: List[Claim] = field(default_factory=list)
    error: Optional[str] = None  # the channel refused or failed (status/body)
    channel_texts: Optional[List[str]] = None  # what the REST channel answered

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies if r.text)

    @property
    def responses(self) -> List[str]:
        return [r.response for r in self.replies if r.response]


@dataclass
class Check:
    key: str  # "asks", "decision", "outcome.ticket", "leak", ...
    expected: Any
    ok: bool
    observed: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}={_show(self.expected)}"


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


# --- matchers for figures in text ------------------------------------------------------

_CURRENCY_BEFORE = r"(?:¥|￥|\$|US\$|CNY|RMB|USD)\s?"
_CURRENCY_AFTER = r"\s?(?:元|块|yuan|CNY|RMB|USD|dollars?|rmb)"
#: a number as people write money: 17520.00, 17,520.00, 17 520.00
#: (ASCII letters before a number make it part of an ID such as RF-DEM001; anything
#: CJK around it, as in 赔偿316.67元, is fine)
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.,:/\-])(\d{1,3}(?:[, ]\d{3})+|\d+)(\.\d+)?(?![0-9]|[.,]\d|:\d|/\d|-\d)")
_CODE_THEN_DIGIT = re.compile(r"(CNY|RMB|USD|US\$)(?=\d)")


def _numbers(text: str) -> Iterable[Tuple[Decimal, bool, int, int]]:
    """(value, written with decimals, start, end) for each standalone number."""
    for m in _NUMBER.finditer(_CODE_THEN_DIGIT.sub(r"\1 ", text or "")):
        digits = re.sub(r"[, ]", "", m.group(1))
        try:
            value = Decimal(digits + (m.group(2) or ""))
        except InvalidOperation:
            continue
        yield value, bool(m.group(2)), m.start(), m.end()


def to_decimal(value: Any) -> Optional[Decimal]:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def amount_in_text(expected: Any, text: str) -> bool:
    """The money figure appears: "316.67", "¥316.67", "CNY 17,520.00"; a whole amount
    also as "280" / "280元" when a currency sits next to it (a bare "100" could be the
    multiplier)."""
    want = to_decimal(expected)
    if want is None:
        return False
    text = _CODE_THEN_DIGIT.sub(r"\1 ", text or "")
    for value, has_decimals, start, end in _numbers(text):
        if value != want:
            continue
        if has_decimals:
            return True
        before, after = text[max(0, start - 5):start], text[end:end + 8]
        if re.search(_CURRENCY_BEFORE + r"$", before) or re.match(_CURRENCY_AFTER, after, re.I):
            return True
    return False


_MINUTE_UNIT = r"\s?(?:minutes?|mins?\b|min\b|m\b|分钟|分)"
_HOUR_UNIT = r"\s?(?:hours?|hrs?\b|h\b|小时|個小時|个小时)"
_SECOND_UNIT = r"\s?(?:seconds?|secs?\b|s\b|秒)"


def minutes_in_text(expected: Any, text: str) -> bool:
    """The fault duration in minutes appears: "95 minutes", "95.00 min", "95.5分钟",
    "1 h 35 min", "1 hour 35 minutes", "1小时35分钟", "2 hours" (for 120), with
    seconds for fractions ("95 min 30 s")."""
    want = to_decimal(expected)
    if want is None:
        return False
    text = text or ""
    for value, _, _start, end in _numbers(text):
        if value == want and re.match(_MINUTE_UNIT, text[end:], re.I):
            return True
    num = r"(\d+(?:\.\d+)?)"
    hm = re.compile(num + _HOUR_UNIT + r"(?:\s*(?:and\s*)?" + num + _MINUTE_UNIT + r")?"
                    r"(?:\s*(?:and\s*)?" + num + _SECOND_UNIT + r")?", re.I)
    for m in hm.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue
        total = Decimal(m.group(1)) * 60 + Decimal(m.group(2) or 0) + Decimal(m.group(3) or 0) / 60
        if total == want:
            return True
    ms = re.compile(num + _MINUTE_UNIT + r"\s*(?:and\s*)?" + num + _SECOND_UNIT, re.I)
    for m in ms.finditer(text):
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue
        if Decimal(m.group(1)) + Decimal(m.group(2)) / 60 == want:
            return True
    return False


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")


def as_date(value: Any) -> Optional[date]:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def date_in_text(expected: Any, text: str) -> bool:
    """The date appears in any reasonable rendering: 2026-12-03, 2026/12/3, 3 Dec,
    03 Dec 2026, Thu 3 Dec, Dec 3, December 3rd, 3rd of December, 12月3日, 2026年12月3日.
    A rendering that names another year does not count."""
    day = as_date(expected)
    if day is None:
        return False
    text = text or ""
    d, m, y = day.day, day.month, day.year
    dd = rf"0?{d}"
    mm = rf"0?{m}"
    full = _MONTHS[m - 1]
    sept = r"|sept\.?" if m == 9 else ""
    mon = rf"(?:{full}|{full[:3]}\.?{sept})"
    ordinal = r"(?:st|nd|rd|th)?"
    other_year = rf"(?!,?\s*(?!{y})\d{{4}})"
    patterns = [
        rf"(?<!\d){y}[-/.]{mm}[-/.]{dd}(?!\d)",
        rf"(?<!\d){dd}[-/.]{mm}[-/.]{y}(?!\d)",
        rf"(?<!\d){mm}/{dd}/{y}(?!\d)",
        rf"(?<![\d]){dd}{ordinal}\s+(?:of\s+)?{mon}\b{other_year}",
        rf"\b{mon}\s+{dd}{ordinal}(?!\d){other_year}",
        rf"(?:(?<!\d){y}\s*年\s*|(?<!\d))0?{m}\s*月\s*0?{d}\s*[日号]",
    ]
    return any(re.search(p, text, re.I) for p in patterns)


_RULE_GROUP = re.compile(r"\(([^()]*)\)")


def rules_in_text(text: str) -> List[str]:
    """Rule IDs given in parentheses: "(C4)", "(C1, C3)", "(R2; R4)", "（C4）"."""
    found: List[str] = []
    normal = (text or "").replace("（", "(").replace("）", ")")
    for group in _RULE_GROUP.findall(normal):
        for token in re.split(r"[\s,;/、，]+|\band\b", group):
            token = token.strip().upper()
            if RULE_ID.match(token) and token not in found:
                found.append(token)
    return found


# --- leaks ------------------------------------------------------------------------------

LEAK_PATTERNS: Tuple[Tuple[str, "re.Pattern[str]"], ...] = (
    ("iso_timestamp", re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")),
    ("placeholder", re.compile(r"\{\{?\s*[A-Za-z_][\w.]*\s*\}?\}")),
    # Python's None where a value belongs; not the English "None of these" / "None after all"
    ("None", re.compile(r"\bNone\b(?!\s+(?:of|after|at all|yet|so far|needed|left|whatsoever)\b)")),
    ("field_path", re.compile(r"\b(?:items|host|filing|customer)(?:\[\d+\])?\.[a-z_]+\b|\b[a-z_]+\[\d+\]")),
    ("field_name", re.compile(r"(?<![\w/.@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*)*(?![\w/@-])")),
)


def leaks(text: str) -> List[Tuple[str, str]]:
    """(kind, the leaked piece) for each internal name, ISO timestamp, unfilled
    placeholder or "None" in a customer-facing text."""
    found: List[Tuple[str, str]] = []
    for kind, pattern in LEAK_PATTERNS:
        for m in pattern.finditer(text or ""):
            found.append((kind, m.group(0)))
    return found


# --- turn checks ------------------------------------------------------------------------


def last_question(replies: Sequence[Reply]) -> Optional[str]:
    """The response name of the turn's last question (an `utter_ask_*` or another
    question-ending response), None when the turn asks nothing."""
    known = set(OTHER_QUESTIONS)
    for ask in ASKS.values():
        known |= ask.response_names()
    for reply in reversed(replies):
        name = reply.response or ""
        if name in known or name.startswith("utter_ask_"):
            return name
    return None


def ask_of(response: Optional[str]) -> Optional[str]:
    """The asks name whose question this response is."""
    for name, ask in ASKS.items():
        if response and response in ask.response_names():
            return name
    return None


def ask_of_slot(slot: Optional[str]) -> Optional[str]:
    for name, ask in ASKS.items():
        if slot and slot in ask.slots:
            return name
    return None


def topics_of(obs: TurnObservation) -> List[str]:
    """Every topic the assistant dealt with in this turn (forms after it, responses)."""
    found: List[str] = []
    for name, topic in TOPIC_TABLE.items():
        if topic.needs_no_form and obs.active_loop:
            continue
        if (obs.active_loop and obs.active_loop in topic.forms) or any(topic.matches(r) for r in obs.responses):
            found.append(name)
    return found


def stated_decision(responses: Sequence[str]) -> Optional[str]:
    """The policy decision the turn's replies state (None: no decision stated)."""
    names = set(responses)
    if names & REFUND_ELIGIBLE and names & REFUND_INELIGIBLE:
        return "partially_eligible"
    for decision in ("ineligible", "undetermined", "eligible"):
        if names & DECISION_RESPONSES[decision]:
            return decision
    return None


def _claims(obs: TurnObservation, kinds: FrozenSet[str]) -> List[Claim]:
    return [c for c in obs.new_claims if c.kind in kinds]


def _check_asks(expected: str, obs: TurnObservation) -> Check:
    question = last_question(obs.replies)
    asked = ask_of(question)
    form_asks = ask_of_slot(obs.requested_slot) if obs.active_loop else None
    ok = asked == expected or form_asks == expected
    observed = f"last question {question or '-'}"
    if obs.active_loop:
        observed += f"; {obs.active_loop} requested_slot={obs.requested_slot}"
    if ASKS[expected].gap and not ok:
        observed += f" (no such question: {ASKS[expected].gap})"
    return Check("asks", expected, ok, observed)


def _check_topic(expected: str, obs: TurnObservation) -> Check:
    found = topics_of(obs)
    observed = f"topics {found or '-'}; active_loop={obs.active_loop}"
    return Check("topic", expected, expected in found, observed)


def _check_decision(expected: str, obs: TurnObservation) -> Check:
    stated = stated_decision(obs.responses)
    return Check("decision", expected, stated == expected, f"stated {stated or 'no decision'}")


def _check_rules(expected: Any, obs: TurnObservation) -> Check:
    want = [str(r).upper() for r in (expected if isinstance(expected, (list, tuple)) else [expected])]
    given = rules_in_text(obs.text)
    missing = [r for r in want if r not in given]
    return Check("rules", want, not missing, f"rules given {given or '-'}" + (f"; missing {missing}" if missing else ""))


_DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}\s+(?:%s)[a-z]*\.?(?:\s+\d{4})?|(?:%s)[a-z]*\.?\s+\d{1,2}"
                        r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号]" % ("|".join(m[:3] for m in _MONTHS), "|".join(m[:3] for m in _MONTHS)), re.I)
_MINUTES_LIKE = re.compile(r"\d+(?:\.\d+)?\s?(?:minutes?|mins?|min|分钟|hours?|h|小时)\b", re.I)


def _found(pieces: Sequence[str], what: str) -> str:
    if not pieces:
        return f"no {what} in the reply"
    return f"{what} in the reply: " + ", ".join(dict.fromkeys(pieces))


def _check_amount(expected: Any, obs: TurnObservation) -> Check:
    figures = [str(v) for v, decimals, _, _ in _numbers(obs.text) if decimals]
    return Check("amount", str(expected), amount_in_text(expected, obs.text), _found(figures, "figures"))


def _check_minutes(expected: Any, obs: TurnObservation) -> Check:
    return Check("minutes", expected, minutes_in_text(expected, obs.text),
                 _found(_MINUTES_LIKE.findall(obs.text), "durations"))


def _check_apply_by(expected: Any, obs: TurnObservation) -> Check:
    day = as_date(expected)
    return Check("apply_by", day.isoformat() if day else expected, date_in_text(expected, obs.text),
                 _found(_DATE_LIKE.findall(obs.text), "dates"))


def _check_scope(expected: str, obs: TurnObservation) -> Check:
    said = [s for s, names in SCOPE_RESPONSES.items() if names & set(obs.responses)]
    return Check("scope", expected, said == [expected], f"stated {said or 'no scope answer'}")


def _check_hotline(expected: bool, obs: TurnObservation) -> Check:
    said = [s for s, names in HOTLINE_RESPONSES.items() if names & set(obs.responses)]
    return Check("hotline_open", expected, said == [bool(expected)],
                 f"stated {['open' if s else 'closed' for s in said] or 'nothing about now'}")


def _check_store_event(key: str, expected: bool, obs: TurnObservation, kinds: FrozenSet[str],
                       responses: FrozenSet[str]) -> Check:
    """True: a claim of these kinds appeared in the store during this turn AND the
    turn told the customer (the confirming response, carrying its reference).
    False: nothing of these kinds appeared during this turn."""
    claims = _claims(obs, kinds)
    said = [r for r in obs.replies if r.response in responses]
    refs_told = [c.reference for c in claims if c.reference in obs.text]
    observed = (f"store: {[f'{c.kind} {c.reference}' for c in claims] or 'nothing new'}; "
                f"responses: {[r.response for r in said] or 'none'}")
    if expected:
        ok = bool(claims) and bool(said) and bool(refs_told)
    else:
        ok = not claims
    return Check(key, bool(expected), ok, observed)


TURN_CHECKS = {
    "topic": _check_topic,
    "asks": _check_asks,
    "decision": _check_decision,
    "rules": _check_rules,
    "amount": _check_amount,
    "minutes": _check_minutes,
    "apply_by": _check_apply_by,
    "scope": _check_scope,
    "hotline_open": _check_hotline,
    "ticket": lambda v, obs: _check_store_event("ticket", v, obs, TICKET_KINDS, TICKET_RESPONSES),
    "filed": lambda v, obs: _check_store_event("filed", v, obs, FILED_KINDS, FILED_RESPONSES),
}
assert set(TURN_CHECKS) == set(EXPECT_KEYS)


def check_turn(expect: Optional[Mapping[str, Any]], obs: TurnObservation) -> List[Check]:
    """Every expectation of one turn, plus the channel answering at all."""
    checks: List[Check] = []
    if obs.error:
        checks.append(Check("reply", "a reply", False, obs.error))
    elif not obs.replies:
        checks.append(Check("reply", "a reply", False, "the assistant said nothing"))
    elif obs.channel_texts is not None and obs.channel_texts != [r.text for r in obs.replies if r.text]:
        # the runner read the wrong part of the tracker: never score such a turn
        checks.append(Check("reply", "tracker matches the channel's answer", False,
                            f"channel said {obs.channel_texts!r}, tracker has {[r.text for r in obs.replies]!r}"))
    for key, value in (expect or {}).items():
        checks.append(TURN_CHECKS[key](value, obs))
    return checks


def check_leaks(obs: TurnObservation) -> List[Check]:
    checks: List[Check] = []
    for reply in obs.replies:
        # a button titled "None" is a choice ("no discount"), not a value that leaked
        for piece in [reply.text] + [b for b in reply.buttons if b.strip() != "None"]:
            for kind, leaked in leaks(piece):
                checks.append(Check("leak", kind, False, f"{leaked!r} in {reply.response or 'text'}: {piece[:160]!r}"))
    return checks


def check_outcome(outcome: Optional[Mapping[str, Any]], turns: Sequence[TurnObservation]) -> List[Check]:
    """Over the whole conversation; defaults: no ticket opened, nothing filed."""
    outcome = dict(outcome or {})
    checks: List[Check] = []
    for key, kinds in (("ticket", TICKET_KINDS), ("filed", FILED_KINDS)):
        want = bool(outcome.get(key, False))
        claims = [c for t in turns for c in t.new_claims if c.kind in kinds]
        observed = ", ".join(f"{c.kind} {c.reference}" for c in claims) or "nothing"
        checks.append(Check(f"outcome.{key}", want, bool(claims) == want, observed))
    return checks
