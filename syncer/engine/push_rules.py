"""Per-shop rules: how a master price and stock become the values one shop shows.

Pure functions over integers (money is never fractional): stock = min(cap, (master - buffer)
x percent / 100), never below zero; price = master x (100 + markup) / 100, rounded to a step.
Effective rules: code defaults < ``[rules.default]`` < ``[rules.shops."ID or name"]`` < the
overrides stored for the shop (``syncer rules set``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from pydantic import ValidationError

from syncer.errors import ConfigError
from syncer.settings import RulesSettings, ShopRules
from syncer.store.rules import RuleValue

_MODES = {"nearest": ROUND_HALF_UP, "up": ROUND_CEILING, "down": ROUND_FLOOR}


def shop_stock(rules: ShopRules, master_stock: int) -> int:
    offered = max(master_stock - rules.stock_buffer, 0) * rules.stock_percent // 100
    if rules.stock_cap:
        offered = min(offered, rules.stock_cap)
    return max(offered, 0)


def shop_price(rules: ShopRules, master_price: int) -> int:
    marked = Decimal(master_price) * (Decimal(100) + Decimal(str(rules.price_markup_percent)))
    steps = (marked / 100 / rules.price_rounding).quantize(
        Decimal(1), rounding=_MODES[rules.price_rounding_mode]
    )
    return max(int(steps) * rules.price_rounding, rules.price_rounding if master_price else 0)


def effective_rules(
    config: RulesSettings,
    *,
    shop_id: int,
    shop_name: str,
    stored: Mapping[str, object],
) -> ShopRules:
    """The rules one shop pushes with; a bad stored override is named with the shop."""
    merged = config.default.model_dump()
    for ref in (shop_name, str(shop_id)):
        if ref in config.shops:
            merged |= config.shops[ref].model_dump(exclude_unset=True)
    merged |= dict(stored)
    try:
        return ShopRules(**merged)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in exc.errors()
        )
        raise ConfigError(f"push rules of shop {shop_id} ({shop_name}): {problems}") from None


def validate_overrides(overrides: Mapping[str, str]) -> dict[str, RuleValue]:
    """Parse ``key=value`` overrides from the command line into typed rule values."""
    known = ShopRules.model_fields
    parsed: dict[str, object] = {}
    for key, text in overrides.items():
        if key not in known:
            raise ConfigError(f"unknown rule {key!r}; allowed: {', '.join(sorted(known))}")
        parsed[key] = text
    try:
        typed = ShopRules(**parsed)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in exc.errors()
        )
        raise ConfigError(f"bad rule value: {problems}") from None
    return {key: getattr(typed, key) for key in parsed}
