"""Per-shop rules are pure integer arithmetic: properties over any master value and rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.domain import ListingKey
from syncer.engine.push_batches import minimum_calls, plan_calls
from syncer.engine.push_rules import effective_rules, shop_price, shop_stock, validate_overrides
from syncer.errors import ConfigError
from syncer.settings import RulesSettings, ShopRules
from syncer.store.push_tasks import ClaimedTask

rules = st.builds(
    ShopRules,
    stock_buffer=st.integers(0, 50),
    stock_percent=st.integers(0, 100),
    stock_cap=st.integers(0, 500),
    price_markup_percent=st.floats(-90, 1000, allow_nan=False).map(lambda x: round(x, 2)),
    price_rounding=st.sampled_from([1, 50, 100, 500, 1000]),
    price_rounding_mode=st.sampled_from(["nearest", "up", "down"]),
)


@given(rules, st.integers(0, 100_000))
def test_shop_stock_is_never_negative_never_above_master_and_zero_at_zero(
    rule: ShopRules, master: int
) -> None:
    shown = shop_stock(rule, master)
    assert 0 <= shown <= master
    assert shop_stock(rule, 0) == 0
    if rule.stock_cap:
        assert shown <= rule.stock_cap


@given(rules, st.integers(1, 100_000_000))
def test_shop_price_is_whole_rupiah_on_the_rounding_step(rule: ShopRules, master: int) -> None:
    price = shop_price(rule, master)
    assert isinstance(price, int)
    assert price > 0
    assert price % rule.price_rounding == 0


def test_examples_a_business_would_check() -> None:
    assert shop_stock(ShopRules(stock_buffer=2, stock_percent=50, stock_cap=10), 30) == 10
    assert shop_stock(ShopRules(stock_buffer=2, stock_percent=50), 9) == 3
    assert shop_price(ShopRules(price_markup_percent=5, price_rounding=100), 12_345) == 13_000
    assert shop_price(ShopRules(price_rounding=100, price_rounding_mode="down"), 12_399) == 12_300


def test_shop_overrides_win_over_the_config_and_bad_values_are_named() -> None:
    config = RulesSettings(
        default=ShopRules(stock_buffer=1),
        shops={"Toko Kopi": ShopRules(stock_percent=80)},
    )
    rule = effective_rules(config, shop_id=3, shop_name="Toko Kopi", stored={"stock_cap": 5})
    assert (rule.stock_buffer, rule.stock_percent, rule.stock_cap) == (1, 80, 5)
    with pytest.raises(ConfigError, match=r"push rules of shop 3 .*stock_percent"):
        effective_rules(config, shop_id=3, shop_name="x", stored={"stock_percent": 101})
    with pytest.raises(ConfigError, match=r"unknown rule 'buffer'; allowed: .*stock_buffer"):
        validate_overrides({"buffer": "2"})
    assert validate_overrides({"stock_buffer": "2"}) == {"stock_buffer": 2}


def task(task_id: int, item: str, variant: str, field: str = "stock") -> ClaimedTask:
    return ClaimedTask(
        id=task_id,
        listing_id=task_id,
        shop_id=1,
        field=field,
        value=1,
        state="pending",
        attempts=0,
        idempotency_key=str(task_id),
        key=ListingKey(item, variant),
        stored=0,
        previous_value=None,
    )


@given(st.lists(st.tuples(st.integers(1, 8), st.integers(0, 120)), unique=True, max_size=400))
def test_calls_are_the_minimum_and_never_mix_items_when_per_item(
    keys: list[tuple[int, int]],
) -> None:
    tasks = [task(i, str(item), str(variant)) for i, (item, variant) in enumerate(keys)]
    for per_item in (True, False):
        calls = plan_calls(tasks, field="stock", limit=50, per_item=per_item)
        assert sorted(t.id for call in calls for t in call) == [t.id for t in tasks]
        assert all(0 < len(call) <= 50 for call in calls)
        assert len(calls) == minimum_calls([t.key for t in tasks], limit=50, per_item=per_item)
        if per_item:
            assert all(len({t.key.external_item_id for t in call}) == 1 for call in calls)


def test_status_rows_are_whole_items() -> None:
    """Unlisting acts on an item: its variants' tasks make one row and are never split."""
    tasks = [task(i, str(i // 3), str(i % 3), "status") for i in range(9)]
    calls = plan_calls(tasks, field="status", limit=2, per_item=False)
    assert [sorted({t.key.external_item_id for t in call}) for call in calls] == [["0", "1"], ["2"]]
