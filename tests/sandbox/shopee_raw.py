"""A raw Shopee v2 caller for the conformance suite, written from the official guide only.

Deliberately independent of ``adapters.shopee`` (the adapter under test elsewhere): it signs
with HMAC-SHA256 over ``partner_id + path + timestamp [+ access_token + shop_id]`` exactly as
"API calls" step 1-2 describes, and reads the sandbox clock through the control API.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

import httpx

TOKEN_GET = "/api/v2/auth/token/get"
TOKEN_REFRESH = "/api/v2/auth/access_token/get"
SHOP_INFO = "/api/v2/shop/get_shop_info"
ITEM_LIST = "/api/v2/product/get_item_list"
BASE_INFO = "/api/v2/product/get_item_base_info"
MODEL_LIST = "/api/v2/product/get_model_list"
SEARCH_ITEM = "/api/v2/product/search_item"
ITEM_LIMIT = "/api/v2/product/get_item_limit"
UPDATE_PRICE = "/api/v2/product/update_price"
UPDATE_STOCK = "/api/v2/product/update_stock"
UNLIST_ITEM = "/api/v2/product/unlist_item"
DELETE_ITEM = "/api/v2/product/delete_item"
PUBLIC_PATHS = {TOKEN_GET, TOKEN_REFRESH}
ALL_STATUSES = ["NORMAL", "BANNED", "UNLIST", "REVIEWING", "SELLER_DELETE", "SHOPEE_DELETE"]

Params = Mapping[str, object]


def base_string(
    partner_id: object, path: str, timestamp: int, access_token: str = "", shop_id: object = ""
) -> str:
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def sign(partner_key: str, base: str) -> str:
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


class RawShopee:
    """Signs and sends requests; ``common`` builds the common parameters for any path."""

    def __init__(self, client: httpx.Client, credentials: Mapping[str, object]) -> None:
        self.client = client
        self.partner_id = int(str(credentials["partner_id"]))
        self.partner_key = str(credentials["partner_key"])
        self.shop_id = int(str(credentials["shop_id"]))
        self.access_token = str(credentials["access_token"])
        self.refresh_token = str(credentials["refresh_token"])
        self.offset = 0.0
        self.sync_clock()

    # -- clock --------------------------------------------------------------------------------
    def sync_clock(self) -> None:
        """Follow the sandbox clock (it may have been moved through the control API)."""
        self.offset = float(self.control("GET", "clock")["offset"])

    def now(self) -> int:
        return int(time.time() + self.offset)

    def advance(self, seconds: float) -> None:
        self.control("POST", "clock", {"advance_seconds": seconds})
        self.sync_clock()

    # -- signing ------------------------------------------------------------------------------
    def common(
        self, path: str, *, timestamp: int | None = None, token: str | None = None
    ) -> dict[str, Any]:
        ts = self.now() if timestamp is None else timestamp
        if path in PUBLIC_PATHS:
            base = base_string(self.partner_id, path, ts)
            return {
                "partner_id": self.partner_id,
                "timestamp": ts,
                "sign": sign(self.partner_key, base),
            }
        access = self.access_token if token is None else token
        base = base_string(self.partner_id, path, ts, access, self.shop_id)
        return {
            "partner_id": self.partner_id,
            "timestamp": ts,
            "access_token": access,
            "shop_id": self.shop_id,
            "sign": sign(self.partner_key, base),
        }

    # -- calls --------------------------------------------------------------------------------
    def get(self, path: str, params: Params | None = None, **common: Any) -> httpx.Response:
        query: dict[str, Any] = {**self.common(path, **common), **(params or {})}
        return self.client.get(path, params=query)

    def post(self, path: str, body: object, **common: Any) -> httpx.Response:
        query: dict[str, Any] = self.common(path, **common)
        return self.client.post(path, params=query, json=body)

    def ok(self, path: str, params: Params | None = None, body: object = None) -> Any:
        """Call and assert success; the ``response`` object (or top-level body)."""
        response = self.post(path, body) if body is not None else self.get(path, params)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert payload["error"] == "", payload
        return payload.get("response", payload)

    def control(self, method: str, name: str, body: object = None) -> Any:
        response = self.client.request(method, f"/_sandbox/{name}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def mutate(self, action: str, **fields: object) -> Any:
        return self.control("POST", "mutate", {"action": action, **fields})

    def truth(self) -> list[dict[str, Any]]:
        return list(self.control("GET", "truth")["listings"])


def pick_item(
    shopee: RawShopee,
    *,
    models: bool,
    status: str = "NORMAL",
    promoted: bool = False,
    in_stock: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """An item from the truth with or without models, in ``status``, promoted or not
    (``in_stock``: its first unit has stock to sell)."""
    by_item: dict[str, list[dict[str, Any]]] = {}
    for row in shopee.truth():
        by_item.setdefault(row["item_id"], []).append(row)
    for item_id, rows in by_item.items():
        has_models = rows[0]["model_id"] != ""
        is_promoted = any(row["reserved_stock"] > 0 for row in rows)
        stocked = rows[0]["stock"] > 0 or not in_stock
        same_status = rows[0]["item_status"] == status
        if has_models == models and same_status and is_promoted == promoted and stocked:
            return int(item_id), rows
    raise LookupError(f"no item with models={models} status={status} promoted={promoted}")
