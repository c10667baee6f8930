"""The Belanja.com sandbox's product feed over HTTP: formats, validators, ranges, limits."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import httpx
import pytest

from adapters.belanja.columns import FEED_COLUMNS
from adapters.belanja.sandbox import BelanjaSandbox
from syncer.sandbox import LimitRule, SandboxServer
from syncer.sandbox.contract import ContractChange, ContractSandbox
from tests.sandbox.conftest import Plug, plugged_server

__all__ = ["plugged_server"]

CSV, JSONL = "/feed/products.csv", "/feed/products.jsonl"


@pytest.fixture
def belanja() -> BelanjaSandbox:
    return BelanjaSandbox(seed=4, listings=120, limit=None)


@pytest.fixture
def client(
    plugged_server: tuple[SandboxServer, Plug], belanja: BelanjaSandbox
) -> Iterator[httpx.Client]:
    server, plug = plugged_server
    plug.app = belanja.app
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield http


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_both_formats_carry_the_same_rows_and_the_documented_columns(client: httpx.Client) -> None:
    as_csv, as_jsonl = client.get(CSV), client.get(JSONL)
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_jsonl.headers["content-type"] == "application/x-ndjson"
    rows = _csv_rows(as_csv.text)
    objects = [json.loads(line) for line in as_jsonl.text.splitlines()]
    assert tuple(rows[0]) == FEED_COLUMNS
    assert len(rows) == len(objects) == 120 == int(as_csv.headers["x-feed-rows"])
    assert [row["seller_sku"] for row in rows] == [obj["seller_sku"] for obj in objects]
    assert all(isinstance(obj["price_idr"], int) for obj in objects)
    assert {row["status"] for row in rows} <= {"active", "inactive"}
    assert all(row["updated_at"].endswith("+07:00") for row in rows)
    with_variants = [obj for obj in objects if obj["parent_sku"]]
    assert with_variants
    assert all(obj["variant_attributes"] for obj in with_variants)


def test_an_unchanged_feed_answers_304_and_a_change_moves_the_etag(
    client: httpx.Client, belanja: BelanjaSandbox
) -> None:
    etag = client.get(CSV).headers["etag"]
    assert client.get(CSV, headers={"If-None-Match": etag}).status_code == 304
    sku = belanja.expected_listings()[0].seller_sku
    client.post("/_sandbox/mutate", json={"action": "set_price", "seller_sku": sku, "value": 9_900})
    changed = client.get(CSV, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert _csv_rows(changed.text)[0]["price_idr"] == "9900"


def test_a_range_continues_the_same_feed_and_if_range_guards_a_changed_one(
    client: httpx.Client, belanja: BelanjaSandbox
) -> None:
    whole = client.get(CSV)
    etag, body = whole.headers["etag"], whole.content
    rest = client.get(CSV, headers={"Range": "bytes=1000-", "If-Range": etag})
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes 1000-{len(body) - 1}/{len(body)}"
    assert rest.content == body[1000:]
    key = belanja.expected_listings()[0].key
    belanja.apply(ContractChange(action="set_price", key=key, value=12_300))
    stale = client.get(CSV, headers={"Range": "bytes=1000-", "If-Range": etag})
    assert stale.status_code == 200  # the feed changed: the whole new feed, not a piece
    assert client.get(CSV, headers={"Range": f"bytes={len(stale.content)}-"}).status_code == 416


def test_deleted_rows_stay_as_tombstones_and_malformed_rows_show_a_bad_price(
    client: httpx.Client, belanja: BelanjaSandbox
) -> None:
    first, second = (unit.seller_sku for unit in belanja.expected_listings()[:2])
    client.post("/_sandbox/mutate", json={"action": "delete", "seller_sku": first})
    client.post("/_sandbox/mutate", json={"action": "malform", "seller_sku": second})
    rows = {row["seller_sku"]: row for row in _csv_rows(client.get(CSV).text)}
    assert rows[first]["status"] == "deleted"
    assert rows[second]["price_idr"].startswith("Rp")
    assert belanja.malformed_item_ids() == [second]
    assert {unit.seller_sku for unit in belanja.expected_listings()}.isdisjoint({first, second})


def test_injected_rows_are_appended_in_both_formats(client: httpx.Client) -> None:
    answer = client.post("/_sandbox/inject", json={"kind": "broken", "count": 2}).json()
    assert answer == {"skus": ["BAD-0001", "BAD-0002"]}
    csv_lines = client.get(CSV).text.splitlines()
    assert csv_lines[-2:] == ["BAD-0001,Baris Rusak,15000", "BAD-0002,Baris Rusak,15000"]
    last = client.get(JSONL).text.splitlines()[-1]
    with pytest.raises(json.JSONDecodeError):
        json.loads(last)
    assert client.post("/_sandbox/inject", json={"kind": "nonsense"}).json() == {
        "error": "kind must be price, status, sku or broken, got 'nonsense'"
    }
    client.post("/_sandbox/inject", json={"clear": True})
    assert int(client.get(CSV).headers["x-feed-rows"]) == 120


def test_bad_control_requests_say_what_is_allowed(
    client: httpx.Client, belanja: BelanjaSandbox
) -> None:
    sku = belanja.expected_listings()[0].seller_sku
    unknown = client.post("/_sandbox/mutate", json={"action": "sell", "seller_sku": "NOPE"})
    assert (unknown.status_code, unknown.json()) == (404, {"error": "unknown seller_sku 'NOPE'"})
    wrong = client.post("/_sandbox/mutate", json={"action": "ban", "seller_sku": sku})
    assert wrong.status_code == 400
    assert (
        "action must be sell, set_price, set_stock, unlist, relist, delete, malform or fix"
        in wrong.json()["error"]
    )


def test_the_budget_is_enforced_with_429_and_retry_after(
    plugged_server: tuple[SandboxServer, Plug],
) -> None:
    limited = BelanjaSandbox(seed=4, listings=10, limit=LimitRule(0.01, 2))
    server, plug = plugged_server
    plug.app = limited.app
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        statuses = [http.get(CSV).status_code for _ in range(3)]
        refused = http.get(CSV)
    assert statuses == [200, 200, 429]
    assert refused.json() == {
        "error": {"code": "too_many_requests", "message": "request budget exhausted"}
    }
    assert int(refused.headers["retry-after"]) >= 1
    assert BelanjaSandbox(seed=1, listings=1).documented_limit_per_minute() == {"*": 60}


def test_it_satisfies_the_contract_protocol_and_needs_no_secret() -> None:
    sandbox = BelanjaSandbox(seed=9, listings=5)
    assert isinstance(sandbox, ContractSandbox)
    assert sandbox.credentials() == {"shop_id": "belanja-9"}
