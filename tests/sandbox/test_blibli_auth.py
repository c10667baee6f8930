"""Blibli sandbox: Basic auth, the store's Api-Seller-Key, common parameters and the signature."""

from __future__ import annotations

from datetime import timedelta

import httpx

from adapters.blibli import codes, signing
from tests.adapters.blibli.raw import RawBlibli, blibli_plugged, blibli_sandbox, raw

__all__ = ["blibli_plugged", "blibli_sandbox", "raw"]  # fixtures, imported for pytest


def _error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["success"] is False
    assert body["requestId"]
    return response.status_code, body["errorCode"]


def test_a_signed_call_with_every_credential_succeeds(raw: RawBlibli) -> None:
    """The happy path answers the documented envelope."""
    response = raw.products()
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"requestId", "content", "paging"}
    assert body["content"]


def test_a_wrong_api_client_is_refused(raw: RawBlibli) -> None:
    response = raw.call(
        "POST",
        "/seller/v1/products/filter",
        body={},
        headers={"Authorization": signing.basic_auth(raw.creds["client_id"], "wrong")},
    )
    assert _error(response) == (401, codes.CLIENT_INVALID)


def test_a_wrong_seller_key_is_refused_with_the_documented_code(raw: RawBlibli) -> None:
    response = raw.call(
        "POST", "/seller/v1/products/filter", body={}, headers={"Api-Seller-Key": "nope"}
    )
    assert _error(response) == (401, codes.SELLER_KEY_INVALID)
    assert response.json()["errorMessage"] == codes.MESSAGES[codes.SELLER_KEY_INVALID]


def test_an_unbound_store_is_refused(raw: RawBlibli) -> None:
    raw.control("POST", "auth", {"bound": False})
    response = raw.products()
    assert _error(response) == (400, codes.BAD_REQUEST)
    assert response.json()["errorMessage"] == codes.NOT_BOUND_MESSAGE


def test_another_store_code_is_refused(raw: RawBlibli) -> None:
    response = raw.call(
        "POST", "/seller/v1/products/filter", body={}, params=raw.params(storeCode="XYZ-11111")
    )
    assert _error(response) == (400, codes.BAD_REQUEST)


def test_each_common_parameter_is_required(raw: RawBlibli) -> None:
    for name in ("requestId", "storeId", "channelId", "username", "storeCode"):
        params = raw.params()
        del params[name]
        response = raw.call("POST", "/seller/v1/products/filter", body={}, params=params)
        assert _error(response) == (400, codes.BAD_REQUEST)
        assert name in response.json()["errorMessage"]


def test_store_id_must_be_10001(raw: RawBlibli) -> None:
    response = raw.call(
        "POST", "/seller/v1/products/filter", body={}, params=raw.params(storeId="10002")
    )
    assert _error(response) == (400, codes.BAD_REQUEST)


def test_a_store_with_a_signature_key_requires_the_signature(raw: RawBlibli) -> None:
    response = raw.call("POST", "/seller/v1/products/filter", body={}, sign=False)
    assert _error(response) == (401, codes.SIGNATURE_INVALID)


def test_a_signature_with_the_wrong_key_is_refused(raw: RawBlibli) -> None:
    raw.creds["signature_key"] = "not-the-key"
    assert _error(raw.products()) == (401, codes.SIGNATURE_INVALID)


def test_a_signature_time_long_past_is_expired(raw: RawBlibli) -> None:
    headers = {"Signature": "AAAA", "Signature-Time": "1589275732000"}  # 2020-05-12
    response = raw.call("POST", "/seller/v1/products/filter", body={}, headers=headers)
    assert _error(response) == (401, codes.SIGNATURE_EXPIRED)


def test_the_signature_time_window_is_15_minutes(raw: RawBlibli) -> None:
    raw.skew = timedelta(minutes=14)
    assert raw.products().status_code == 200
    raw.skew = timedelta(minutes=-16)
    assert _error(raw.products()) == (401, codes.SIGNATURE_EXPIRED)


def test_the_legacy_mta_path_is_signed_as_mtaapi(raw: RawBlibli) -> None:
    """The bulk update's signature covers /mtaapi/... (README 4.1), and is accepted."""
    body = {"merchantCode": raw.creds["shop_id"], "productRequests": [{"gdnSku": "X"}]}
    response = raw.call("POST", "/mta/api/businesspartner/v1/product/updateProduct", body=body)
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_an_unknown_path_answers_in_the_envelope(raw: RawBlibli) -> None:
    response = raw.call("GET", "/seller/v1/nothing/here")
    assert _error(response) == (404, codes.BAD_REQUEST)
