"""Shopee sandbox: settings, the error type and the official error strings it answers with.

Every code/message pair below is copied from an ``error_list`` or ``error_example`` of the
official API pages (marketplaces/official/shopee/*.json); only the ``{msg}`` part of
"Wrong parameters, detail: {msg}." is ours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

JSONObject = dict[str, object]

# -- official strings --------------------------------------------------------------------------
NO_PARTNER_ID = ("error_param", "There is no partner_id in query.")
INVALID_PARTNER_ID = ("error_param", "Invalid partner_id.")
NO_TIMESTAMP = ("error_param", "no timestamp")
INVALID_TIMESTAMP = ("error_param", "Invalid timestamp")
NO_SIGN = ("error_param", "There is no sign in query.")
NO_ACCESS_TOKEN = ("error_param", "There is no access_token in query.")
WRONG_SIGN = ("error_sign", "Wrong sign.")
INVALID_ACCESS_TOKEN = ("error_auth", "Invalid access_token.")
INVALID_SHOP = ("error_auth", "Invalid partner_id or shopid.")
SHOP_ID_INVALID = ("error_shop", "shopid is invalid")
PARSE_FAILED = ("error_data", "parse data failed")
SERVER_ERROR = ("error_server", "Something wrong. Please try later.")  # list has a stray tab
TOO_MANY_REQUESTS = ("error_server", "Too many requests, please try again later")
# token endpoints
INVALID_CODE = ("error_auth", "Invalid code")  # token/get error_example
INVALID_CODE_SHOP = (
    "invalid_shop_id",
    "The code or shop_id is wrong, please check the code or the shop_id.",
)
INVALID_MAIN_ACCOUNT = (
    "invalid_main_acount_id",
    "The code or main_accoount_id is wrong, please check the code or the main_account_id.",
)
INVALID_REFRESH_TOKEN = ("error_auth", "Invalid refresh_token.")  # access_token/get error_example
REFRESH_TOKEN_EXPIRED = ("refresh_token_expired", "Your refresh_token expired.")
SHOP_NO_LINKED = ("shop_no_linked", "Partner and shop has no linked.")
SHOP_ACCESS_EXPIRED = ("shop_access_expired", "Your access to shop has expired.")
MERCHANT_NO_LINKED = ("merchant_no_linked", "Partner and merchant has no linked.")
# product module
ITEM_NOT_FOUND = ("error_item_not_found", "Item_id is not found.")
ITEM_UNEDITABLE = (
    "error_item_uneditable",
    "Can't edit this item. item status can not support editing.",
)
ITEM_STATUS_ERROR = ("error_param_item_status", "Item status error.")
UPDATE_TIME_RANGE = (
    "error_update_time_range",
    "Update_time_to should be later than update_time_from.",
)
OFFSET_OVER_LIMIT = ("error_param", "get items offset over limit, please use the next field")
SEARCH_NEEDS_FILTER = ("error_param", "request must set one of [item_name,attribute_status]")
REPEAT_MODEL_ID = ("error_param", "Repeat model_id.")
STOCK_ALL_FAILED = (
    "error_busi_update_stock_failed",
    "Update stock failed, please check failure_list for detailed reason",
)
UNLIST_ALL_FAILED = ("error_unlist_item_all_failed", "Unlist item all failed.")
DELETE_IN_PROMOTION = (
    "error_cannt_delete_in_promotion",
    "Item cannot be deleted when item is under promotion.",
)
# per-row failed_reason strings (the message half of the official pairs)
WRONG_MODEL_ID = "Wrong model_id."
INVALID_PRICE = "Invalid price, please use the correct format"
PRICE_BELOW_MIN = "Original_price is less than min price limit."
PRICE_ABOVE_MAX = "Original_price is bigger than max price limit."
PRICE_OUT_OF_RANGE = "Price is out of range."
ITEM_PRICE_IN_PROMOTION = "Original_price cannot be edited when item is under promotion."
MODEL_PRICE_IN_PROMOTION = "Price cannot be changed when model is under promotion."
ITEM_PRICE_HAS_MODELS = "Can't edit item price directly while item has models."
ITEM_STOCK_HAS_MODELS = "Can't to edit item stock directly while item has models."
STOCK_BELOW_RESERVED = "Can not update item with stock less than reserved stock"
LOCATION_MISMATCH = (
    "The location_id input is not matched the shop's location_id(more/wrong). Please double check."
)
INVALID_PRODUCT_PARAM = "Invalid parameter for product."
PRODUCT_NOT_FOUND = "Product not found"
CANNOT_DELIST_BANNED = "Banned and Reviewing Products cannot be delisted"
UNLIST_IN_PROMOTION = "Can't unlist item when item is under promotion"  # unlist_item sample


class ShopeeError(Exception):
    """An error answer: ``{request_id, error, message}`` plus ``response`` when there is one."""

    def __init__(self, pair: tuple[str, str], *, response: JSONObject | None = None) -> None:
        super().__init__(f"{pair[0]}: {pair[1]}")
        self.error, self.message = pair
        self.response = response


def wrong_parameters(detail: str) -> ShopeeError:
    """The official "Wrong parameters, detail: {msg}." with our detail filled in."""
    return ShopeeError(("error_param", f"Wrong parameters, detail: {detail}."))


def missing_field(name: str) -> ShopeeError:
    """A missing required product-module field, worded like the official error examples
    (``invalid field ItemId: value must  Not Null``, two spaces included)."""
    camel = "".join(part.capitalize() for part in name.split("_"))
    return ShopeeError(("product.error_param", f"invalid field {camel}: value must  Not Null"))


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer: ``response`` (or top-level fields) plus optional error/warning."""

    response: JSONObject | None = None
    error: str = ""
    message: str = ""
    warning: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ShopeeSandboxSettings:
    """Behaviour knobs; defaults follow the docs, [I] marks inferred ones."""

    timestamp_window: int = 300  # "Each API request needs to be requested within 5 minutes"
    access_token_ttl: int = 4 * 3600
    refresh_token_ttl: int = 30 * 86_400
    old_access_token_grace: int = 300  # old access_token "still valid for 5 minutes"
    code_ttl: int = 600
    authorization_ttl: int = 365 * 86_400
    # [I] HTTP status per error code (docs give none); unlisted codes answer 200.
    status_for_error: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({"error_auth": 403, "error_sign": 403})
    )
    # [I] get_item_list order is undocumented. Newest first keeps offset paging safe while items
    # change (a changed item jumps to the front: a later page may repeat a row, never skip one).
    rate_limited_status: int = 429  # [I] with Retry-After; some gateways answer 200 + error
    item_list_order: Literal["update_time_desc", "update_time_asc"] = "update_time_desc"
    max_item_list_offset: int | None = None  # [I] deep offsets "over limit": cap not documented
    price_limit: tuple[int, int] = (100, 500_000_000)  # [I] IDR bounds get_item_limit reports
    stock_limit: tuple[int, int] = (0, 999_999)  # [I]
    price_ratio_limit: float | None = 7.0  # most/least expensive model, ID (stock-price guide)
    location_id: str = "IDZ"  # seller warehouse id as in the stock-price guide sample
    tax_rate_percent: int = 11  # [I] PPN, for the inflated_* (tax-inclusive) ID prices
    shop_name: str = "Toko Sandbox Nusantara"
