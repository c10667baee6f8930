"""The Blibli sandbox's product API handlers (marketplaces/README 4.4), behind the gateway.

Product List V3 pages one state at a time (no state: ACTIVE in-stock only [V]), sorted by
created date; a larger ``size`` is capped at 50 [V3]. Variant list, product detail and the
queue detail answer shapes the scrape lost [I]. Exact stock is synchronous [V]; the bulk update
only queues (``sandbox_queue``).
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.blibli import codes
from adapters.blibli.sandbox_errors import BlibliError, BlibliSandboxSettings, bad_request
from adapters.blibli.sandbox_gateway import Call, Endpoint
from adapters.blibli.sandbox_queue import BulkQueue, Job
from adapters.blibli.sandbox_render import paging, summary, variant
from adapters.blibli.sandbox_store import STATES, BlibliProduct, BlibliStore
from adapters.blibli.sandbox_webhooks import WebhookSender, stock_payload
from syncer.sandbox import SandboxStats

JSONObject = dict[str, object]


def _obj(body: JSONObject, key: str) -> JSONObject:
    value = body.get(key, {})
    if not isinstance(value, dict):
        raise bad_request(f"{key} must be an object")
    return value


def _whole(body: JSONObject, key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{key} must be a whole number, got {value!r}")
    return value


class BlibliApi:
    def __init__(
        self,
        *,
        store: BlibliStore,
        queue: BulkQueue,
        webhooks: WebhookSender,
        settings: BlibliSandboxSettings,
        stats: SandboxStats,
        now_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.queue = queue
        self.webhooks = webhooks
        self.settings = settings
        self.stats = stats
        self.now_ms = now_ms

    def endpoints(self) -> list[Endpoint]:
        seller, mta = "/seller/v1/products", "/mta/api/businesspartner/v1"
        return [
            Endpoint("POST", f"{seller}/filter", "product_list", self.product_list),
            Endpoint("GET", seller + "/{sku}", "product_detail", self.product_detail),
            Endpoint("POST", seller + "/{sku}/variants/filter", "variant_list", self.variants),
            Endpoint("PUT", seller + "/{sku}/stock", "update_stock", self.update_stock),
            Endpoint("POST", f"{mta}/product/updateProduct", "bulk_update", self.bulk, True),
            Endpoint("GET", f"{mta}/queue/detail", "queue_detail", self.queue_detail, True),
        ]

    async def product_list(self, call: Call) -> JSONObject:
        filters, page_in = _obj(call.body, "filter"), _obj(call.body, "paging")
        state = filters.get("state") or "ACTIVE"
        if state not in STATES:
            raise bad_request(f"filter.state must be one of {', '.join(STATES)}, got {state!r}")
        sorting = _obj(call.body, "sorting")
        if sorting.get("by", "createdDate") != "createdDate":
            raise bad_request("sorting.by must be createdDate")
        page, size = _whole(page_in, "page", 0), _whole(page_in, "size", 10)
        if page < 0 or size < 1:
            raise bad_request("paging.page must be >= 0 and paging.size >= 1")
        size = min(size, self.settings.page_max)
        products = self.store.in_state(str(state))
        if sku := filters.get("productSku"):
            products = [p for p in products if p.sku == sku]
        elif name := filters.get("productName"):
            products = [p for p in products if str(name).lower() in p.product.name.lower()]
        if str(sorting.get("direction", "ASC")).upper() == "DESC":
            products.reverse()
        chosen = products[page * size : (page + 1) * size]
        self.stats.record_ids("listed_product_skus", [p.sku for p in chosen])
        with self.store.lock:
            content = [summary(p) for p in chosen]
        return {"content": content, "paging": paging(page, size, len(products))}

    def _product(self, call: Call) -> BlibliProduct:
        product = self.store.find(call.params["sku"])
        if product is None:
            raise BlibliError(codes.PRODUCT_NOT_FOUND, f"product {call.params['sku']} not found")
        return product

    async def product_detail(self, call: Call) -> JSONObject:
        product = self._product(call)
        with self.store.lock:
            return {"content": summary(product)}

    async def variants(self, call: Call) -> JSONObject:
        product = self._product(call)
        page_in = _obj(call.body, "paging")
        page, size = _whole(page_in, "page", 0), min(_whole(page_in, "size", 10), 50)
        if page < 0 or size < 1:
            raise bad_request("paging.page must be >= 0 and paging.size >= 1")
        self.stats.record_ids("variant_product_skus", [product.sku])
        with self.store.lock:
            rows = [variant(product, sku) for sku in product.skus]
        return {
            "content": rows[page * size : (page + 1) * size],
            "paging": paging(page, size, len(rows)),
        }

    async def update_stock(self, call: Call) -> JSONObject:
        found = self.store.find_sku(call.params["sku"])
        if found is None:
            raise BlibliError(codes.PRODUCT_NOT_FOUND, f"Blibli SKU {call.params['sku']} not found")
        stock = _whole(call.body, "availableStock", -1)
        if stock < 0:
            raise bad_request("availableStock is required and must be >= 0")
        product, sku = found
        with self.store.lock:
            sku.variant.stock = stock
            sku.variant.reserved_stock = min(sku.variant.reserved_stock, stock)
            product.updated_ms = self.now_ms()
        await self.webhooks.send(
            "stock_update_changes", stock_payload(product, self.store.store_code, self.now_ms())
        )
        return {"content": {"blibliSku": sku.blibli_sku, "availableStock": stock}}

    async def bulk(self, call: Call) -> JSONObject:
        if call.body.get("merchantCode") != self.store.store_code:
            raise bad_request(f"merchantCode must be this store's code {self.store.store_code}")
        rows = call.body.get("productRequests")
        if not isinstance(rows, list) or not 1 <= len(rows) <= self.settings.bulk_max:
            raise bad_request(
                f"productRequests must hold 1 to {self.settings.bulk_max} items, got "
                f"{len(rows) if isinstance(rows, list) else type(rows).__name__}"
            )
        for index, row in enumerate(rows):
            if not isinstance(row, dict) or not isinstance(row.get("gdnSku"), str):
                raise bad_request(f"productRequests[{index}].gdnSku is required")
        self.stats.record_ids("bulk_skus", [row["gdnSku"] for row in rows])
        self.queue.submit(call.request_id, rows)
        return {"value": {"requestId": call.request_id, "status": "QUEUED"}}

    async def queue_detail(self, call: Call) -> JSONObject:
        queue_id = call.query.get("queueId", "")
        before = self.queue.jobs.get(queue_id)
        was_done = before is not None and before.done
        job = self.queue.poll(queue_id)
        if job is None:
            raise BlibliError(codes.NOT_FOUND, f"queue {queue_id!r} not found")
        if job.done and not was_done:
            await self.job_finished(job)
        return {"value": job.detail()}

    async def job_finished(self, job: Job) -> None:
        detail = job.detail()
        summary_payload = {k: v for k, v in detail.items() if k != "items"}
        await self.webhooks.send(
            "queue_feed_product_update_summary",
            {
                **summary_payload,
                "store": {"code": self.store.store_code},
                "timestamp": self.now_ms(),
            },
        )
