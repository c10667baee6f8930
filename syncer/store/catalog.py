"""Master products and the links that bind listings to them (auto by seller SKU, or by hand).

A listing is linked to at most one product; a link row with ``method = 'unlinked'`` records
that someone unlinked it by hand, so auto-linking never binds it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.domain import ListingKey, ListingStatus
from syncer.errors import NotFoundError, SyncerError
from syncer.store.push_tables import ListingLink, Product
from syncer.store.tables import Business, Listing, Shop

PRODUCT = Product.__table__  # type: ignore[attr-defined]
LINK = ListingLink.__table__  # type: ignore[attr-defined]
LISTING = Listing.__table__  # type: ignore[attr-defined]
SHOP = Shop.__table__  # type: ignore[attr-defined]
BUSINESS = Business.__table__  # type: ignore[attr-defined]
AUTO, MANUAL, UNLINKED = "auto", "manual", "unlinked"


class CatalogError(SyncerError):
    """A catalog change that cannot be made as asked (the message says why and what to do)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductRecord:
    id: int
    business_id: int
    business_slug: str
    sku: str
    title: str
    price: int
    stock: int
    listed: bool
    revision: int
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkedListing:
    """A listing as the push side sees it: where it is, what it shows, how it is linked."""

    listing_id: int
    shop_id: int
    key: ListingKey
    seller_sku: str
    title: str
    price: int
    stock: int
    status: str
    product_id: int | None
    method: str
    stock_baseline: int | None


@dataclass(slots=True)
class LinkOutcome:
    linked: int = 0
    products_created: int = 0


def _product_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(PRODUCT, BUSINESS.c.slug.label("business_slug")).join(
        BUSINESS, BUSINESS.c.id == PRODUCT.c.business_id
    )


def _product(row: sa.Row[tuple[object, ...]]) -> ProductRecord:
    data = row._mapping
    return ProductRecord(
        id=data["id"],
        business_id=data["business_id"],
        business_slug=data["business_slug"],
        sku=data["sku"],
        title=data["title"],
        price=data["price"],
        stock=data["stock"],
        listed=bool(data["listed"]),
        revision=data["revision"],
        updated_at=data["updated_at"],
    )


async def list_products(
    connection: AsyncConnection, *, business: str | None = None, limit: int | None = None
) -> list[ProductRecord]:
    query = _product_query().order_by(PRODUCT.c.business_id, PRODUCT.c.sku)
    if business:
        query = query.where(BUSINESS.c.slug == business)
    if limit is not None:
        query = query.limit(limit)
    return [_product(row) for row in await connection.execute(query)]


async def get_product(connection: AsyncConnection, product_id: int) -> ProductRecord:
    row = (await connection.execute(_product_query().where(PRODUCT.c.id == product_id))).first()
    if row is None:
        raise NotFoundError(f"no product {product_id}")
    return _product(row)


async def find_product(
    connection: AsyncConnection, sku: str, *, business: str | None = None
) -> ProductRecord:
    """A product by its master SKU (and business, when several businesses use the SKU)."""
    query = _product_query().where(PRODUCT.c.sku == sku)
    if business:
        query = query.where(BUSINESS.c.slug == business)
    rows = list(await connection.execute(query))
    if not rows:
        raise NotFoundError(f"no product with SKU {sku!r}; `syncer products list` shows them")
    if len(rows) > 1:
        slugs = ", ".join(sorted(str(row._mapping["business_slug"]) for row in rows))
        raise NotFoundError(f"SKU {sku!r} exists in several businesses ({slugs}); add --business")
    return _product(rows[0])


async def business_id(connection: AsyncConnection, slug: str) -> int:
    found = await connection.scalar(sa.select(BUSINESS.c.id).where(BUSINESS.c.slug == slug))
    if found is None:
        raise NotFoundError(f"no business {slug!r}; `syncer shops list` shows the businesses")
    return int(found)


async def create_product(
    connection: AsyncConnection,
    *,
    business_id: int,
    sku: str,
    title: str,
    price: int,
    stock: int,
    listed: bool = True,
    image_url: str = "",
    now: datetime,
) -> int:
    if not sku.strip():
        raise CatalogError("a product needs a non-empty SKU")
    result = await connection.execute(
        sa.insert(PRODUCT)
        .values(
            business_id=business_id,
            sku=sku,
            title=title,
            description="",
            price=price,
            stock=max(stock, 0),
            weight_grams=0,
            image_url=image_url,
            attributes="{}",
            listed=listed,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        .returning(PRODUCT.c.id)
    )
    return int(result.scalar_one())


async def update_product(
    connection: AsyncConnection,
    product_id: int,
    *,
    now: datetime,
    price: int | None = None,
    stock: int | None = None,
    listed: bool | None = None,
) -> ProductRecord:
    """Set the given fields and bump the revision, in the caller's transaction."""
    values: dict[str, object] = {"revision": PRODUCT.c.revision + 1, "updated_at": now}
    if price is not None:
        values["price"] = price
    if stock is not None:
        values["stock"] = max(stock, 0)
    if listed is not None:
        values["listed"] = listed
    await connection.execute(PRODUCT.update().where(PRODUCT.c.id == product_id).values(values))
    return await get_product(connection, product_id)


async def subtract_stock(
    connection: AsyncConnection, product_id: int, units: int, *, now: datetime
) -> ProductRecord:
    """Lower the master stock by ``units`` sold, never below zero; bumps the revision."""
    remaining = sa.case((PRODUCT.c.stock > units, PRODUCT.c.stock - units), else_=0)
    await connection.execute(
        PRODUCT.update()
        .where(PRODUCT.c.id == product_id)
        .values(stock=remaining, revision=PRODUCT.c.revision + 1, updated_at=now)
    )
    return await get_product(connection, product_id)


def _linked_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        LISTING.c.id,
        LISTING.c.shop_id,
        LISTING.c.external_item_id,
        LISTING.c.external_variant_id,
        LISTING.c.seller_sku,
        LISTING.c.title,
        LISTING.c.price,
        LISTING.c.stock,
        LISTING.c.status,
        LINK.c.product_id,
        LINK.c.method,
        LINK.c.stock_baseline,
    ).outerjoin(LINK, LINK.c.listing_id == LISTING.c.id)


