"""Column types that keep money exact and times aware on every database."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Optional

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.types import TypeDecorator

from bot.clock import CST

CENT = Decimal("0.01")


def to_money(value: Any) -> Decimal:
    """A Decimal with two places; floats are refused (binary floating point loses cents)."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal or str, never float")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(value: Optional[Decimal]) -> Optional[str]:
    """Money is written as a string with two decimals (docs/POLICY_RULES.md)."""
    return None if value is None else str(to_money(value))


def iso(moment: Optional[datetime]) -> Optional[str]:
    """Policy times: ISO 8601 with an offset, shown in UTC+08:00 (docs/POLICY_RULES.md)."""
    return None if moment is None else moment.astimezone(CST).isoformat()


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware datetimes out; stored as UTC.

    PostgreSQL keeps `timestamptz`; SQLite has no zone support, so the value is
    stored as naive UTC text and the zone is put back on read. A naive value is a
    programming error and is refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused: {value!r}")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(CST)


class Money(TypeDecorator):
    """Exact money: NUMERIC(14,2) on PostgreSQL, canonical text on SQLite (which has
    no decimal type and would otherwise round-trip through binary floats)."""

    impl = Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        amount = to_money(value)
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Any) -> Optional[Decimal]:
        return None if value is None else to_money(value)
