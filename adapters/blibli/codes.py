"""Blibli error codes and messages, shared by the adapter's classifier and the sandbox.

[V3] codes come from integrator code (marketplaces/README 4.5); [I] codes are the sandbox's
stand-ins for failures the docs name without a code (signature, API client). The HTTP status
mirrors the code's middle digits (ERR-PA401001 -> 401) [I].
"""

from __future__ import annotations

BAD_REQUEST = "ERR-PA400054"  # [V3] store not bound to this API client / bad payload
SELLER_KEY_INVALID = "ERR-PA401001"  # [V3]
CLIENT_INVALID = "ERR-PA401002"  # [I] Basic credentials of the API client refused
SIGNATURE_INVALID = "ERR-PA401003"  # [I]
SIGNATURE_EXPIRED = "ERR-PA401004"  # [I] Signature-Time outside the accepted window
NOT_FOUND = "ERR-PA404012"  # [V3] "order item not found"
PRODUCT_NOT_FOUND = "ERR-PA404001"  # [I] same family, for product SKUs
QUOTA_EXCEEDED = "ERR-PA429001"  # [V3]
SERVER_ERROR = "ERR-MA500007"  # [V3]

MESSAGES = {
    SELLER_KEY_INVALID: "Request is not authorized, Api-Seller-Key is invalid",
    CLIENT_INVALID: "Request is not authorized, API client credentials are invalid",
    SIGNATURE_INVALID: "Request is not authorized, Signature is invalid",
    SIGNATURE_EXPIRED: "Request is not authorized, Signature-Time is expired",
    NOT_FOUND: "order item not found",
    PRODUCT_NOT_FOUND: "product not found",
    QUOTA_EXCEEDED: "Quota exceeded, too many request within 30 minutes",
    SERVER_ERROR: "Internal server error",
}
NOT_BOUND_MESSAGE = "Store is not bound to this API client"


def status_of(code: str) -> int:
    """The HTTP status a code carries in its middle digits (400 if it has none)."""
    digits = code[6:9] if len(code) >= 9 else ""
    return int(digits) if digits.isdigit() and 400 <= int(digits) <= 599 else 400