def _linked(row: sa.Row[*tuple[Any, ...]]) -> LinkedListing:
    return LinkedListing(
        listing_id=row[0],
        shop_id=row[1],
        key=ListingKey(row[2], row[3]),
        seller_sku=row[4],
        title=row[5],
        price=row[6],
        stock=row[7],
        status=row[8],
        product_id=row[9],
        method=row[10] or "",
        stock_baseline=row[11],
    )


async def linked_listings(connection: AsyncConnection, product_id: int) -> list[LinkedListing]:
    """Every listing linked to the product (deleted ones left out: nothing to push to)."""
    query = (
        _linked_query()
        .where(LINK.c.product_id == product_id, LISTING.c.status != ListingStatus.DELETED.value)
        .order_by(LISTING.c.shop_id, LISTING.c.id)
    )
    return [_linked(row) for row in await connection.execute(query)]


async def shop_listings(connection: AsyncConnection, shop_id: int) -> list[LinkedListing]:
    """Every live listing of a shop, linked or not."""
    query = (
        _linked_query()
        .where(LISTING.c.shop_id == shop_id, LISTING.c.status != ListingStatus.DELETED.value)
        .order_by(LISTING.c.id)
    )
    return [_linked(row) for row in await connection.execute(query)]


async def get_listing(connection: AsyncConnection, listing_id: int) -> LinkedListing:
    row = (await connection.execute(_linked_query().where(LISTING.c.id == listing_id))).first()
    if row is None:
        raise NotFoundError(f"no listing {listing_id}; `syncer links unlinked` shows listing ids")
    return _linked(row)


async def links_of(
    connection: AsyncConnection, listing_ids: Sequence[int]
) -> dict[int, LinkedListing]:
    found: dict[int, LinkedListing] = {}
    for start in range(0, len(listing_ids), 500):
        chunk = list(listing_ids[start : start + 500])
        query = _linked_query().where(LISTING.c.id.in_(chunk))
        for row in await connection.execute(query):
            listing = _linked(row)
            found[listing.listing_id] = listing
    return found


async def set_baselines(connection: AsyncConnection, baselines: dict[int, int | None]) -> None:
    """Store where the next sale of each listing is measured from (see ``propagate``)."""
    if baselines:
        await connection.execute(
            LINK.update()
            .where(LINK.c.listing_id == sa.bindparam("lid"))
            .values(stock_baseline=sa.bindparam("baseline")),
            [{"lid": lid, "baseline": value} for lid, value in baselines.items()],
        )


async def link(
    connection: AsyncConnection, listing_id: int, product_id: int, *, now: datetime
) -> None:
    """Bind a listing to a product by hand (replacing any earlier link or unlink)."""
    listing = await get_listing(connection, listing_id)
    product = await get_product(connection, product_id)
    business = await connection.scalar(
        sa.select(SHOP.c.business_id).where(SHOP.c.id == listing.shop_id)
    )
    if business != product.business_id:
        raise CatalogError(
            f"listing {listing_id} belongs to another business than product {product.sku!r}"
        )
    await _put_link(connection, listing_id, product_id, MANUAL, listing.stock, now)


async def unlink(connection: AsyncConnection, listing_id: int, *, now: datetime) -> None:
    """Unbind a listing; auto-linking will leave it alone until it is linked by hand."""
    await get_listing(connection, listing_id)  # names a listing that does not exist
    await _put_link(connection, listing_id, None, UNLINKED, None, now)


async def _put_link(  # noqa: PLR0917  a private helper called with the row's values in order
    connection: AsyncConnection,
    listing_id: int,
    product_id: int | None,
    method: str,
    baseline: int | None,
    now: datetime,
) -> None:
    await connection.execute(LINK.delete().where(LINK.c.listing_id == listing_id))
    await connection.execute(
        sa.insert(LINK).values(
            listing_id=listing_id,
            product_id=product_id,
            method=method,
            stock_baseline=baseline,
            created_at=now,
            updated_at=now,
        )
    )
