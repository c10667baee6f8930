"""Blibli request signing as the official client computes it (marketplaces/README 4.2)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx

from adapters.blibli import BlibliAdapter, signing
from syncer.adapter import AdapterContext, AdapterSettings

DOC_RAW = (
    "POST\n446b76099795f116e1b8c3b0d95b4226\napplication/json\n"
    "Tue May 12 16:28:52 WIB 2020\n/seller/v1/products/filter"
)
DOC_MOMENT = datetime(2020, 5, 12, 9, 28, 52, tzinfo=UTC)  # 16:28:52 WIB


def test_the_documented_raw_string_is_reproduced() -> None:
    raw = signing.assemble(
        "POST", "446b76099795f116e1b8c3b0d95b4226", DOC_MOMENT, "/seller/v1/products/filter"
    )
    assert raw == DOC_RAW


def test_the_date_is_java_style_in_jakarta_time() -> None:
    assert signing.wib_date(DOC_MOMENT) == "Tue May 12 16:28:52 WIB 2020"
    assert signing.wib_date(datetime(2024, 12, 31, 20, 0, 1, tzinfo=UTC)) == (
        "Wed Jan 01 03:00:01 WIB 2025"
    )


def test_get_has_no_content_type_and_no_body_digest() -> None:
    raw = signing.raw_string("get", None, DOC_MOMENT, "/seller/v1/products/TOQ-1")
    assert raw == "GET\n\n\nTue May 12 16:28:52 WIB 2020\n/seller/v1/products/TOQ-1"


def test_the_body_digest_is_md5_of_the_bytes_sent() -> None:
    body = b'{"filter":{},"paging":{"page":0,"size":50}}'
    raw = signing.raw_string("POST", body, DOC_MOMENT, "/seller/v1/products/filter")
    assert raw.split("\n")[1] == hashlib.md5(body).hexdigest()  # noqa: S324  Blibli's scheme


def test_the_signed_path_drops_the_proxy_prefix_and_the_query_and_maps_mta() -> None:
    assert signing.signed_path("/v2/proxy/seller/v1/products/filter?x=1") == (
        "/seller/v1/products/filter"
    )
    assert signing.signed_path("/mta/api/businesspartner/v1/product/updateProduct") == (
        "/mtaapi/api/businesspartner/v1/product/updateProduct"
    )


def test_the_signature_is_base64_hmac_sha256() -> None:
    expected = base64.b64encode(
        hmac.new(b"secret", DOC_RAW.encode(), hashlib.sha256).digest()
    ).decode()
    assert signing.sign("secret", DOC_RAW) == expected


async def _save(_credentials: object) -> None:
    return None


class FixedClock:
    def now(self) -> datetime:
        return DOC_MOMENT


async def test_the_adapter_sends_basic_auth_seller_key_signature_and_fixed_params() -> None:
    """Every header and query parameter README 4.2 lists, with the signature over the bytes
    actually sent."""
    creds = {
        "client_id": "mta-api-toko-1a2b",
        "client_secret": "k3y",
        "api_seller_key": "seller-key",
        "username": "seller@toko.id",
        "signature_key": "sig",
        "channel_id": "toko-app",
    }
    context = AdapterContext(
        shop_external_id="TOQ-15126",
        credentials=creds,
        settings=AdapterSettings(base_url="https://api.blibli.com/v2/proxy"),
        save_credentials=_save,
        clock=FixedClock(),
        transport=httpx.MockTransport(lambda request: httpx.Response(204)),
    )
    adapter = BlibliAdapter(context)
    body = {"filter": {"state": "ACTIVE"}, "paging": {"page": 0, "size": 50}}
    request = adapter.build_request("POST", "/seller/v1/products/filter", {}, body)
    await adapter.aclose()
    basic = base64.b64encode(b"mta-api-toko-1a2b:k3y").decode()
    assert request.headers["Authorization"] == f"Basic {basic}"
    assert request.headers["Api-Seller-Key"] == "seller-key"
    assert request.url.path == "/v2/proxy/seller/v1/products/filter"
    query = dict(request.url.params)
    assert {k: query[k] for k in ("storeId", "channelId", "username", "storeCode")} == {
        "storeId": "10001",
        "channelId": "toko-app",
        "username": "seller@toko.id",
        "storeCode": "TOQ-15126",
    }
    assert query["requestId"] == request.headers["requestId"]
    assert json.loads(request.content) == body
    raw = signing.raw_string("POST", request.content, DOC_MOMENT, "/seller/v1/products/filter")
    assert request.headers["Signature"] == signing.sign("sig", raw)
    assert request.headers["Signature-Time"] == str(int(DOC_MOMENT.timestamp() * 1000))


async def test_without_a_signature_key_no_signature_is_sent() -> None:
    creds = {"client_id": "c", "client_secret": "s", "api_seller_key": "k", "username": "u"}
    context = AdapterContext(
        shop_external_id="TOQ-1",
        credentials=creds,
        settings=AdapterSettings(base_url="https://api.blibli.com/v2/proxy"),
        save_credentials=_save,
        clock=FixedClock(),
    )
    adapter = BlibliAdapter(context)
    request = adapter.build_request("GET", "/seller/v1/products/TOQ-1-00001", {}, None)
    await adapter.aclose()
    assert "Signature" not in request.headers
    assert request.content == b""
