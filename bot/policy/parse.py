"""Strict readers for case fields: times with offsets, exact money, enums.

Why strict: the rule table (docs/POLICY_RULES.md) says bad input gets a clear
error naming the field and is never guessed at (a time without an offset, a
negative or malformed amount, an unknown enum value). Every reader raises
PolicyInputError(field, message). A field that is absent or null is "missing"
(None), never zero."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping, Optional, Sequence

from .errors import PolicyInputError

_MONEY = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]+))?")
_SHOWN = 40
#: Sanity bounds on numbers (not policy figures): beyond them an amount is bad input.
MAX_INT_DIGITS = 18
MAX_DECIMALS = 18
MAX_COUNT = 1_000_000_000
_TIMES: dict[str, datetime] = {}


def shown(value: Any) -> str:
    """A value as quoted in an error message (never the whole of a huge string)."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def is_map(value: Any) -> bool:
    """isinstance(value, Mapping), with the common dict case first (it is hot)."""
    return type(value) is dict or isinstance(value, Mapping)


def obj(parent: Mapping[str, Any], key: str, path: str) -> Optional[Mapping[str, Any]]:
    """A nested object (customer, host, filing); absent or null -> None."""
    value = parent.get(key)
    if value is None:
        return None
    if not is_map(value):
        raise PolicyInputError(path, f"must be an object, got {type_name(value)}")
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def time_(value: Any, path: str) -> Optional[datetime]:
    """ISO 8601 with an offset (`Z` allowed) -> aware datetime; None if missing."""
    if type(value) is str:
        hit = _TIMES.get(value)
        if hit is not None:
            return hit
        moment = _parse_time(value, path)
        if len(_TIMES) > 4096:
            _TIMES.clear()
        _TIMES[value] = moment
        return moment
    if value is None:
        return None
    if isinstance(value, str):
        return time_(str(value), path)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise PolicyInputError(path, "time has no UTC offset (write it like 2026-11-27T10:00:00+08:00)")
        return value
    raise PolicyInputError(path, f"must be an ISO 8601 time with an offset, got {type_name(value)}")


def _parse_time(text: str, path: str) -> datetime:
    raw = text
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PolicyInputError(path, f"{shown(raw)} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise PolicyInputError(path, f"{shown(raw)} has no UTC offset (write it like 2026-11-27T10:00:00+08:00)")
    if not 1900 <= moment.year <= 9000:
        raise PolicyInputError(path, f"{shown(raw)} is out of the supported range (years 1900 to 9000)")
    return moment


def money(value: Any, path: str) -> Optional[Decimal]:
    """A non-negative amount, exact: JSON numbers (parsed as Decimal) or strings."""
    if value is None:
        return None
    if type(value) is str:
        match = _MONEY.fullmatch(value.strip())
        if match is None:
            raise PolicyInputError(path, f"{shown(value)} is not a decimal amount (write it like \"300.00\")")
        sign, whole, frac = match.groups()
        amount = Decimal(match.group(0))
        if sign == "-" and amount:
            raise PolicyInputError(path, f"must not be negative, got {value.strip()}")
        if len(whole.lstrip("0")) > MAX_INT_DIGITS:
            raise PolicyInputError(path, f"is too large (more than {MAX_INT_DIGITS} digits)")
        if frac and len(frac) > MAX_DECIMALS:
            raise PolicyInputError(path, f"has more than {MAX_DECIMALS} decimal places")
        return amount.copy_abs() if sign else amount
    if isinstance(value, bool):
        raise PolicyInputError(path, "must be an amount, got a boolean")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise PolicyInputError(path, "is not a finite amount")
        amount = Decimal(repr(value))
    elif isinstance(value, str):  # a str subclass: read it as a plain string
        return money(str(value), path)
    else:
        raise PolicyInputError(path, f"must be an amount, got {type_name(value)}")
    return _bounded(amount, path)


def _bounded(amount: Decimal, path: str) -> Decimal:
    if not amount.is_finite():
        raise PolicyInputError(path, "is not a finite amount")
    if amount < 0:
        raise PolicyInputError(path, f"must not be negative, got {amount}")
    if amount == 0:
        return abs(amount)
    if amount.adjusted() >= MAX_INT_DIGITS:
        raise PolicyInputError(path, f"is too large (more than {MAX_INT_DIGITS} digits)")
    exponent = amount.as_tuple().exponent  # an int: the amount is finite
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise PolicyInputError(path, f"has more than {MAX_DECIMALS} decimal places")
    return amount


def count(value: Any, path: str) -> Optional[int]:
    """A whole non-negative number (refunds already requested)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PolicyInputError(path, "must be a whole number, got a boolean")
    if isinstance(value, int):
        number = value
    else:
        amount = number_(value, path)
        if amount is None or amount != amount.to_integral_value():
            raise PolicyInputError(path, f"must be a whole number, got {amount}")
        number = int(amount)
    if number < 0:
        raise PolicyInputError(path, f"must not be negative, got {number}")
    if number > MAX_COUNT:
        raise PolicyInputError(path, "is too large")
    return number


def number_(value: Any, path: str) -> Optional[Decimal]:
    """A non-negative decimal number (days of delay)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise PolicyInputError(path, f"must not be negative, got {value}")
        return Decimal(value)
    try:
        return money(value, path)
    except PolicyInputError as err:
        raise PolicyInputError(path, err.message.replace("amount", "number")) from None


def boolean(value: Any, path: str) -> Optional[bool]:
    """JSON true/false only (a string "yes" is not guessed at)."""
    if value is None or isinstance(value, bool):
        return value
    raise PolicyInputError(path, f"must be true or false, got {type_name(value)}")


def enum(value: Any, allowed: Sequence[str], path: str) -> Optional[str]:
    if value in allowed and type(value) is str:  # the common case first (hot path)
        return value
    if value is None:
        return None
    if not isinstance(value, str):
        raise PolicyInputError(path, f"must be one of {', '.join(allowed)}; got {type_name(value)}")
    if value not in allowed:
        raise PolicyInputError(path, f"unknown value {shown(value)} (expected one of: {', '.join(allowed)})")
    return value
