"""A webhook receiver on a real socket that records what it was sent (for webhook tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syncer.sandbox import SandboxServer


@dataclass
class Received:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    base_url: str = ""
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.base_url}/hooks/blibli"


def receiver_app(receiver: Receiver) -> Starlette:
    async def hook(request: Request) -> Response:
        receiver.received.append(
            Received(str(request.url), dict(request.headers), await request.body())
        )
        return Response(status_code=200)

    return Starlette(routes=[Route("/hooks/blibli/{topic}", hook, methods=["POST"])])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    with SandboxServer(receiver_app(found)) as server:
        found.base_url = server.base_url
        yield found
