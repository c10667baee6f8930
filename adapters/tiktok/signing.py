"""TikTok Shop request signing (official guide "Sign your API request").

1. every query parameter except ``sign`` and ``access_token``, keys sorted; 2. ``key + value``
concatenated; 3. the request path in front; 4. the raw body appended unless the request is
``multipart/form-data``; 5. wrapped in the app secret; 6. lower-hex HMAC-SHA256 keyed with the
app secret. The body is signed byte for byte as sent, so callers serialize it once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

UNSIGNED = frozenset({"sign", "access_token"})


def string_to_sign(
    app_secret: str,
    path: str,
    query: Mapping[str, str],
    body: bytes = b"",
    *,
    multipart: bool = False,
) -> bytes:
    """The wrapped string of step 5, as bytes (the body may hold any UTF-8)."""
    params = "".join(f"{key}{query[key]}" for key in sorted(query) if key not in UNSIGNED)
    signed_body = b"" if multipart else body
    secret = app_secret.encode()
    return secret + path.encode() + params.encode() + signed_body + secret


def sign(
    app_secret: str,
    path: str,
    query: Mapping[str, str],
    body: bytes = b"",
    *,
    multipart: bool = False,
) -> str:
    message = string_to_sign(app_secret, path, query, body, multipart=multipart)
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The ``Authorization`` header of a webhook: lower-hex HMAC-SHA256(app_secret, app_key +
    raw body). The official page only points at the signing guide; this formula is the one
    community SDKs verify against live traffic (marketplaces/README 3B.6, unconfirmed)."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
