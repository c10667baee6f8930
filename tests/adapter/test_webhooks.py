"""The SDK's webhook helpers: a body that is no JSON object is rejected with a readable reason."""

from __future__ import annotations

import pytest

from syncer.adapter import WebhookRejectedError, webhook_payload


def test_a_webhook_body_is_read_as_a_json_object() -> None:
    """The object comes back as sent."""
    assert webhook_payload(b'{"type": 5, "data": {}}', "TikTok Shop") == {"type": 5, "data": {}}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<xml/>", "Blibli webhook body is not JSON: Expecting value"),
        (b"\xff\xfe", "Blibli webhook body is not JSON"),
        (b"[1, 2]", "Blibli webhook body must be a JSON object"),
    ],
)
def test_a_webhook_body_that_is_no_json_object_is_rejected(body: bytes, reason: str) -> None:
    """The reason names the marketplace and what was wrong."""
    with pytest.raises(WebhookRejectedError, match=reason):
        webhook_payload(body, "Blibli")
