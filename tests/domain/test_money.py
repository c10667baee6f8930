"""Money is whole rupiah: exact conversions in, fractions and junk refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.domain import MoneyError, rupiah_from_number
from syncer.domain.money import MAX_RUPIAH

amounts = st.integers(min_value=0, max_value=MAX_RUPIAH)


@given(amounts)
def test_whole_amounts_survive_every_marketplace_encoding(amount: int) -> None:
    """An amount read back from an int, a float, a decimal string or a Decimal is unchanged."""
    encodings = [amount, str(amount), f"{amount}.00", Decimal(amount)]
    if amount < 2**53:  # beyond this a JSON float cannot hold every integer
        encodings.append(float(amount))
    assert {rupiah_from_number(value) for value in encodings} == {amount}


@given(amounts, st.integers(min_value=1, max_value=99))
def test_fractional_rupiah_is_refused(amount: int, cents: int) -> None:
    """IDR has no minor unit on these marketplaces: 15000.5 means a broken payload."""
    with pytest.raises(MoneyError, match="fraction"):
        rupiah_from_number(f"{amount}.{cents:02d}")


@pytest.mark.parametrize(
    "value", [None, True, "abc", "", "NaN", "Infinity", [], {}, -1, MAX_RUPIAH + 1]
)
def test_non_amounts_are_refused_with_a_reason(value: object) -> None:
    with pytest.raises(MoneyError):
        rupiah_from_number(value)
