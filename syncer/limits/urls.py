"""Redis URLs for ``[limits] redis_url``: checked when settings load, shown without password."""

from __future__ import annotations

from urllib.parse import urlsplit

SCHEMES = ("redis", "rediss", "unix")
FORM = "redis://[:PASSWORD@]HOST[:PORT][/DB], rediss://... (TLS) or unix:///PATH/TO/SOCKET"


def check_redis_url(url: str) -> str:
    """``url`` if it names a Redis server, else ``ValueError`` saying what is allowed (never
    repeating the URL: it may hold a password)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        raise ValueError(f"not a URL; expected {FORM}") from None
    if parts.scheme not in SCHEMES:
        raise ValueError(f"scheme {parts.scheme or '(none)'!r} is not allowed; expected {FORM}")
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"a unix socket URL needs a path; expected {FORM}")
        return url
    if not parts.hostname:
        raise ValueError(f"no host; expected {FORM}")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise ValueError(f"database {database!r} is not a number; expected {FORM}")
    del port
    return url


def safe_redis_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for logs and errors)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=f"{user}:***@{host}").geturl()
