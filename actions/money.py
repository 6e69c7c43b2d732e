"""Money as a customer reads it: every amount with its currency, rendered here only.

Why one place: an amount without a currency ("You'd get back 280.00") misleads a
USD account holder, and a figure formatted in several places drifts. `say` passes
every template variable through `render_amounts`, so a response shows an amount
only through `show_money`; the domain (domain/) never types a figure or a currency sign.

Which currency: a signed-in customer's account currency (the store's
CustomerView.currency); a guest's is the policy's (CNY) unless they named another
in the conversation ("I paid 30 dollars")."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Dict, Iterable, Mapping, Optional

#: The policy's amounts are in this currency (the published policy is a CNY price list).
POLICY_CURRENCY = "CNY"
SIGNS = {"CNY": "¥", "USD": "US$"}
_CENT = Decimal("0.01")

#: Template variables that hold an amount of money (facts, decisions, policy figures).
MONEY_KEYS = frozenset({
    "amount_paid", "unrecoverable_discounts", "refund_amount", "refund_total", "compensation",
    "daily_cost", "reward_amount", "amount", "icp_min_recharge", "icp_reward_common", "icp_reward_vip",
})

#: What a guest may say to name a currency (the last one said wins).
_STATED = (
    ("USD", re.compile(r"US\$|\$|\bUSD\b|\bdollars?\b|\bbucks\b|美元|美金", re.I)),
    ("CNY", re.compile(r"[¥￥]|\bCNY\b|\bRMB\b|\byuan\b|元|块", re.I)),
)


def show_money(amount: Any, currency: Optional[str] = None) -> str:
    """'280' + 'USD' -> 'US$280.00'; '17520' -> '¥17,520.00'. Cents are never
    rounded away: a typed '20.005' stays exact (the policy rounds once, itself).
    A value that is not an amount ('' for "not known") is returned unchanged."""
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return "" if amount is None else str(amount)
    if not value.is_finite():
        return str(amount)
    exponent = value.as_tuple().exponent  # an int: the value is finite
    if isinstance(exponent, int) and exponent >= -2:
        value = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    code = (currency or POLICY_CURRENCY).upper()
    digits = f"{value:,f}"
    sign = SIGNS.get(code)
    return f"{sign}{digits}" if sign else f"{code} {digits}"


def render_amounts(variables: Mapping[str, Any], currency: Optional[str] = None) -> Dict[str, Any]:
    """The template variables with every money value shown with its currency."""
    return {k: show_money(v, currency) if k in MONEY_KEYS and v not in (None, "") else v
            for k, v in variables.items()}


def stated_currency(texts: Iterable[Any]) -> Optional[str]:
    """The currency a person last named in these messages, else None."""
    found: Optional[str] = None
    for text in texts:
        if not isinstance(text, str):
            continue
        best = -1
        for code, pattern in _STATED:
            for match in pattern.finditer(text):
                if match.start() > best:
                    best, found = match.start(), code
    return found


def _user_texts(tracker: Any) -> Iterable[Any]:
    return (e.get("text") for e in (tracker.events or []) if e.get("event") == "user")


async def currency_of(tracker: Any) -> str:
    """The conversation's currency: the account's when signed in, else what the
    guest named, else the policy's."""
    from actions import store_access
    from actions.identity import customer_id

    cid = customer_id(tracker)
    if cid:
        customer = await store_access.read(tracker, "customer", cid)
        if customer is not None and customer.currency:
            return str(customer.currency).upper()
    return stated_currency(_user_texts(tracker)) or POLICY_CURRENCY
