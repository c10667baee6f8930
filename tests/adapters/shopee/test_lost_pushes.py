"""Lost-push messages read back into the same events a delivered push gives."""

from __future__ import annotations

import json

from adapters.shopee import webhooks
from adapters.shopee.lost_pushes import message_payload

PUSH = {"shop_id": 727720655, "code": 22, "timestamp": 1660123127, "data": {"item_id": 5}}


def test_a_message_whose_data_is_the_whole_push_gives_the_pushs_event() -> None:
    """The official sample's shape: ``data`` is the push body as a string, keys reordered."""
    reordered = {"data": PUSH["data"], "code": 22, "timestamp": 1660123127, "shop_id": 727720655}
    message = {"shop_id": 727720655, "code": 22, "timestamp": 1660123127}
    message["data"] = json.dumps(reordered)  # type: ignore[assignment]
    assert webhooks.events_of(message_payload(message)) == webhooks.events_of(PUSH)


def test_a_message_whose_data_is_only_the_inner_data_is_wrapped() -> None:
    message = {"shop_id": 727720655, "code": 22, "timestamp": 1660123127, "data": '{"item_id":5}'}
    (event,) = webhooks.events_of(message_payload(message))
    assert (event.shop_external_id, event.external_item_ids) == ("727720655", ("5",))
