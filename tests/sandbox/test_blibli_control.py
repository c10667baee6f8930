"""Blibli sandbox: truth and mutations, faults in Blibli's envelope, webhooks, contract view."""

from __future__ import annotations

import json

from adapters.blibli import codes, signing
from adapters.blibli.sandbox import BlibliSandbox
from syncer.domain import ListingKey, ListingStatus
from syncer.sandbox.contract import ContractChange, ContractSandbox
from tests.adapters.blibli.raw import RawBlibli, blibli_plugged, blibli_sandbox, raw
from tests.adapters.blibli.receiver import Receiver, receiver

__all__ = ["blibli_plugged", "blibli_sandbox", "raw", "receiver"]


def _expected(sandbox: BlibliSandbox) -> dict[ListingKey, tuple[int, int, ListingStatus]]:
    return {e.key: (e.price, e.stock, e.status) for e in sandbox.expected_listings()}


def test_the_sandbox_is_a_contract_sandbox(blibli_sandbox: BlibliSandbox) -> None:
    creds = blibli_sandbox.credentials()
    assert isinstance(blibli_sandbox, ContractSandbox)
    assert {"shop_id", "client_id", "client_secret", "api_seller_key", "username"} <= set(creds)
    assert "code" not in creds
    assert len(blibli_sandbox.expected_listings()) == 400


def test_contract_changes_reach_the_truth(blibli_sandbox: BlibliSandbox) -> None:
    product = next(p for p in blibli_sandbox.store.products.values() if p.state == "ACTIVE")
    key = ListingKey(product.sku, product.skus[0].blibli_sku)
    blibli_sandbox.apply(ContractChange(action="set_stock", key=key, value=10))
    blibli_sandbox.apply(ContractChange(action="sell", key=key, value=3))
    blibli_sandbox.apply(ContractChange(action="set_price", key=key, value=99_000))
    assert _expected(blibli_sandbox)[key][:2] == (99_000, 7)
    blibli_sandbox.apply(ContractChange(action="unlist", key=ListingKey(product.sku, "")))
    assert _expected(blibli_sandbox)[key][2] is ListingStatus.INACTIVE
    blibli_sandbox.apply(ContractChange(action="relist", key=ListingKey(product.sku, "")))
    assert _expected(blibli_sandbox)[key][2] is ListingStatus.ACTIVE
    blibli_sandbox.apply(ContractChange(action="malform", key=ListingKey(product.sku, "")))
    assert blibli_sandbox.malformed_item_ids() == [product.sku]
    assert key not in _expected(blibli_sandbox)
    blibli_sandbox.apply(ContractChange(action="delete", key=ListingKey(product.sku, "")))
    assert blibli_sandbox.malformed_item_ids() == []


def test_state_mutations_bump_the_update_time(raw: RawBlibli) -> None:
    rows = raw.control("GET", "truth")["listings"]
    row = rows[0]  # type: ignore[index]
    after = raw.control("POST", "mutate", {"action": "suspend", "product_sku": row["product_sku"]})
    changed = after["listings"][0]  # type: ignore[index]
    assert changed["state"] == "SUSPENDED"
    assert changed["status"] == "banned"
    assert changed["updated_ms"] > row["updated_ms"]


def test_an_unknown_mutation_names_the_allowed_ones(raw: RawBlibli) -> None:
    response = raw.client.post("/_sandbox/mutate", json={"action": "explode", "product_sku": "x"})
    assert response.status_code == 400
    assert "need_correction" in response.json()["error"]


def test_injected_errors_use_blibli_s_envelope(raw: RawBlibli) -> None:
    raw.control("POST", "faults", {"error_rate": 1.0, "error_status": 503})
    response = raw.products()
    assert response.status_code == 503
    assert response.json()["errorCode"] == codes.SERVER_ERROR


def test_a_429_storm_uses_the_quota_code(raw: RawBlibli) -> None:
    raw.control("POST", "faults", {"storm": 1, "storm_retry_after": 3})
    response = raw.products()
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["errorCode"] == codes.QUOTA_EXCEEDED


def test_webhooks_are_signed_and_sent_per_topic(raw: RawBlibli, receiver: Receiver) -> None:
    raw.control(
        "POST", "webhooks", {"url": receiver.url, "signature_key": "wh-key", "token": "t0k"}
    )
    sku = raw.control("GET", "truth")["listings"][0]["product_sku"]  # type: ignore[index]
    raw.control("POST", "mutate", {"action": "set_price", "product_sku": sku, "value": 12_000})
    raw.control("POST", "mutate", {"action": "sell", "product_sku": sku, "value": 1})
    raw.control("POST", "mutate", {"action": "suspend", "product_sku": sku})
    topics = [hook.url.rsplit("/", 1)[-1] for hook in receiver.received]
    assert topics == ["product_changes", "stock_update_changes", "product_suspended"]
    first = receiver.received[0]
    assert json.loads(first.body)["product"]["sku"] == sku
    assert first.headers["token"] == "t0k"
    raw_string = signing.webhook_raw_string(
        first.body, int(first.headers["requesttime"]), first.url
    )
    assert first.headers["signature"] == signing.sign("wh-key", raw_string)
    deliveries = raw.control("GET", "webhooks")["deliveries"]
    assert [d["status"] for d in deliveries] == [200, 200, 200]  # type: ignore[attr-defined]
