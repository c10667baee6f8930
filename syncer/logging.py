"""One structlog pipeline for the whole process: JSON off a terminal, secrets redacted.

Events are named ``noun.verb_past`` with values as fields; each run binds its context
(run id, shop, marketplace) with ``structlog.contextvars.bound_contextvars``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "partner_key",
        "app_secret",
        "auth_code",
        "api_seller_key",
        "client_secret",
        "api_key",
        "password",
        "secret",
        "sign",
        "signature",
        "authorization",
        "token",
        "credentials",
    }
)
REDACTED = "[redacted]"
# Secrets that slip into free text: query strings, "Bearer x", JSON-ish "key": "value".
_INLINE = re.compile(
    r"(?i)\b(access_token|refresh_token|partner_key|app_secret|client_secret|api_key"
    r"|api[-_]seller[-_]key|auth_code|code|sign|signature|password)"
    r"([=:]\s*\"?)([^&\s\"',}]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def redact_text(text: str) -> str:
    text = _INLINE.sub(lambda match: f"{match.group(1)}{match.group(2)}{REDACTED}", text)
    return _BEARER.sub(lambda match: f"{match.group(1)} {REDACTED}", text)


def _redact_value(key: str, value: Any) -> Any:
    if key.lower() in SECRET_KEYS:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact_secrets(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: no token, key or signature reaches a log line."""
    return {key: _redact_value(key, value) for key, value in event_dict.items()}


def configure_logging(
    level: str = "info",
    output: Literal["auto", "json", "console"] = "auto",
    stream: TextIO | None = None,
) -> None:
    """Configure structlog (and the stdlib root logger it renders for) once per process."""
    stream = stream or sys.stderr
    as_json = output == "json" or (output == "auto" and not stream.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    # Libraries log through the stdlib; keep them quiet unless they have something to say.
    logging.basicConfig(level=logging.WARNING, stream=stream, format="%(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "uvicorn.access", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
