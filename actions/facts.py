"""Pure, tracker-free helpers for the forms: parse what a person said into the
shapes the policy case needs, map the policy's missing facts to the slots that ask
for them, and fill a case from slot values.

Why pure: the `validate_<slot>` methods only delegate here, so every rule of
"what counts as an answer" is unit-tested without Rasa. No policy logic lives
here: which facts are needed, and what they mean, comes from `bot.policy`
(`next_facts`, `decide`); this module only converts values.
"""
from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from bot.clock import CST
from bot.policy import load_policy

# --- parsing ------------------------------------------------------------------

# The policy's enums are the one vocabulary (bot/policy/policy.yaml).
_ENUMS = load_policy().enums
BILLINGS = _ENUMS["billing"]
INVOICES = _ENUMS["invoice"]
RESOURCE_STATES = _ENUMS["resource_state"]
SCENARIOS = _ENUMS["scenario"]
HOST_STATUSES = _ENUMS["host_status"]
FILING_STATUSES = _ENUMS["filing_status"]

def _id_patterns() -> Dict[str, "re.Pattern[str]"]:
    from bot.nlu.patterns import id_patterns  # data/nlu/entities.yml: the one source

    return {name: re.compile(pattern, re.IGNORECASE) for name, pattern in id_patterns().items()}


_IDS = _id_patterns()
#: Resource ids are written in lower case (ecs-1a2b3c4d), every other id in upper case.
_LOWER_IDS = {"resource_id"}


def parse_id(value: Any, *entities: str) -> Optional[str]:
    """`value` when it is exactly one identifier of one of these entities (order_id,
    resource_id, incident_id, filing_id, claim_ref), in its canonical case; else None.

    Entity values can be anything a client types (`/inform{"order_id": "<img ...>"}`),
    so an id is checked against its pattern before it is looked up or said back: a
    value that is not an id is never echoed in a reply (issue 9, finding 10)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for name in entities:
        if _IDS[name].fullmatch(text):
            canonical = text.lower() if name in _LOWER_IDS else text.upper()
            if _IDS[name].fullmatch(canonical):
                return canonical
    return None


#: Free-text answers for the enum questions that have no NLU entity (I6, I7).
#: Order matters: the first pattern that matches wins.
_HOST_STATUS_WORDS = (
    (re.compile(r"terminat|cancel|ended early|stopp?ed early|unsubscrib", re.I), "terminated_early"),
    (re.compile(r"expir|not renew|lapsed|didn.?t renew", re.I), "expired_not_renewed"),
    (re.compile(r"\bactive\b|still (running|on|in use)|running|in use|renewed|^yes\b", re.I), "active"),
)
_FILING_STATUS_WORDS = (
    (re.compile(r"not (yet )?(been )?(submitted|started|filed)|haven.?t (submitted|started|filed)", re.I), "not_submitted"),
    (re.compile(r"reject|refused|denied|declined", re.I), "rejected"),
    (re.compile(r"approv|passed|granted|completed|done", re.I), "approved"),
    (re.compile(r"authorit|telecom|miit|submitted", re.I), "submitted_to_authority"),
    (re.compile(r"progress|ongoing|preparing|working on|pending", re.I), "in_progress"),
)



def _last(value: Any) -> Any:
    """Slots filled from several entities hold a list: the last one said wins."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _scalar(value: Any) -> Any:
    """The last value, unwrapped from Duckling's raw {"value": ...} shape."""
    value = _last(value)
    return value.get("value") if isinstance(value, Mapping) else value


def parse_enum(value: Any, allowed: Sequence[str]) -> Optional[str]:
    """An entity value (already canonical after NLU synonyms) if it is allowed."""
    value = _last(value)
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("-", "_").replace(" ", "_")
    return text if text in allowed else None


def parse_host_status(text: Any) -> Optional[str]:
    """I6: 'still active' / 'terminated early' / 'expired, not renewed'."""
    return _match_words(text, _HOST_STATUS_WORDS, HOST_STATUSES)


def parse_filing_status(text: Any) -> Optional[str]:
    """I7: where the ICP filing stands."""
    return _match_words(text, _FILING_STATUS_WORDS, FILING_STATUSES)


def _match_words(text: Any, table: Iterable, allowed: Sequence[str]) -> Optional[str]:
    if not isinstance(text, str) or not text.strip():
        return None
    exact = parse_enum(text, allowed)
    if exact:
        return exact
    for pattern, value in table:
        if pattern.search(text):
            return value
    return None


def _aware_iso(text: str) -> Optional[str]:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a time without an offset is never guessed (docs/POLICY_RULES.md)
    return moment.astimezone(CST).isoformat()


