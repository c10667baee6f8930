"""Cross-channel stock: a sale seen on one shop lowers the master stock and re-aligns the others.

Input: the stock ``ListingEvent``s pulls and webhooks write (the store records every observed
change), consumed in id order, each exactly once (``stock_delta`` ledger row in the same
transaction as the master change). A sale is measured against the listing's *baseline*: the
channel stock we last set or saw lowest. The baseline only goes down with sales and is reset by
our own pushes, so a duplicate or stale observation (10 -> 8, then 8 -> 10, then 10 -> 8) counts
the two units once. A rise above the baseline is not a sale: where master owns stock, the
listing is pushed back to the master's value. An observation equal to the value a listing had
before a push whose outcome is unknown (the pusher died mid-send) is that push not yet landed,
not a sale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from syncer.domain import Clock
from syncer.engine.push_changes import RulesBook, plan_alignment
from syncer.settings import Settings
from syncer.store import Connection, Database, catalog
from syncer.store import push_tasks as task_store
from syncer.store import stock_ledger as ledger_store
from syncer.store.push_tasks import NewTask
from syncer.store.stock_ledger import Consumed, StockObservation

log = structlog.get_logger("syncer.engine")
BATCH = 500


@dataclass(slots=True)
class PropagationReport:
    observations: int = 0
    sales: int = 0
    units_sold: int = 0
    products: int = 0
    tasks: int = 0
    outcomes: Counter[str] | None = None

    def count(self, outcome: str) -> None:
        if self.outcomes is None:
            self.outcomes = Counter()
        self.outcomes[outcome] += 1


class Propagator:
    def __init__(
        self, *, settings: Settings, database: Database, clock: Clock, batch: int = BATCH
    ) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        self.batch = batch

    async def run_once(self) -> PropagationReport:
        """Consume every observed stock change there is now; returns what it did."""
        report = PropagationReport()
        while True:
            now = self.clock.now()
            async with self.database.write() as connection:
                mark = await ledger_store.lock_mark(connection)
                observations = await ledger_store.unconsumed(connection, mark, limit=self.batch)
                await self._apply(connection, observations, report)
                full = len(observations) == self.batch
                scanned_to = observations[-1].event_id if full else None
                await ledger_store.advance_mark(connection, mark, now=now, scanned_to=scanned_to)
            if not full:
                break
        if report.observations:
            log.info(
                "propagate.finished",
                observations=report.observations,
                sales=report.sales,
                units_sold=report.units_sold,
                products=report.products,
                tasks=report.tasks,
            )
        return report

    async def _apply(
        self,
        connection: Connection,
        observations: Sequence[StockObservation],
        report: PropagationReport,
    ) -> None:
        if not observations:
            return
        now = self.clock.now()
        listing_ids = sorted({o.listing_id for o in observations})
        links = await catalog.links_of(connection, listing_ids)
        unlanded = await task_store.in_flight_previous(connection, listing_ids)
        baselines: dict[int, int | None] = {}
        sold: Counter[int] = Counter()
        touched: set[int] = set()
        consumed: list[Consumed] = []
        for seen in observations:
            link = links.get(seen.listing_id)
            product_id = link.product_id if link else None
            if link is None or product_id is None:
                consumed.append(_consumed(seen, None, 0, "unlinked"))
                continue
            baseline = baselines.get(seen.listing_id, link.stock_baseline)
            baseline = seen.old if baseline is None else baseline
            outcome, units = _judge(seen, baseline, unlanded.get(seen.listing_id, set()))
            if outcome == "sale":
                baseline = seen.new
                sold[product_id] += units
            if outcome in ("sale", "restock"):
                touched.add(product_id)
            baselines[seen.listing_id] = baseline
            consumed.append(_consumed(seen, product_id, units, outcome))
        await ledger_store.consume(connection, consumed, now=now)
        await catalog.set_baselines(connection, baselines)
        tasks = await self._realign(connection, sold, touched)
        report.observations += len(observations)
        report.sales += sum(1 for c in consumed if c.outcome == "sale")
        report.units_sold += sum(sold.values())
        report.products += len(touched)
        report.tasks += await task_store.enqueue(connection, tasks, now=now)
        for row in consumed:
            report.count(row.outcome)

    async def _realign(
        self, connection: Connection, sold: Counter[int], touched: set[int]
    ) -> list[NewTask]:
        """Lower the master stock of what sold, then push every product touched."""
        now = self.clock.now()
        book = await RulesBook.load(connection, self.settings)
        tasks: list[NewTask] = []
        for product_id in sorted(touched):
            if sold[product_id]:
                product = await catalog.subtract_stock(
                    connection, product_id, sold[product_id], now=now
                )
                log.info(
                    "propagate.sale",
                    sku=product.sku,
                    units=sold[product_id],
                    master_stock=product.stock,
                )
            else:
                product = await catalog.get_product(connection, product_id)
            tasks += await plan_alignment(
                connection, product, book, fields=["stock"], origin="propagate"
            )
        return tasks


def _judge(seen: StockObservation, baseline: int, unlanded: set[int]) -> tuple[str, int]:
    """(outcome, units sold) of one observation against the listing's baseline."""
    if seen.new in unlanded:
        return "echo", 0
    if seen.new < baseline:
        return "sale", baseline - seen.new
    if seen.new > baseline:
        return "restock", 0
    return "ignored", 0


def _consumed(seen: StockObservation, product_id: int | None, units: int, outcome: str) -> Consumed:
    return Consumed(
        event_id=seen.event_id,
        listing_id=seen.listing_id,
        product_id=product_id,
        delta=units,
        outcome=outcome,
    )
