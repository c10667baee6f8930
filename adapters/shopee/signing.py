"""Shopee Open Platform v2 request signing (official guide "API calls", step 1 and 2).

sign = lower-hex HMAC-SHA256(key=partner_key, msg=base string), where the base string is
partner_id + path + timestamp, followed by access_token + shop_id for Shop APIs.
"""

from __future__ import annotations

import hashlib
import hmac


def base_string(
    partner_id: int | str, path: str, timestamp: int, *, access_token: str = "", shop_id: str = ""
) -> str:
    """Concatenation without separators, strictly in the documented order."""
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def sign(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int,
    *,
    access_token: str = "",
    shop_id: str = "",
) -> str:
    message = base_string(partner_id, path, timestamp, access_token=access_token, shop_id=shop_id)
    return hmac.new(partner_key.encode(), message.encode(), hashlib.sha256).hexdigest()