def parse_time(value: Any, part: str = "from") -> Optional[str]:
    """A Duckling `time` value -> ISO string with offset.

    An interval {"from", "to"} gives its `part` end ("from" by default, falling
    back to the other end when that one is open)."""
    value = _last(value)
    if isinstance(value, Mapping):
        other = "to" if part == "from" else "from"
        value = value.get(part) or value.get(other)
        if isinstance(value, Mapping):  # raw Duckling shape {"value": ...}
            value = value.get("value")
    if isinstance(value, str):
        return _aware_iso(value)
    return None


def split_interval(value: Any) -> Dict[str, Optional[str]]:
    """A Duckling `time` value -> {"start", "end"}: an interval gives both ends,
    an instant only what it is (the caller decides which end it answers)."""
    value = _last(value)
    if isinstance(value, Mapping):
        start = value.get("from")
        end = value.get("to")
        if isinstance(start, Mapping):
            start = start.get("value")
        if isinstance(end, Mapping):
            end = end.get("value")
        return {
            "start": _aware_iso(start) if isinstance(start, str) else None,
            "end": _aware_iso(end) if isinstance(end, str) else None,
        }
    instant = parse_time(value)
    return {"start": instant, "end": None}


def add_seconds(iso_time: str, seconds: float) -> Optional[str]:
    """"for 95 minutes since 10am": the end is the start plus the duration."""
    start = _aware_iso(iso_time)
    if start is None:
        return None
    return (datetime.fromisoformat(start) + timedelta(seconds=float(seconds))).isoformat()


