"""Blibli sandbox settings and the error every handler raises (answered in Blibli's envelope)."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.blibli import codes

# Documented per-store budgets (marketplaces/README 4.6): operation -> (requests, window s).
DOCUMENTED_BUDGETS: dict[str, tuple[int, float]] = {
    "product_list": (25, 60.0),
    "bulk_update": (25, 60.0),
    "update_stock": (60, 60.0),
}
OPERATION_PATHS = {
    "product_list": "/seller/v1/products/filter",
    "product_detail": "/seller/v1/products/{product-sku}",
    "variant_list": "/seller/v1/products/{product-sku}/variants/filter",
    "update_stock": "/seller/v1/products/{blibli-sku}/stock",
    "bulk_update": "/mta/api/businesspartner/v1/product/updateProduct",
    "queue_detail": "/mta/api/businesspartner/v1/queue/detail",
}


@dataclass(slots=True, kw_only=True)
class BlibliSandboxSettings:
    """Choices the docs leave open, all [I] unless noted; the control API changes some live."""

    signature_window_s: float = 900.0  # "valid until 15 minutes" [V B5 fragment]
    accept_signature_variants: bool = True  # community forms (README 4.2) pass too
    page_max: int = 50  # larger sizes are capped [V3]
    bulk_max: int = 100  # gdnSkus per bulk request [V]
    queue_polls: int = 2  # queue detail reads before a job reports DONE
    queue_delay_s: float = 0.0  # and time (on the sandbox's time base) before it does
    budgets: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DOCUMENTED_BUDGETS))


class BlibliError(Exception):
    """An error answer: ``{requestId, success: false, errorCode, errorMessage}``."""

    def __init__(self, code: str, message: str = "", *, status: int | None = None) -> None:
        self.code = code
        self.message = message or codes.MESSAGES.get(code, "")
        self.status = status or codes.status_of(code)
        super().__init__(f"{code}: {self.message}")


def bad_request(message: str) -> BlibliError:
    return BlibliError(codes.BAD_REQUEST, message)
