"""The Belanja.com sandbox's live catalog: feed rows by ``seller_sku``, rendered as CSV or JSONL.

Every change bumps a version (the feed's ETag) and drops the rendered bytes. A deleted row
stays in the feed as a tombstone (``status`` = ``deleted``) so incremental imports see
deletions [I]; a malformed row keeps its SKU but shows a price no importer may accept.
"""

from __future__ import annotations

import csv
import io
import json
import random
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from adapters.belanja.columns import FEED_COLUMNS
from syncer.sandbox import SandboxClock, SandboxProduct, SandboxVariant

WIB = timezone(timedelta(hours=7))
INACTIVE_SHARE = 0.05
FEED_STATUSES = ("active", "inactive", "deleted")


@dataclass(slots=True)
class FeedItem:
    product: SandboxProduct
    variant: SandboxVariant
    status: str  # one of FEED_STATUSES
    updated: int  # unix seconds
    malformed: bool = False


def _rupiah_text(amount: int) -> str:
    """How a person types a price, which a feed must not contain: "Rp12.500"."""
    return "Rp" + f"{amount:,}".replace(",", ".")


class BelanjaStore:
    """Rows in catalog order plus rows injected as raw text; ``lock`` guards all of it."""

    def __init__(self, products: list[SandboxProduct], *, seed: int, clock: SandboxClock) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        rng = random.Random(seed)
        self.items: dict[str, FeedItem] = {}
        for product in products:
            for variant in product.variants:
                status = "inactive" if rng.random() < INACTIVE_SHARE else "active"
                self.items[variant.sku] = FeedItem(product, variant, status, product.updated_time)
        self.injected: dict[str, list[str]] = {"csv": [], "jsonl": []}
        self.boot = secrets.token_hex(4)  # a restarted sandbox never repeats an old ETag
        self.version = 0
        self._rendered: dict[str, bytes] = {}

    # -- reads ---------------------------------------------------------------------------

    @property
    def etag(self) -> str:
        return f'"{self.boot}-{self.version}"'

    def rows_in_feed(self) -> int:
        return len(self.items) + len(self.injected["csv"])

    def render(self, fmt: str) -> bytes:
        """The whole feed (cached until the next change)."""
        with self.lock:
            cached = self._rendered.get(fmt)
            if cached is None:
                cached = self._render_csv() if fmt == "csv" else self._render_jsonl()
                self._rendered[fmt] = cached
            return cached

    def cells(self, item: FeedItem) -> dict[str, object]:
        product, variant = item.product, item.variant
        price: object = _rupiah_text(variant.price) if item.malformed else variant.price
        return {
            "seller_sku": variant.sku,
            "parent_sku": product.sku if product.has_variants else "",
            "name": product.name,
            "description": product.description,
            "category_path": product.category,
            "brand": product.brand,
            "price_idr": price,
            "sale_price_idr": variant.promo_price,
            "stock": variant.stock,
            "weight_g": product.weight_g,
            "length_cm": 10 + product.weight_g % 31,
            "width_cm": 5 + product.weight_g % 17,
            "height_cm": 2 + product.weight_g % 13,
            "image_urls": "|".join(
                f"https://img.belanja.example/{variant.sku}/{n}.jpg" for n in (1, 2)
            ),
            "variant_attributes": dict(zip(product.tier_names, variant.options, strict=True)),
            "status": item.status,
            "updated_at": datetime.fromtimestamp(item.updated, WIB).isoformat(),
        }

    def _render_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(FEED_COLUMNS)
        for item in self.items.values():
            writer.writerow(_csv_text(value) for value in self.cells(item).values())
        body = out.getvalue() + "".join(line + "\r\n" for line in self.injected["csv"])
        return body.encode()

    def _render_jsonl(self) -> bytes:
        lines = [
            json.dumps(self.cells(item), ensure_ascii=False, separators=(",", ":"))
            for item in self.items.values()
        ]
        lines += self.injected["jsonl"]
        return "".join(line + "\n" for line in lines).encode()

    # -- changes -------------------------------------------------------------------------

    def touch(self, item: FeedItem | None = None) -> None:
        if item is not None:
            item.updated = max(item.updated + 1, self.clock.unix())
        self.version += 1
        self._rendered.clear()

    def item(self, sku: str) -> FeedItem:
        found = self.items.get(sku)
        if found is None:
            raise KeyError(f"unknown seller_sku {sku!r}")
        return found

    def inject(self, kind: str) -> str:
        """Append one raw malformed row of ``kind`` to both renderings; returns its SKU ("" when
        the row has none)."""
        number = len(self.injected["csv"]) + 1
        sku = f"BAD-{number:04d}"
        good = {column: "" for column in FEED_COLUMNS} | {
            "seller_sku": sku,
            "name": "Baris Rusak",
            "price_idr": "15000",
            "stock": "3",
            "status": "active",
        }
        if kind == "price":
            good["price_idr"] = "15.000,50"
        elif kind == "status":
            good["status"] = "archived"
        elif kind == "sku":
            good["seller_sku"], sku = "", ""
        elif kind != "broken":
            raise ValueError(f"kind must be price, status, sku or broken, got {kind!r}")
        line = io.StringIO()
        csv.writer(line, lineterminator="").writerow(good.values())
        text = json.dumps(good, ensure_ascii=False)
        if kind == "broken":  # too few fields / cut-off JSON
            self.injected["csv"].append(f"{sku},Baris Rusak,15000")
            self.injected["jsonl"].append(text[: len(text) // 2])
        else:
            self.injected["csv"].append(line.getvalue())
            self.injected["jsonl"].append(text)
        self.touch()
        return sku

    def clear_injected(self) -> None:
        self.injected = {"csv": [], "jsonl": []}
        self.touch()


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return str(value)