def parse_duration(value: Any) -> Optional[float]:
    """A Duckling `duration` value (seconds) -> seconds, None if not positive."""
    value = _scalar(value)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def parse_amount(value: Any) -> Optional[str]:
    """Money (Duckling amount-of-money or number, or typed digits) -> "300.00".

    Decimal only (docs/POLICY_RULES.md: money is never binary floating point); negative or
    malformed amounts are refused."""
    value = _scalar(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        match = re.search(r"-?\d[\d,]*(?:\.\d+)?", value)
        if not match:
            return None
        said = match.group(0)
        # "150,00": a decimal comma (two digits after one comma); "1,500" groups thousands
        value = said.replace(",", ".") if re.fullmatch(r"-?\d+,\d{2}", said) else said.replace(",", "")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0:
        return None
    exponent = amount.as_tuple().exponent  # an int: the amount is finite
    if isinstance(exponent, int) and exponent >= -2:
        return str(amount.quantize(Decimal("0.01")))  # exact: 300 -> "300.00"
    return str(amount)  # never rounded here: the policy rounds once, at the end


def parse_count(value: Any) -> Optional[int]:
    """A whole, non-negative number (refunds this year, delay days)."""
    value = _scalar(value)
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0 or number != number.to_integral_value():
        return None
    return int(number)


def parse_bool(value: Any) -> Optional[bool]:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def parse_tier(value: Any) -> Optional[str]:
    return value if value in ("common", "vip") else None


# --- facts <-> slots ------------------------------------------------------------

#: The last component of a policy fact path -> the slot that asks for it.
#: Facts not listed here (for example C4's `cause`) are not asked: they come
#: from records or wait for a review (C4 `cause_review`, docs/POLICY_RULES.md).
FACT_SLOTS: Dict[str, str] = {
    "items": "refund_item",
    "tier": "customer_tier",
    "refunds_this_year": "refunds_this_year",
    "billing": "billing",
    "purchased_at": "purchased_at",
    "invoice": "invoice",
    "resource_state": "resource_state",
    "amount_paid": "amount_paid",
    "unrecoverable_discounts": "unrecoverable_discounts",
    "scenario": "scenario",
    "daily_cost": "daily_cost",
    "fault_start": "fault_start",
    "fault_end": "fault_end",
    "subscription": "host_subscription",
    "used_for_website": "used_for_website",
    "host.status": "host_status",
    "filing.status": "filing_status",
    "first_with_provider": "first_with_provider",
    "approved_at": "approved_at",
    "customer_delay_days": "customer_delay_days",
    "accumulated_recharge": "accumulated_recharge",
    "icp_reward_received": "icp_reward_received",
}

_INDEX = re.compile(r"\[\d+\]")


def fact_slot(fact: str) -> Optional[str]:
    """'items[0].invoice' -> 'invoice'; 'host.status' -> 'host_status'."""
    plain = _INDEX.sub("", fact or "")
    parts = [p for p in plain.split(".") if p]
    if not parts:
        return None
    if len(parts) >= 2 and ".".join(parts[-2:]) in FACT_SLOTS:
        return FACT_SLOTS[".".join(parts[-2:])]
    return FACT_SLOTS.get(parts[-1])


def slots_to_ask(facts: Sequence[str]) -> List[str]:
    """The policy's missing facts, in its order, as slot names (no repeats)."""
    out: List[str] = []
    for fact in facts:
        slot = fact_slot(fact)
        if slot and slot not in out:
            out.append(slot)
    return out


def _fault_end(value: Any) -> Any:
    return "open" if value == "open" else parse_time(value, "to")


#: slot -> parser giving the value in case shape (None: not a usable answer).
#: Applied again when a case is built, so a raw, not yet validated slot value can
#: never reach the policy.
SLOT_PARSERS = {
    "refund_item": lambda v: parse_id(v, "order_id", "resource_id"),
    "customer_tier": parse_tier,
    "refunds_this_year": parse_count,
    "billing": lambda v: parse_enum(v, BILLINGS),
    "host_subscription": lambda v: parse_enum(v, BILLINGS),
    "purchased_at": parse_time,
    "invoice": lambda v: parse_enum(v, INVOICES),
    "resource_state": lambda v: parse_enum(v, RESOURCE_STATES),
    "amount_paid": parse_amount,
    "unrecoverable_discounts": parse_amount,
    "scenario": lambda v: parse_enum(v, SCENARIOS),
    "daily_cost": parse_amount,
    "fault_start": parse_time,
    "fault_end": _fault_end,
    "used_for_website": parse_bool,
    "first_with_provider": parse_bool,
    "icp_reward_received": parse_bool,
    "host_status": parse_host_status,
    "filing_status": parse_filing_status,
    "approved_at": parse_time,
    "customer_delay_days": parse_count,
    "accumulated_recharge": parse_amount,
}


def normalize(slot: str, value: Any) -> Any:
    """A slot value in case shape, or None when it is not a usable answer."""
    if value is None:
        return None
    parser = SLOT_PARSERS.get(slot)
    return parser(value) if parser else value


def _value_for_fact(slot: str, value: Any) -> Any:
    """fault_end 'open' means the fault is still going on (C5 waits for
    `fault_rectified`): the case gets an explicit null."""
    value = normalize(slot, value)
    if slot == "fault_end" and value == "open":
        return None
    return value


def set_fact(case: Dict[str, Any], fact: str, value: Any) -> None:
    """Set 'items[0].invoice' / 'host.status' / 'daily_cost' in a case dict."""
    node: Any = case
    tokens = re.findall(r"[^.\[\]]+|\[\d+\]", fact)
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if token.startswith("["):
            index = int(token[1:-1])
            while len(node) <= index:
                node.append({})
            if last:
                node[index] = value
            else:
                node = node[index]
            continue
        if last:
            node[token] = value
        else:
            nxt = tokens[i + 1]
            if token not in node or node[token] is None:
                node[token] = [] if nxt.startswith("[") else {}
            node = node[token]


def fill_case(
    case: Mapping[str, Any],
    slots: Mapping[str, Any],
    missing: Any,
    rounds: int = 3,
) -> Dict[str, Any]:
    """Fill the facts the policy says are missing from slot values.

    `missing` is `bot.policy.next_facts`; it is called again after each round,
    because an answer can make the policy need a further fact. Facts the case
    already holds (records) are never overwritten: a record beats a typed answer."""
    filled = copy.deepcopy(dict(case))
    for _ in range(rounds):
        changed = False
        for fact in missing(filled):
            slot = fact_slot(fact)
            if slot is None or normalize(slot, slots.get(slot)) is None:
                continue
            value = _value_for_fact(slot, slots[slot])
            trial = copy.deepcopy(filled)
            if slot == "fault_end" and value is None:
                if "fault_end" in filled:
                    continue
                trial["fault_end"] = None
            else:
                set_fact(trial, fact, value)
            if _bad_input(trial, missing):
                continue  # e.g. a purchase "after now": the form's validation says why
            filled = trial
            changed = True
        if not changed:
            break
    return filled


def _bad_input(case: Dict[str, Any], missing: Any) -> bool:
    """True when the policy refuses the case as bad input (PolicyInputError has a
    `field`); other errors propagate."""
    try:
        missing(case)
    except Exception as err:  # noqa: BLE001 - narrowed just below
        if getattr(err, "field", None) is not None:
            return True
        raise
    return False


def guest_refund_case(now_iso: str, item_id: Optional[str]) -> Dict[str, Any]:
    """A hypothetical refund check: nothing is read from any account."""
    return {"kind": "refund", "now": now_iso, "customer": {}, "items": [{"id": item_id or "your purchase"}]}


def guest_compensation_case(now_iso: str) -> Dict[str, Any]:
    return {"kind": "compensation", "now": now_iso}


def guest_icp_case(now_iso: str) -> Dict[str, Any]:
    return {"kind": "icp_reward", "now": now_iso, "customer": {}, "host": {}, "filing": {}}


# --- money said in words inside a longer message ---------------------------------
# A long message ("monthly, bought 2 days ago, paid 300, no invoice, still running,
# no discounts") carries the amount paid and the unrecoverable discounts (R7) as
# words around a bare number; the NLU gives only `number`/`amount-of-money`
# entities without saying which question they answer. These read the phrase.

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_CUR = r"(?:¥|￥|cny|rmb|yuan|元)"
_TIME_UNIT = r"(?!\s*(?:[.,]\d)?\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h\b|days?|d\b|weeks?|months?|years?|am\b|pm\b|:))"
_DISCOUNT_WORD = r"(?:unrecoverable\s+)?(?:discounts?|coupons?|vouchers?|rewards?|promotions?|promo(?:\s+codes?)?|cash\s*backs?)"
_PAID = re.compile(
    r"\b(?:paid|pay|cost|costs|costed|spent|price\s*(?:was|is|of)?|charged|total(?:\s+(?:was|of))?)"
    r"\s*(?:me\s+|was\s+|is\s+|about\s+|around\s+|:\s*)*" + _CUR + r"?\s*" + _NUM + _TIME_UNIT,
    re.I,
)
_NO_DISCOUNT = re.compile(
    r"\b(?:no|without|zero|0|never\s+used|didn.?t\s+use|did\s+not\s+use|haven.?t\s+used|not\s+used)\s+"
    r"(?:any\s+|a\s+)?" + _DISCOUNT_WORD + r"|" + _DISCOUNT_WORD + r"\s*(?::|=|-|were|was)?\s*(?:none|no|nil|zero)\b",
    re.I,
)
_DISCOUNT_AMOUNT = re.compile(
    _DISCOUNT_WORD + r"\s*(?:of|was|were|worth|:|=|-)?\s*(?:about\s+)?" + _CUR + r"?\s*" + _NUM + _TIME_UNIT
    + r"|" + _CUR + r"?\s*" + _NUM + r"\s*" + _CUR + r"?\s*(?:of\s+)?" + _DISCOUNT_WORD,
    re.I,
)
_BARE_NONE = re.compile(r"^\s*(?:none|nothing|no|nope|zero|0|nil|n/?a)\s*[.!]?\s*$", re.I)
#: Chinese: "用了一张50元的优惠券", "优惠券50元", "没用优惠券", "付了399元"
_ZH_COUPON = r"(?:优惠券|代金券|抵扣券|优惠|折扣|券)"
_ZH_DISCOUNT_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:元|块)?(?:钱)?的?\s*" + _ZH_COUPON + r"|" + _ZH_COUPON
                                 + r"\s*(?:是|了|有)?\s*(\d+(?:\.\d+)?)\s*(?:元|块)")
