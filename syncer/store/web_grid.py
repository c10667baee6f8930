"""The listing grid and the product view: listings grouped by master SKU.

A listing belongs to the row of the Product it is linked to (``listing_link``, by seller SKU
or by hand); an unlinked listing to the row of its own seller SKU. Rows of a Product carry its
master title, price and stock, so a drifted price shows beside the value it should have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from syncer.store.push_tables import ListingLink, Product
from syncer.store.web_queries import (
    _LISTING_COLUMNS,
    LISTING,
    SHOP,
    ListingFilter,
    ListingRow,
    ShopRow,
    _filtered,
    _listing_row,
    _shop_column,
    shops_in,
)

PRODUCT = Product.__table__  # type: ignore[attr-defined]
LINK = ListingLink.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True, kw_only=True)
class Master:
    sku: str
    title: str
    price: int
    stock: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GridPage:
    shops: list[ShopRow]
    skus: list[str]
    cells: dict[tuple[str, int], list[ListingRow]]
    masters: dict[str, Master]
    next_sku: str | None


def _row_key() -> sa.ColumnElement[str]:
    return sa.func.coalesce(PRODUCT.c.sku, LISTING.c.seller_sku)


def _candidates(skus: list[str]) -> sa.ColumnElement[bool]:
    """Listings that may sit in these rows, found through indexes (seller SKU, or a link to a
    product of that SKU) so the exact row test runs on a handful of rows, not the table."""
    by_sku = sa.select(LISTING.c.id).where(LISTING.c.seller_sku.in_(skus))
    by_link = (
        sa.select(LINK.c.listing_id)
        .join(PRODUCT, PRODUCT.c.id == LINK.c.product_id)
        .where(PRODUCT.c.sku.in_(skus))
    )
    found: sa.ColumnElement[bool] = LISTING.c.id.in_(sa.union(by_sku, by_link).scalar_subquery())
    return found


def _joined() -> Any:  # a Join of listing, shop and the optional link and product
    return (
        LISTING.join(SHOP, SHOP.c.id == LISTING.c.shop_id)
        .outerjoin(LINK, LINK.c.listing_id == LISTING.c.id)
        .outerjoin(PRODUCT, PRODUCT.c.id == LINK.c.product_id)
    )


async def grid(
    connection: AsyncConnection, wanted: ListingFilter, *, after_sku: str, limit: int
) -> GridPage:
    """One page of the SKU x shop grid: ``limit`` rows (in SKU order) and their listings."""
    shops = [s for s in await shops_in(connection, wanted.business_id) if _shown(s, wanted)]
    shop_ids = [s.id for s in shops]
    key = _row_key()
    key_query = (
        sa.select(key)
        .select_from(_joined())
        .where(key > after_sku, _shop_column(connection).in_(shop_ids))
        .group_by(key)
        .order_by(key)
        .limit(limit + 1)
    )
    keys = [
        str(k)
        for k in (await connection.execute(_filtered(connection, key_query, wanted))).scalars()
    ]
    next_sku = keys[limit - 1] if len(keys) > limit else None
    keys = keys[:limit]
    cells: dict[tuple[str, int], list[ListingRow]] = {}
    if keys:
        query = (
            sa.select(*_LISTING_COLUMNS, key.label("row_key"))
            .select_from(_joined())
            .where(_candidates(keys), key.in_(keys), _shop_column(connection).in_(shop_ids))
            .order_by(LISTING.c.id)
        )
        for row in await connection.execute(query):
            cells.setdefault((row[-1], row[1]), []).append(_listing_row(row[:-1]))
    masters = await _masters(connection, wanted.business_id, keys)
    return GridPage(shops=shops, skus=keys, cells=cells, masters=masters, next_sku=next_sku)


def _masters_query(business_id: int, skus: list[str]) -> sa.Select[Any]:
    return sa.select(PRODUCT.c.sku, PRODUCT.c.title, PRODUCT.c.price, PRODUCT.c.stock).where(
        PRODUCT.c.business_id == business_id, PRODUCT.c.sku.in_(skus)
    )


def _master(row: Any) -> Master:
    return Master(sku=row[0], title=row[1], price=row[2], stock=row[3])


async def _masters(
    connection: AsyncConnection, business_id: int | None, skus: list[str]
) -> dict[str, Master]:
    if not skus or business_id is None:
        return {}
    query = _masters_query(business_id, skus)
    return {row[0]: _master(row) for row in await connection.execute(query)}


async def product_listings(
    connection: AsyncConnection, scope: int | None, sku: str, *, limit: int = 500
) -> tuple[list[ListingRow], Master | None]:
    return await connection.run_sync(product_listings_sync, scope, sku, limit=limit)


def product_listings_sync(
    connection: sa.Connection, scope: int | None, sku: str, *, limit: int = 500
) -> tuple[list[ListingRow], Master | None]:
    """The listings in the row of ``sku`` (linked to its Product, or carrying that SKU)."""
    key = _row_key()
    query: sa.Select[Any] = (
        sa.select(*_LISTING_COLUMNS)
        .select_from(_joined())
        .where(_candidates([sku]), key == sku)
        .order_by(LISTING.c.id)
        .limit(limit)
    )
    filtered = _filtered(connection, query, ListingFilter(business_id=scope))
    rows = [_listing_row(row) for row in connection.execute(filtered)]
    if not rows:
        return [], None
    owner = scope
    if owner is None:  # an operator: the master of the business that owns these listings
        owner = connection.scalar(sa.select(SHOP.c.business_id).where(SHOP.c.id == rows[0].shop_id))
    if owner is None:
        return rows, None
    found = connection.execute(_masters_query(owner, [sku])).first()
    return rows, None if found is None else _master(found)


def _shown(shop: ShopRow, wanted: ListingFilter) -> bool:
    return (wanted.shop_id is None or shop.id == wanted.shop_id) and (
        wanted.marketplace is None or shop.marketplace == wanted.marketplace
    )
