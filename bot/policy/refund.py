"""Refunds R1-R9 (docs/POLICY_RULES.md, "the 5-day full refund").

One item = one order or one resource (R3: several items are several refunds).
Each item is judged on R1/R5 (billing), R2 (window), R4 (invoice), R6 (grace or
reservation), R7 (amount); R3 is applied afterwards, by position, to the items no
other rule made ineligible."""
from __future__ import annotations

from datetime import datetime
from decimal import Context, Decimal, InvalidOperation, Overflow
from typing import Any, Mapping, Optional

from . import parse, text
from .common import ELIGIBLE, INELIGIBLE, UNDETERMINED, not_after_now, required_now, skeleton
from .data import Policy
from .errors import PolicyInputError

#: Exact arithmetic for amounts (inputs have at most 18 + 18 digits; 28-digit
#: default precision could round a sum or a difference).
_EXACT = Context(prec=64, traps=[InvalidOperation, Overflow])
_ZERO = Decimal(0)

#: Item facts in the order a person is asked for them.
ITEM_FACTS = ("billing", "purchased_at", "invoice", "resource_state", "amount_paid", "unrecoverable_discounts")


class Item:
    """One item's evaluation before R3."""

    __slots__ = ("index", "id", "failed", "reasons", "missing", "amount", "notes", "purchased")

    def __init__(self, index: int, ident: Any) -> None:
        self.index = index
        self.id = ident
        self.failed: list[str] = []
        self.reasons: list[str] = []
        self.missing: list[str] = []
        self.amount: Optional[Decimal] = None
        self.notes: list[str] = []
        self.purchased: Optional[datetime] = None  # in the policy's zone

    @property
    def label(self) -> str:
        return f"Item {self.id}" if self.id is not None else f"Item {self.index + 1}"


def calendar_year(moment: datetime, policy: Policy) -> int:
    """The calendar year of an instant in the policy's zone (UTC+08:00)."""
    return moment.astimezone(policy.tz).year


def judge_item(raw: Any, index: int, now: datetime, policy: Policy) -> Item:
    """R1, R2, R4, R5, R6 and R7 for one item."""
    path = f"items[{index}]"
    if not parse.is_map(raw):
        raise PolicyInputError(path, f"must be an object, got {parse.type_name(raw)}")
    enums, rules = policy.enums, policy.refund
    item = Item(index, raw.get("id"))
    billing = parse.enum(raw.get("billing"), enums["billing"], f"{path}.billing")
    purchased = parse.time_(raw.get("purchased_at"), f"{path}.purchased_at")
    invoice = parse.enum(raw.get("invoice"), enums["invoice"], f"{path}.invoice")
    state = parse.enum(raw.get("resource_state"), enums["resource_state"], f"{path}.resource_state")
    paid = parse.money(raw.get("amount_paid"), f"{path}.amount_paid")
    deducted = parse.money(raw.get("unrecoverable_discounts"), f"{path}.unrecoverable_discounts")
    if purchased is not None:
        not_after_now(purchased, now, f"{path}.purchased_at")
        purchased = item.purchased = purchased.astimezone(policy.tz)
    failed, missing, reasons, label = item.failed, item.missing, item.reasons, item.label

    if billing is None:
        missing.append(f"{path}.billing")
    elif billing in rules["excluded_billing"]:
        failed.append("R5")
        reasons.append(text.reason(policy, "R5", label, billing=billing))
    elif billing not in rules["covered_billing"]:
        failed.append("R1")
        reasons.append(text.reason(policy, "R1", label, billing=billing))
    if purchased is None:
        missing.append(f"{path}.purchased_at")
    elif now - purchased > policy.refund_window:
        failed.append("R2")
        reasons.append(text.reason(policy, "R2", label, purchased_at=purchased.isoformat(),
                                   elapsed=text.span(now - purchased)))
    if invoice is None:
        missing.append(f"{path}.invoice")
    elif invoice in rules["blocking_invoice"]:
        failed.append("R4")
        reasons.append(text.reason(policy, "R4", label, invoice=invoice))
    if state is None:
        missing.append(f"{path}.resource_state")
    elif state in rules["blocking_resource_state"]:
        failed.append("R6")
        reasons.append(text.reason(policy, "R6", label, resource_state=state))
        item.notes.append(text.note(policy, "R6"))
    if paid is None:
        item.missing.append(f"{path}.amount_paid")
    if deducted is None:
        item.missing.append(f"{path}.unrecoverable_discounts")
    if paid is not None and deducted is not None:
        item.amount = max(_ZERO, _EXACT.subtract(paid, deducted))  # R7, exact; rounded once when shown
    return item


