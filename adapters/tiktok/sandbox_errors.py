"""TikTok Shop sandbox: settings, the error type, and the official codes and messages it answers.

Every code/message pair is copied from the official common error list (guides/common-errors.md)
or an API page's ``error_code_list`` (official/tiktok/*.spec.json); [I] marks the few the docs
do not give (token endpoints, page tokens).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

JSONObject = dict[str, object]
Pair = tuple[int, str]

# -- common errors (guides/common-errors.md) ---------------------------------------------------
TOO_MANY_REQUESTS: Pair = (
    36009002,
    "Too many requests. You've made too many requests in a short period of time.",
)
INTERNAL_ERROR: Pair = (
    36009003,
    "Internal error. Please try again. If the issue persists after multiple attempts, please "
    "contact platform support.",
)
TIMEOUT: Pair = (36009007, "Request timeout. The request to the endpoint timed out.")
INVALID_PATH: Pair = (
    36009009,
    "Invalid path. The specified path does not match any available endpoint.",
)
INVALID_METHOD: Pair = (
    36009010,
    "Invalid method. The HTTP method used is not supported by this endpoint.",
)
INVALID_FORMAT: Pair = (
    36009022,
    "Invalid request format. The request body format must be `application/json` for "
    "structured data or `multipart/form-data` for binary files.",
)
INVALID_TOKEN_OR_CIPHER: Pair = (
    101000,
    "Invalid query or header. The `category_asset_cipher` query parameter or "
    "`x-tts-access-token` header is invalid.",
)
EXPIRED_TOKEN: Pair = (
    105002,
    "Expired credentials. The `access_token` or `x-tts-access-token` header has expired.",
)
INVALID_SIGN: Pair = (106001, "Invalid credentials. The `sign` query parameter is invalid.")
MISSING_SIGN: Pair = (
    36009004,
    "Missing credentials. The request does not include a required signature in the query.",
)
INVALID_ACCESS_TOKEN: Pair = (
    36009004,
    "Invalid credentials. The `x-tts-access-token` header is invalid.",
)
INVALID_APP_KEY: Pair = (36009004, "Invalid credentials. Invalid `app_key` query parameter.")
TIMESTAMP_NEGATIVE: Pair = (
    36009004,
    "Invalid timestamp. The value of the `timestamp` query parameter must not be lesser than 0.",
)
TIMESTAMP_TOO_OLD: Pair = (
    36009004,
    "Invalid timestamp. The value of the `timestamp` query parameter must not be earlier than "
    "5 minutes before the current time.",
)
TIMESTAMP_TOO_NEW: Pair = (
    36009004,
    "Invalid timestamp. The value of the `timestamp` query parameter must not exceed the "
    "current time by more than 30 seconds.",
)
MISSING_SHOP_CIPHER: Pair = (
    106013,
    "Missing identifier. The `shop_cipher` query parameter is required to identify the target "
    "shop.",
)
UNEXPECTED_SHOP_CIPHER: Pair = (
    36009004,
    "Unexpected identifier. The `shop_cipher` query parameter is not required for this request.",
)
# [I] the token endpoints' failures are not documented; worded like the common 36009004 ones
INVALID_AUTH_CODE: Pair = (36009004, "Invalid credentials. The `auth_code` is invalid or expired.")
INVALID_REFRESH_TOKEN: Pair = (
    36009004,
    "Invalid credentials. The `refresh_token` is invalid or expired.",
)
INVALID_GRANT_TYPE: Pair = (36009004, "Invalid credentials. Invalid `grant_type`.")
INVALID_APP_SECRET: Pair = (36009004, "Invalid credentials. Invalid `app_secret`.")

# -- product API error lists (*.spec.json) -----------------------------------------------------
SELLER_SKUS_LIMIT: Pair = (
    12019027,
    "The maximum count of “seller_skus” in the search filter is 10.",
)
SKU_IDS_LIMIT: Pair = (12019087, "The number of SKU IDs exceeds the limit of 10")
PAGE_NUMBER_INVALID: Pair = (12019108, "page number is invalid")
PAGE_SIZE_INVALID: Pair = (12019109, "page size is invalid")
CREATE_TIME_INVALID: Pair = (12019118, "search create time invalid")
UPDATE_TIME_INVALID: Pair = (12019119, "search update time invalid")
TOO_MANY_RESULTS: Pair = (12052180, "The total number of search results can not exceed 10000.")
INVALID_PARAMS: Pair = (
    12052910,
    "Invalid input parameters. Refer to the API documentation for details.",
)
PRODUCT_NOT_EXIST: Pair = (12052032, "The product does not exist")
NOT_YOUR_PRODUCT: Pair = (
    12052048,
    "You cannot edit the specified product(s) as it isn't listed in your account or shop. ",
)
NOT_YOUR_PRODUCT_ROW: Pair = (12052048, "You can't edit other sellers' products")  # row samples
WRONG_STATUS: Pair = (
    12052901,
    "The product in its current status is not available for this operation. Change the product "
    "status and try again.",
)
SKU_LIST_EMPTY: Pair = (
    12052902,
    "The SKU list is empty. Either omit the list entirely, or provide all required details.",
)
TOO_MANY_IDS: Pair = (12019120, "The number of provided product IDs exceeds the limit.")
TOO_MANY_SKUS: Pair = (12052050, "A single product cannot have more than 100 different SKUs")
SKU_NOT_EXIST: Pair = (12052556, "The SKU id not exist.")
SKU_NOT_IN_PRODUCT: Pair = (12052557, "The SKU ID does not belong to the product.")
SKU_DUPLICATE: Pair = (12052553, "Sku id duplicate")
STOCK_INVALID: Pair = (12019024, "stock count is invalid")
STOCK_OUT_OF_RANGE: Pair = (
    12052055,
    "The SKU inventory quantity for the warehouse must be within allowed limits.",
)
MULTIPLE_WAREHOUSES: Pair = (
    12019028,
    "Multiple warehouses detected. Include all warehouse IDs and the corresponding details and "
    "try again.",
)
WAREHOUSE_NOT_EXIST: Pair = (12052097, "The warehouse does not exist")
WAREHOUSE_CHANGED: Pair = (
    12052533,
    "Removal, addition, and change of warehouses are not permitted. Please specify the original "
    "warehouses for the SKUs.",
)
PRICE_FORMAT: Pair = (12052012, "Incorrect price format")
PRICE_INVALID: Pair = (12052073, "The product price is invalid")
PRICE_TOO_HIGH: Pair = (12052570, "product price exceed limit")
CURRENCY_INVALID: Pair = (12052084, "The provided currency is not available for this shop/region.")
PRICE_LOCKED: Pair = (12052038, "Product price locked due to ongoing promotion. ")
STOCK_LOCKED: Pair = (
    12052393,
    "Product locked for Promotion and stock can't be updated below current stock",
)
PLATFORM_NOT_SUPPORTED: Pair = (
    12052330,
    "product is not supported to list in designated sale platform",
)
CHECK_FAILED: Pair = (12052990, "The check failed.")


class TikTokError(Exception):
    """An error answer ``{code, message, request_id}`` (``data`` when there is one)."""

    def __init__(self, pair: Pair, *, data: JSONObject | None = None) -> None:
        super().__init__(f"{pair[0]}: {pair[1]}")
        self.code, self.message = pair
        self.data = data


@dataclass(frozen=True, slots=True, kw_only=True)
class TikTokSandboxSettings:
    """Behaviour knobs; defaults follow the docs, [I] marks inferred ones."""

    timestamp_past: int = 300  # "[Current time - 5 mins, current time + 30 secs]"
    timestamp_future: int = 30
    access_token_ttl: int = 7 * 86_400  # "default expiration time set to seven days"
    refresh_token_ttl: int = 365 * 86_400  # [I] the guide's sample pair is ~365 days apart
    code_ttl: int = 30 * 60  # "The auth_code expires in 30 minutes and can only be used once"
    audit_seconds: int = 60  # [I] activation → PENDING, then ACTIVATE after this long
    max_search_results: int | None = 10_000  # 12052180; [I] checked against each answer's total
    max_quantity: int = 99_999
    min_quantity: int = 0  # [I] the field table says [1, 99999]; sellers do set 0 (sold out)
    price_range: tuple[int, int] = (100, 100_000_000)  # IDR (product pricing guide)
    writes_need_activate: bool = False  # [I] "must belong to an ACTIVATE product" (strict mode)
    low_stock_threshold: int = 5  # [I] webhook 27 fires when stock drops to this or below
    webhook_retry_delays: tuple[int, ...] = (120, 1_800, 10_800, 43_200)  # configuration guide
    # [I] HTTP status per code: the docs name 429 and 503 only; unlisted codes answer 200.
    status_for_code: Mapping[int, int] = field(
        default_factory=lambda: MappingProxyType(
            {
                36009002: 429,
                36009003: 500,
                36009009: 404,
                36009010: 405,
                36009004: 401,
                105002: 401,
                106001: 401,
                101000: 403,
                36009022: 400,
            }
        )
    )
    shop_name: str = "Toko Sandbox Nusantara"
