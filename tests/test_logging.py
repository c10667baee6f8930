"""Logs never carry secrets: keys, tokens and signatures are redacted wherever they appear."""

from __future__ import annotations

import io
import json

import structlog

from syncer.logging import configure_logging, redact_text


def test_secret_fields_and_inline_secrets_are_redacted() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream)
    structlog.get_logger().info(
        "http.request_sent",
        access_token="abc123",
        partner_key="k" * 64,
        url="https://x/api?partner_id=1&access_token=SECRET1&sign=SECRET2&shop_id=9",
        headers={"Authorization": "Bearer SECRET3"},
        detail="refused: Basic SECRET4",
        shop_id=9,
    )
    line = stream.getvalue()
    for secret in ("abc123", "k" * 64, "SECRET1", "SECRET2", "SECRET3", "SECRET4"):
        assert secret not in line
    record = json.loads(line)
    assert record["shop_id"] == 9
    assert "partner_id=1" in record["url"]


def test_redact_text_keeps_what_is_not_secret() -> None:
    assert redact_text("item 7 failed: Stock should be larger than reserved stock.") == (
        "item 7 failed: Stock should be larger than reserved stock."
    )


def test_marketplace_secrets_in_free_text_are_redacted() -> None:
    from syncer.logging import redact_text

    text = redact_text("GET /p?app_secret=s3&code=c0de&shop_cipher=ok Api-Seller-Key: k3y")
    assert "s3" not in text
    assert "c0de" not in text
    assert "k3y" not in text
    assert "shop_cipher=ok" in text