_ZH_NO_DISCOUNT = re.compile(r"(?:没(?:有)?用|没有|未用|无|不用)\s*(?:任何)?" + _ZH_COUPON)
_ZH_PAID = re.compile(r"(?:付了|花了|支付了?|付款|实付)\s*(\d+(?:\.\d+)?)\s*(?:元|块)?")


def paid_amount_in_text(text: Any) -> Optional[str]:
    """'paid 300' / 'it cost me ¥300.50' -> '300.00' / '300.50' (R7's amount paid);
    None when the message does not say what was paid ('paid 2 days ago' is a time)."""
    if not isinstance(text, str):
        return None
    match = _PAID.search(text) or _ZH_PAID.search(text)
    return parse_amount(match.group(1)) if match else None


def discounts_in_text(text: Any, asked: bool = False) -> Optional[str]:
    """'no discounts' -> '0.00'; 'a 20 yuan coupon' / 'discount of 20' -> '20.00'
    (R7's unrecoverable discounts). When the discount question is the one asked
    (`asked`), a bare 'none' / 'no' answers it too."""
    if not isinstance(text, str):
        return None
    if _NO_DISCOUNT.search(text) or _ZH_NO_DISCOUNT.search(text) or (asked and _BARE_NONE.match(text)):
        return "0.00"
    match = _DISCOUNT_AMOUNT.search(text) or _ZH_DISCOUNT_AMOUNT.search(text)
    if match:
        return parse_amount(next(g for g in match.groups() if g))
    return None
