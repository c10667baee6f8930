"""The first step of every envelope parser: the body as a JSON object, or the status speaks."""

from __future__ import annotations

import httpx

from syncer.adapter.http import error_for_status
from syncer.adapter.payload import JsonObject, decode_object
from syncer.errors import MalformedResponseError


def decode_body(response: httpx.Response, operation: str) -> JsonObject:
    """The body as a JSON object, for an envelope parser to read.

    A body that is no JSON object (a proxy's HTML page, an empty 502) says nothing the status
    does not: the error the status implies is raised, or MalformedResponseError on a 2xx.
    """
    try:
        return decode_object(response)
    except MalformedResponseError:
        status_error = error_for_status(response, f"{operation}: HTTP {response.status_code}")
        if status_error is not None:
            raise status_error from None
        raise
