"""Update-feed uploads to the Belanja.com sandbox: per-row verdicts with lines, file refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.belanja.sandbox import BelanjaSandbox
from syncer.sandbox import SandboxServer
from tests.sandbox.conftest import Plug, plugged_server

__all__ = ["plugged_server"]

UPDATES = "/feed/updates"


@pytest.fixture
def belanja() -> BelanjaSandbox:
    return BelanjaSandbox(seed=6, listings=50, limit=None)


@pytest.fixture
def client(
    plugged_server: tuple[SandboxServer, Plug], belanja: BelanjaSandbox
) -> Iterator[httpx.Client]:
    server, plug = plugged_server
    plug.app = belanja.app
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


@pytest.fixture
def skus(belanja: BelanjaSandbox) -> list[str]:
    return [unit.seller_sku for unit in belanja.expected_listings()]


def _truth(belanja: BelanjaSandbox, sku: str) -> tuple[int, int, str]:
    item = belanja.store.item(sku)
    return item.variant.price, item.variant.stock, item.status


def test_every_row_gets_a_verdict_with_its_line_and_good_rows_apply(
    client: httpx.Client, belanja: BelanjaSandbox, skus: list[str]
) -> None:
    a, b = skus[0], skus[1]
    before_b = _truth(belanja, b)
    body = (
        "\ufeffseller_sku,price_idr,stock,status\r\n"
        f"{a},12500,7,inactive\r\n"
        f"{b},12.500,3,\r\n"  # a bad price refuses the whole row, stock included
        "TIDAK-ADA,10000,,\r\n"
        f'"{a}",,,\r\n'
        f"{b},,1000000,\r\n"
        f"{b},,,archived\r\n"
    )
    answer = client.post(UPDATES, content=body.encode(), headers={"X-Feed-Name": "harga.csv"})
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert [(row["line"], row["ok"], row["code"]) for row in rows] == [
        (2, True, ""),
        (3, False, "invalid_value"),
        (4, False, "unknown_sku"),
        (5, False, "empty"),
        (6, False, "invalid_value"),
        (7, False, "invalid_value"),
    ]
    assert [row["reason"] for row in rows[1:]] == [
        "price_idr must be a whole number in 100..100000000, got '12.500'",
        "unknown seller_sku 'TIDAK-ADA'",
        "the row changes nothing (all cells empty)",
        "stock must be in 0..999999, got 1000000",
        "status must be one of active, inactive, got 'archived'",
    ]
    assert answer.json()["file"] == "harga.csv"
    assert (answer.json()["accepted"], answer.json()["rejected"]) == (1, 5)
    assert _truth(belanja, a) == (12_500, 7, "inactive")
    assert _truth(belanja, b) == before_b


def test_a_multipart_upload_reads_the_file_field(
    client: httpx.Client, belanja: BelanjaSandbox, skus: list[str]
) -> None:
    files = {"file": ("stok.csv", f"seller_sku,stock\n{skus[2]},0\n".encode(), "text/csv")}
    answer = client.post(UPDATES, files=files, data={"catatan": "stok habis"})
    assert answer.json()["file"] == "stok.csv"
    assert answer.json()["rows"][0]["ok"] is True
    assert _truth(belanja, skus[2])[1] == 0
    empty = client.post(UPDATES, files={"lampiran": ("x.csv", b"seller_sku,stock\n", "text/csv")})
    assert empty.status_code == 422
    assert empty.json()["error"] == 'a multipart upload needs a "file" field holding the CSV'


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            b"sku,price_idr\nA,1000\n",
            "the header must have a seller_sku column; it has: ['sku', 'price_idr']",
        ),
        (
            b"seller_sku,price_idr,name\nA,1000,X\n",
            "unknown column(s) name; allowed: seller_sku, price_idr, stock, status",
        ),
        (b"seller_sku\nA\n", "the file changes nothing: add price_idr, stock or status columns"),
        (b"seller_sku,stock\nA,\xff\n", "the file is not UTF-8 text (byte 20)"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_reason(
    client: httpx.Client, body: bytes, error: str
) -> None:
    answer = client.post(UPDATES, content=body)
    assert answer.status_code == 422
    assert answer.json()["error"] == error


def test_a_row_with_the_wrong_field_count_is_refused(client: httpx.Client, skus: list[str]) -> None:
    answer = client.post(UPDATES, content=f"seller_sku,stock\n{skus[0]},1,2\n".encode())
    assert answer.json()["rows"] == [
        {
            "line": 2,
            "seller_sku": skus[0],
            "ok": False,
            "reason": "the row's field count differs from the header",
            "code": "bad_row",
        }
    ]


def test_an_accepted_row_moves_the_feed_and_its_update_time(
    client: httpx.Client, belanja: BelanjaSandbox, skus: list[str]
) -> None:
    etag = client.get("/feed/products.csv").headers["etag"]
    updated_before = belanja.store.item(skus[0]).updated
    client.post(UPDATES, content=f"seller_sku,price_idr\n{skus[0]},20000\n".encode())
    assert client.get("/feed/products.csv").headers["etag"] != etag
    assert belanja.store.item(skus[0]).updated > updated_before
