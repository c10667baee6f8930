"""Money is integer rupiah everywhere inside the service; fractions are refused, never rounded."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_RUPIAH = 10**12  # far above any marketplace's price cap; catches unit mix-ups (cents, micros)


class MoneyError(ValueError):
    """A value that is not a whole, non-negative rupiah amount."""


def rupiah_from_number(value: object) -> int:
    """Whole rupiah from a JSON number or decimal string; raises MoneyError on anything else.

    Marketplaces send IDR as floats (Shopee), decimal strings (TikTok) or ints; a fractional
    rupiah means the payload is wrong (IDR has no minor unit on these marketplaces).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise MoneyError(f"price must be a number, got {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise MoneyError(f"price {value!r} is not a number") from exc
    if not amount.is_finite():
        raise MoneyError(f"price {value!r} is not a finite number")
    if amount != amount.to_integral_value():
        raise MoneyError(f"price {value!r} has a fraction; IDR prices are whole rupiah")
    if amount < 0 or amount > MAX_RUPIAH:
        raise MoneyError(f"price {value!r} is outside 0..{MAX_RUPIAH} rupiah")
    return int(amount)
