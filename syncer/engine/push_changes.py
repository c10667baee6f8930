"""Changes to master products and single listings, each written with its push tasks in one
transaction (the transactional outbox): a change is never stored without its pushes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from syncer.domain import Clock
from syncer.engine.push_rules import effective_rules, shop_price, shop_stock
from syncer.errors import ConfigError
from syncer.settings import Settings, ShopRules
from syncer.store import Connection, Database, catalog
from syncer.store import push_tasks as task_store
from syncer.store import rules as rule_store
from syncer.store import shops as shop_store
from syncer.store.catalog import LinkedListing, ProductRecord
from syncer.store.push_tasks import NewTask

LISTABLE = ("active", "out_of_stock")  # statuses a seller may unlist (banned ones may not)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeOutcome:
    product: ProductRecord | None
    tasks: int


class RulesBook:
    """Effective rules of every shop, read once per transaction."""

    def __init__(self, rules: dict[int, ShopRules]) -> None:
        self._rules = rules

    @classmethod
    async def load(cls, connection: Connection, settings: Settings) -> RulesBook:
        stored = await rule_store.all_shop_rules(connection)
        shops = await shop_store.list_shops(connection)
        return cls(
            {
                shop.id: effective_rules(
                    settings.rules,
                    shop_id=shop.id,
                    shop_name=shop.name,
                    stored=stored.get(shop.id, {}),
                )
                for shop in shops
            }
        )

    def for_shop(self, shop_id: int) -> ShopRules:
        return self._rules.get(shop_id) or ShopRules()


def desired_value(rules: ShopRules, product: ProductRecord, field: str) -> int | None:
    """What the shop should show for ``field``, or None when the shop owns that field."""
    if field == "price":
        return shop_price(rules, product.price) if rules.price_owner == "master" else None
    if field == "stock":
        return shop_stock(rules, product.stock) if rules.stock_owner == "master" else None
    raise ValueError(f"no desired value for field {field!r}")


async def plan_alignment(
    connection: Connection,
    product: ProductRecord,
    book: RulesBook,
    *,
    fields: Iterable[str],
    origin: str,
) -> list[NewTask]:
    """A task for every linked listing whose value (stored, or already on its way) differs
    from what the product and the shop's rules ask for."""
    linked = await catalog.linked_listings(connection, product.id)
    ids = [listing.listing_id for listing in linked]
    tasks: list[NewTask] = []
    for field in fields:
        on_the_way = await task_store.open_values(connection, ids, field)
        for listing in linked:
            desired = desired_value(book.for_shop(listing.shop_id), product, field)
            current = on_the_way.get(listing.listing_id, getattr(listing, field))
            if desired is not None and desired != current:
                tasks.append(_task(listing, product, field, desired, origin))
    return tasks


async def plan_listed(connection: Connection, product: ProductRecord, origin: str) -> list[NewTask]:
    """Tasks that list or unlist every linked listing to match the product."""
    linked = await catalog.linked_listings(connection, product.id)
    on_the_way = await task_store.open_values(
        connection, [listing.listing_id for listing in linked], "status"
    )
    tasks = []
    for listing in linked:
        shown = listing.status in LISTABLE
        current = on_the_way.get(listing.listing_id, int(listing.status != "inactive"))
        wants_change = listing.status == "inactive" if product.listed else shown
        if wants_change and current != int(product.listed):
            tasks.append(_task(listing, product, "status", int(product.listed), origin))
    return tasks


def _task(
    listing: LinkedListing, product: ProductRecord | None, field: str, value: int, origin: str
) -> NewTask:
    return NewTask(
        listing_id=listing.listing_id,
        shop_id=listing.shop_id,
        field=field,
        value=value,
        origin=origin,
        product_id=product.id if product else None,
        source_revision=product.revision if product else 0,
    )


def _check(field: str, value: int) -> None:
    if field == "price" and value <= 0:
        raise ConfigError(f"price must be a whole number of rupiah above 0, got {value}")
    if field == "stock" and value < 0:
        raise ConfigError(f"stock must be 0 or more units, got {value}")
    if field == "status" and value not in (0, 1):
        raise ConfigError(f"status must be 1 (listed) or 0 (unlisted), got {value}")


class CatalogChanges:
    """What the CLI and the API call to change master products or single listings."""

    def __init__(self, *, settings: Settings, database: Database, clock: Clock) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock

    async def set_price(
        self, sku: str, amount: int, *, business: str | None = None
    ) -> ChangeOutcome:
        _check("price", amount)
        return await self._change(sku, business, price=amount)

    async def set_stock(
        self, sku: str, units: int, *, business: str | None = None
    ) -> ChangeOutcome:
        _check("stock", units)
        return await self._change(sku, business, stock=units)

    async def set_listed(
        self, sku: str, listed: bool, *, business: str | None = None
    ) -> ChangeOutcome:
        return await self._change(sku, business, listed=listed)

    async def _change(
        self,
        sku: str,
        business: str | None,
        *,
        price: int | None = None,
        stock: int | None = None,
        listed: bool | None = None,
    ) -> ChangeOutcome:
        now = self.clock.now()
        async with self.database.write() as connection:
            found = await catalog.find_product(connection, sku, business=business)
            product = await catalog.update_product(
                connection, found.id, now=now, price=price, stock=stock, listed=listed
            )
            book = await RulesBook.load(connection, self.settings)
            fields = [
                name for name, value in (("price", price), ("stock", stock)) if value is not None
            ]
            tasks = await plan_alignment(
                connection, product, book, fields=fields, origin="operator"
            )
            if listed is not None:
                tasks += await plan_listed(connection, product, "operator")
            count = await task_store.enqueue(connection, tasks, now=now)
        return ChangeOutcome(product=product, tasks=count)

    async def set_listing(self, listing_id: int, field: str, value: int) -> ChangeOutcome:
        """Push one value to one listing (an override until the product changes again)."""
        if field not in ("price", "stock", "status"):
            raise ConfigError(f"field must be price, stock or status, got {field!r}")
        _check(field, value)
        now = self.clock.now()
        async with self.database.write() as connection:
            listing = await catalog.get_listing(connection, listing_id)
            product = None
            if listing.product_id is not None:
                product = await catalog.update_product(connection, listing.product_id, now=now)
            task = _task(listing, product, field, value, "listing")
            count = await task_store.enqueue(connection, [task], now=now)
        return ChangeOutcome(product=product, tasks=count)

    async def link(self, listing_id: int, sku: str, *, business: str | None = None) -> None:
        async with self.database.write() as connection:
            product = await catalog.find_product(connection, sku, business=business)
            await catalog.link(connection, listing_id, product.id, now=self.clock.now())

    async def unlink(self, listing_id: int) -> None:
        async with self.database.write() as connection:
            await catalog.unlink(connection, listing_id, now=self.clock.now())

    async def create_product(
        self, business: str, sku: str, *, title: str, price: int, stock: int
    ) -> ProductRecord:
        _check("price", price)
        _check("stock", stock)
        now = self.clock.now()
        async with self.database.write() as connection:
            business_id = await catalog.business_id(connection, business)
            product_id = await catalog.create_product(
                connection,
                business_id=business_id,
                sku=sku,
                title=title,
                price=price,
                stock=stock,
                now=now,
            )
            return await catalog.get_product(connection, product_id)
