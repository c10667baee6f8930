"""The asynchronous bulk update (``updateProduct``, <= 100 SKUs a call) polled to completion.

``success: true`` only means queued (marketplaces/README 4.4): each call's queue is then read
through the queue detail [I: keyed by the bulk call's ``requestId``] until it is done, and every
SKU gets Blibli's own verdict. A call that fails outright gives each of its SKUs the call's
reason; a queue still running when the poller gives up gives a retriable verdict.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from adapters.blibli import mapping
from adapters.blibli.mapping import Verdict
from adapters.blibli.payloads import BulkRow
from syncer.adapter import JsonObject, PayloadError, get_obj, get_str, poll_until_done
from syncer.errors import (
    AdapterError,
    MalformedResponseError,
    NeedsReauthError,
    RequestRejectedError,
    RetriableError,
)

BULK_UPDATE = "/mta/api/businesspartner/v1/product/updateProduct"
QUEUE_DETAIL = "/mta/api/businesspartner/v1/queue/detail"  # [I] path of "Queue Detail V1"
BULK_MAX = 100  # gdnSkus per request [V]
DONE_STATES = frozenset({"DONE", "FINISHED", "COMPLETED", "SUCCESS", "FAILED", "PARTIAL"})

if TYPE_CHECKING:
    from adapters.blibli.adapter import BlibliAdapter

T = TypeVar("T")


def chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def run_bulk(adapter: BlibliAdapter, rows: Sequence[BulkRow]) -> dict[str, Verdict]:
    """Send ``rows`` in calls of 100, wait for each queue, and return every SKU's verdict."""

    async def one(chunk: Sequence[BulkRow]) -> dict[str, Verdict]:
        skus = [row["gdnSku"] for row in chunk]
        try:
            queue_id = await _submit(adapter, chunk)
            detail = await poll_until_done(
                lambda: _queue_detail(adapter, queue_id),
                what=f"Blibli bulk update {queue_id}",
                policy=adapter.poll_policy,
                time_base=adapter.time_base,
            )
            return mapping.queue_verdicts(detail)
        except (NeedsReauthError, RequestRejectedError):
            raise  # about the store or the app, not these rows
        except PayloadError as exc:
            return dict.fromkeys(skus, Verdict(f"unreadable queue detail: {exc}", retriable=True))
        except AdapterError as exc:
            return dict.fromkeys(skus, Verdict(str(exc), exc.code, exc.retriable))

    results = await adapter.gather_bounded(list(chunks(rows, BULK_MAX)), one)
    return {sku: verdict for result in results for sku, verdict in result.items()}


async def _submit(adapter: BlibliAdapter, chunk: Sequence[BulkRow]) -> str:
    body: JsonObject = {"merchantCode": adapter.store_code, "productRequests": list(chunk)}
    answer = await adapter.call("POST", BULK_UPDATE, body=body, operation="bulk_update")
    try:
        return get_str(answer, "requestId")
    except PayloadError as exc:
        raise MalformedResponseError(f"bulk update answered without a requestId: {exc}") from exc


async def _queue_detail(adapter: BlibliAdapter, queue_id: str) -> JsonObject | None:
    """The queue's detail once it is done; None while Blibli is still working on it."""
    answer = await adapter.call(
        "GET", QUEUE_DETAIL, params={"queueId": queue_id}, operation="queue_detail"
    )
    try:
        value = get_obj(answer, "value")
        status = get_str(value, "status").upper()
    except PayloadError as exc:
        raise RetriableError(f"queue detail of {queue_id} has an unexpected shape: {exc}") from exc
    return value if status in DONE_STATES else None