def decide_refund(case: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    """The refund decision: per item, then combined (docs/POLICY_RULES.md)."""
    out = skeleton(case, "refund", policy)
    now = required_now(case)
    customer = parse.obj(case, "customer", "customer") or {}
    tier = parse.enum(customer.get("tier"), policy.enums["tier"], "customer.tier")
    used = parse.count(customer.get("refunds_this_year"), "customer.refunds_this_year")
    raw_items = case.get("items")
    if raw_items is not None and not isinstance(raw_items, list):
        raise PolicyInputError("items", f"must be a list, got {parse.type_name(raw_items)}")
    if raw_items is not None and not raw_items:
        raise PolicyInputError("items", "is an empty list: name at least one order or resource")
    out["now"] = text.iso(now, policy)
    # R3 counts per calendar year in the policy's zone: the year the count refers to.
    out["calendar_year"] = calendar_year(now, policy)
    items = [judge_item(raw, i, now, policy) for i, raw in enumerate(raw_items or [])]

    limited = tier in policy.refund["limited_tiers"]
    r3_missing: list[str] = []
    if tier is None:
        r3_missing = ["customer.tier"]
    elif limited and used is None:
        r3_missing = ["customer.refunds_this_year"]
    if tier is not None and not limited:
        out["notes"].append(text.note(policy, "R3", "note_vip"))

    position = 0
    for item in items:
        if item.failed:
            continue
        position += 1  # R3: undetermined items take a position too
        if r3_missing:
            item.missing.extend(r3_missing)
        elif limited and used is not None and used + position > policy.refund_limit:
            item.failed.append("R3")
            item.reasons.append(text.reason(policy, "R3", item.label, refunds_this_year=used,
                                            number=used + position))

    decided = [_item_out(item, policy) for item in items]
    out["items"] = decided
    states = [d["decision"] for d in decided]
    if raw_items is None:
        out["decision"] = UNDETERMINED
        out["missing"] = ["items"] + r3_missing
    elif all(s == ELIGIBLE for s in states):
        out["decision"] = ELIGIBLE
    elif ELIGIBLE in states:
        out["decision"] = "partially_eligible"
    elif UNDETERMINED in states:
        out["decision"] = UNDETERMINED
    else:
        out["decision"] = INELIGIBLE
    if raw_items is not None:
        seen: list[str] = []
        for item in items:
            for fact in item.missing:
                if fact not in seen:
                    seen.append(fact)
        # customer facts last, in asking order
        out["missing"] = [f for f in seen if not f.startswith("customer.")] + \
                         [f for f in seen if f.startswith("customer.")]
    out["rules_failed"] = policy.sort_rules(r for item in items for r in item.failed)
    out["reasons"] = [r for item in items for r in item.reasons]
    for item in items:
        for n in item.notes:
            if n not in out["notes"]:
                out["notes"].append(n)
    total = _ZERO
    for item, d in zip(items, decided, strict=True):
        if d["decision"] == ELIGIBLE and item.amount is not None:
            total = _EXACT.add(total, item.amount)
    out["refund_total"] = text.money(total)
    if any(s == ELIGIBLE for s in states):
        out["notes"].append(text.note(policy, "R8"))
    return out


def _item_out(item: Item, policy: Policy) -> dict[str, Any]:
    state = INELIGIBLE if item.failed else UNDETERMINED if item.missing else ELIGIBLE
    if state == INELIGIBLE:
        amount: Optional[str] = "0.00"
    elif item.amount is None:
        amount = None
    else:
        amount = text.money(item.amount)
    return {
        "id": item.id,
        "decision": state,
        "rules_failed": policy.sort_rules(item.failed),
        "missing": list(item.missing),
        "refund_amount": amount,
        "purchased_at": item.purchased.isoformat() if item.purchased else None,
        "purchase_year": item.purchased.year if item.purchased else None,
        # R2's window end, so an answer can warn when it closes soon (whatever the outcome)
        "request_by": text.iso(item.purchased + policy.refund_window, policy) if item.purchased else None,
    }
