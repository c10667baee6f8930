"""The Blibli sandbox's bulk-update queue: accepted now, applied when the job completes.

A job completes on the ``queue_polls``-th read of its detail once ``queue_delay_s`` has passed
on the sandbox's time base (or when the control API flushes the queue); only then do its rows
touch the catalog, each with its own verdict. Rules per row follow README 4.4 [V]: never
``stock`` and ``exactStock`` both, ``price`` with ``salePrice``; a price is locked while the SKU
is in a Blibli promotion [V]; ``fail_skus`` injects a failure for chosen SKUs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.blibli.sandbox_errors import BlibliSandboxSettings
from adapters.blibli.sandbox_store import BlibliSku, BlibliStore
from syncer.adapter.budgets import TimeBase

JSONObject = dict[str, object]
PROMO_LOCKED = "Price cannot be changed while the SKU is in a Blibli promotion"


@dataclass(slots=True)
class Job:
    queue_id: str
    rows: list[JSONObject]
    created: float
    polls: int = 0
    results: list[JSONObject] | None = None
    touched: set[str] = field(default_factory=set)  # product SKUs changed by this job

    @property
    def done(self) -> bool:
        return self.results is not None

    def detail(self) -> JSONObject:
        items = self.results or []
        return {
            "requestId": self.queue_id,
            "status": "DONE" if self.done else "IN_PROGRESS",
            "total": len(self.rows),
            "successCount": sum(1 for item in items if item["success"]),
            "failedCount": sum(1 for item in items if not item["success"]),
            "items": items,
        }


class BulkQueue:
    def __init__(
        self,
        store: BlibliStore,
        settings: BlibliSandboxSettings,
        time_base: TimeBase,
        now_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.settings = settings
        self.time_base = time_base
        self.now_ms = now_ms
        self.jobs: dict[str, Job] = {}
        self.fail_skus: dict[str, str] = {}
        self._lock = threading.Lock()

    def submit(self, queue_id: str, rows: list[JSONObject]) -> Job:
        job = Job(queue_id, rows, self.time_base.monotonic())
        with self._lock:
            self.jobs[queue_id] = job
        return job

    def poll(self, queue_id: str) -> Job | None:
        """One read of the job's detail; completes it when it is due."""
        with self._lock:
            job = self.jobs.get(queue_id)
            if job is None or job.done:
                return job
            job.polls += 1
            waited = self.time_base.monotonic() - job.created
            if job.polls >= self.settings.queue_polls and waited >= self.settings.queue_delay_s:
                self._complete(job)
            return job

    def flush(self) -> list[Job]:
        with self._lock:
            pending = [job for job in self.jobs.values() if not job.done]
            for job in pending:
                self._complete(job)
            return pending

    def _complete(self, job: Job) -> None:
        with self.store.lock:
            job.results = [self._apply(job, row) for row in job.rows]

    def _apply(self, job: Job, row: JSONObject) -> JSONObject:
        sku_id = str(row.get("gdnSku"))
        error = self._refusal(sku_id, row)
        if not error:
            found = self.store.find_sku(sku_id)
            assert found is not None  # _refusal checked it
            product, sku = found
            _write(sku, row)
            product.updated_ms = self.now_ms()
            job.touched.add(product.sku)
        return {"gdnSku": sku_id, "success": not error, "errorMessage": error}

    def _refusal(self, sku_id: str, row: JSONObject) -> str:
        """Why this row cannot be applied ("" if it can)."""
        if reason := self.fail_skus.get(sku_id):
            return reason
        found = self.store.find_sku(sku_id)
        if found is None:
            return f"gdnSku {sku_id} not found in this store"
        return _shape_refusal(row) or _value_refusal(found[1], row)


def _shape_refusal(row: JSONObject) -> str:
    if "stock" in row and "exactStock" in row:
        return "Send either stock or exactStock, not both"
    if ("price" in row) != ("salePrice" in row):
        return "price and salePrice must be sent together"
    numbers = [n for n in ("stock", "exactStock", "price", "salePrice") if n in row]
    if bad := [n for n in numbers if isinstance(row[n], bool) or not isinstance(row[n], int)]:
        return f"{bad[0]} must be a whole number"
    flags = [n for n in ("buyable", "displayable") if n in row]
    if wrong := [n for n in flags if not isinstance(row[n], bool)]:
        return f"{wrong[0]} must be true or false"
    return ""


def _value_refusal(sku: BlibliSku, row: JSONObject) -> str:
    unit = sku.variant
    if "exactStock" in row and _int(row, "exactStock") < 0:
        return "exactStock must not be negative"
    if "stock" in row and unit.stock + _int(row, "stock") < 0:
        return f"stock change {row['stock']} would leave a negative stock"
    if "price" in row and not 1 <= _int(row, "salePrice") <= _int(row, "price"):
        return "salePrice must be between 1 and price"
    if "price" in row and unit.promo_price is not None:
        return PROMO_LOCKED
    return ""


def _int(row: JSONObject, name: str) -> int:
    value = row[name]
    assert isinstance(value, int)
    return value


def _write(sku: BlibliSku, row: JSONObject) -> None:
    unit = sku.variant
    if "exactStock" in row:
        unit.stock = _int(row, "exactStock")
    if "stock" in row:
        unit.stock += _int(row, "stock")
    unit.reserved_stock = min(unit.reserved_stock, unit.stock)
    if "price" in row:
        unit.price = _int(row, "price")
    if "buyable" in row:
        sku.buyable = bool(row["buyable"])
        # displayable follows buyable unless sent [V, single update]
        sku.displayable = bool(row.get("displayable", row["buyable"]))
    elif "displayable" in row:
        sku.displayable = bool(row["displayable"])
