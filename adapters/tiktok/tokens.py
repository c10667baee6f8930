"""Pure helpers of TikTok Shop's OAuth flow: token answers → credentials, and shop selection.

Token answers carry **absolute** expiry times (unix seconds, ``access_token_expire_in`` and
``refresh_token_expire_in``), stored as ``access_expires_at`` / ``refresh_expires_at``.
"""

from __future__ import annotations

from collections.abc import Mapping

from syncer.adapter import (
    Credentials,
    JsonObject,
    PayloadError,
    get_id,
    get_int,
    get_objects,
    get_str,
)
from syncer.errors import FatalError, NeedsReauthError

SHOP_KEYS = ("access_token", "refresh_token", "shop_cipher")


def with_tokens(current: Credentials, data: JsonObject) -> dict[str, str]:
    """``current`` plus the tokens and expiry times of a Get/Refresh Access Token answer."""
    try:
        return {
            **current,
            "access_token": get_str(data, "access_token"),
            "refresh_token": get_str(data, "refresh_token"),
            "access_expires_at": str(get_int(data, "access_token_expire_in")),
            "refresh_expires_at": str(get_int(data, "refresh_token_expire_in")),
        }
    except PayloadError as exc:
        raise NeedsReauthError(f"the token answer is not usable: {exc}") from exc


def pick_shop(data: JsonObject, shop_id: str) -> dict[str, str]:
    """``shop_cipher`` (and name, region) of ``shop_id`` among the authorized shops."""
    try:
        shops = get_objects(data, "shops")
        by_id = {get_id(shop, "id"): shop for shop in shops}
    except PayloadError as exc:
        raise FatalError(f"Get Authorized Shops answered an unexpected shape: {exc}") from exc
    shop = by_id.get(shop_id)
    if shop is None:
        offered = ", ".join(f"{sid} ({_label(s)})" for sid, s in by_id.items()) or "none"
        raise FatalError(
            f"shop {shop_id or '(none given)'} is not among the shops that authorized this app; "
            f"authorized: {offered}. Connect the shop with one of these ids."
        )
    return {
        "shop_cipher": get_str(shop, "cipher"),
        "shop_name": str(shop.get("name") or ""),
        "shop_region": str(shop.get("region") or ""),
    }


def _label(shop: Mapping[str, object]) -> str:
    return f"{shop.get('name') or '?'}, {shop.get('region') or '?'}"


def seconds_left(credentials: Credentials, key: str, now: float) -> float | None:
    """Seconds until the absolute expiry stored under ``key`` (None when unknown)."""
    value = credentials.get(key, "")
    return int(value) - now if value.isdigit() else None
