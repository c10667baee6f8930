"""The sandbox's side of update feeds: check an uploaded CSV row by row and apply the good rows.

A file-level problem (not UTF-8, no ``seller_sku`` column, unknown columns) refuses the whole
file (HTTP 422); otherwise every row gets a verdict with its line number, and a good row's
values all land together. The rules are our documented format (``columns``) [I].
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from adapters.belanja.columns import (
    MAX_PRICE_IDR,
    MAX_STOCK,
    MIN_PRICE_IDR,
    STATUSES,
    UPDATE_COLUMNS,
)
from adapters.belanja.sandbox_store import BelanjaStore, FeedItem


class UpdateFileError(ValueError):
    """The uploaded file as a whole cannot be applied."""


@dataclass(frozen=True, slots=True)
class RowVerdict:
    line: int
    seller_sku: str
    ok: bool
    reason: str = ""
    code: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "seller_sku": self.seller_sku,
            "ok": self.ok,
            "reason": self.reason,
            "code": self.code,
        }


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UpdateFileError(f"the file is not UTF-8 text (byte {exc.start + 1})") from exc
    return text.removeprefix("\ufeff")


def _header(reader: csv.DictReader[str]) -> list[str]:
    header = [name.strip() for name in reader.fieldnames or []]
    if "seller_sku" not in header:
        raise UpdateFileError(f"the header must have a seller_sku column; it has: {header}")
    unknown = [name for name in header if name not in UPDATE_COLUMNS]
    if unknown:
        raise UpdateFileError(
            f"unknown column(s) {', '.join(unknown)}; allowed: {', '.join(UPDATE_COLUMNS)}"
        )
    if len(header) < 2:
        raise UpdateFileError("the file changes nothing: add price_idr, stock or status columns")
    reader.fieldnames = header
    return header


def _number(value: str, column: str, low: int, high: int) -> int:
    text = value.strip()
    if not text.isdigit():
        raise ValueError(f"{column} must be a whole number in {low}..{high}, got {value!r}")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{column} must be in {low}..{high}, got {number}")
    return number


def _changes(row: dict[str, str]) -> dict[str, object]:
    """The row's non-empty values, checked; raises ``ValueError`` naming the first bad one."""
    changes: dict[str, object] = {}
    if price := (row.get("price_idr") or "").strip():
        changes["price_idr"] = _number(price, "price_idr", MIN_PRICE_IDR, MAX_PRICE_IDR)
    if stock := (row.get("stock") or "").strip():
        changes["stock"] = _number(stock, "stock", 0, MAX_STOCK)
    if status := (row.get("status") or "").strip():
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        changes["status"] = status
    return changes


def apply_update_feed(store: BelanjaStore, data: bytes) -> list[RowVerdict]:
    """Check and apply one uploaded update feed; raises ``UpdateFileError`` for a bad file."""
    reader = csv.DictReader(io.StringIO(_text(data), newline=""), strict=True)
    try:
        _header(reader)
        verdicts: list[RowVerdict] = []
        line = reader.line_num + 1
        with store.lock:
            for row in reader:
                verdicts.append(_apply_row(store, row, line))
                line = reader.line_num + 1
    except csv.Error as exc:
        raise UpdateFileError(f"line {reader.line_num}: not valid CSV: {exc}") from exc
    return verdicts


def _apply_row(store: BelanjaStore, row: dict[str, str], line: int) -> RowVerdict:
    sku = (row.get("seller_sku") or "").strip()
    if None in row or any(value is None for value in row.values()):
        return RowVerdict(
            line, sku, False, "the row's field count differs from the header", "bad_row"
        )
    item = store.items.get(sku)
    if item is None or item.status == "deleted":
        return RowVerdict(line, sku, False, f"unknown seller_sku {sku!r}", "unknown_sku")
    try:
        changes = _changes(row)
    except ValueError as exc:
        return RowVerdict(line, sku, False, str(exc), "invalid_value")
    if not changes:
        return RowVerdict(line, sku, False, "the row changes nothing (all cells empty)", "empty")
    _set(item, changes)
    store.touch(item)
    return RowVerdict(line, sku, True)


def _set(item: FeedItem, changes: dict[str, object]) -> None:
    if "price_idr" in changes:
        item.variant.price = int(str(changes["price_idr"]))
    if "stock" in changes:
        item.variant.stock = int(str(changes["stock"]))
        item.variant.reserved_stock = min(item.variant.reserved_stock, item.variant.stock)
    if "status" in changes:
        item.status = str(changes["status"])
