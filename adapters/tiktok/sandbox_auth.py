"""TikTok Shop sandbox: one app, one authorized Indonesian shop, signing and the token lifecycle.

Per the authorization guide: ``auth_code`` single use for 30 minutes; access tokens for 7 days,
their expiry given as an absolute unix time. [I] The refresh token is reusable until it expires
(the guide does not say it rotates: its samples return the same one) and an old access token
keeps working until its own expiry. Revoking the authorization kills every token.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.tiktok.sandbox_errors import (
    EXPIRED_TOKEN,
    INVALID_ACCESS_TOKEN,
    INVALID_APP_KEY,
    INVALID_APP_SECRET,
    INVALID_AUTH_CODE,
    INVALID_GRANT_TYPE,
    INVALID_REFRESH_TOKEN,
    INVALID_SIGN,
    INVALID_TOKEN_OR_CIPHER,
    MISSING_SHOP_CIPHER,
    MISSING_SIGN,
    TIMESTAMP_NEGATIVE,
    TIMESTAMP_TOO_NEW,
    TIMESTAMP_TOO_OLD,
    UNEXPECTED_SHOP_CIPHER,
    JSONObject,
    TikTokError,
    TikTokSandboxSettings,
)
from adapters.tiktok.signing import sign
from syncer.sandbox import SandboxClock


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """The app and shop a sandbox serves, derived from the seed unless given."""

    app_key: str
    app_secret: str
    shop_id: str
    shop_cipher: str
    shop_code: str
    open_id: str

    @classmethod
    def from_seed(cls, seed: int) -> Identity:
        digest = hashlib.sha256(f"tiktok-sandbox:{seed}".encode()).hexdigest()
        return cls(
            app_key=digest[:13],
            app_secret=digest[13:53],
            shop_id=str(7_494_000_000_000_000_000 + (seed * 104_729_999) % 10**15),
            shop_cipher="ROW_" + digest[:28],
            shop_code="IDLC" + digest[53:61].upper(),
            open_id=digest[20:48],
        )


@dataclass(slots=True)
class _Grant:
    expires_at: float
    used: bool = False


class TikTokAuth:
    """Checks common parameters, signatures and tokens; issues tokens."""

    def __init__(
        self, identity: Identity, *, seed: int, clock: SandboxClock, settings: TikTokSandboxSettings
    ) -> None:
        self.identity = identity
        self._clock = clock
        self._settings = settings
        self._rng = random.Random(f"tiktok-auth-{seed}")
        self._codes: dict[str, _Grant] = {}
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self.linked = True
        self.current_access, self.current_refresh = self._issue()

    # -- request checks -----------------------------------------------------------------------

    def verify(
        self, path: str, query: Mapping[str, str], token: str, body: bytes, *, shop_scoped: bool
    ) -> None:
        """Common parameters, ``sign``, access token and ``shop_cipher``, in that order."""
        if query.get("app_key") != self.identity.app_key:
            raise TikTokError(INVALID_APP_KEY)
        self._check_timestamp(query.get("timestamp", ""))
        given = query.get("sign")
        if not given:
            raise TikTokError(MISSING_SIGN)
        expected = sign(self.identity.app_secret, path, dict(query), body)
        if not hmac.compare_digest(given, expected):
            raise TikTokError(INVALID_SIGN)
        self._check_token(token)
        cipher = query.get("shop_cipher")
        if shop_scoped and not cipher:
            raise TikTokError(MISSING_SHOP_CIPHER)
        if not shop_scoped and cipher:
            raise TikTokError(UNEXPECTED_SHOP_CIPHER)
        if cipher and cipher != self.identity.shop_cipher:
            raise TikTokError(INVALID_TOKEN_OR_CIPHER)

    def _check_timestamp(self, raw: str) -> None:
        digits = raw.removeprefix("-")
        if not digits.isascii() or not digits.isdecimal():
            raise TikTokError(TIMESTAMP_NEGATIVE)  # [I] nearest documented wording
        timestamp = int(raw)
        if timestamp < 0:
            raise TikTokError(TIMESTAMP_NEGATIVE)
        now = self._clock.unix()  # whole seconds, like the timestamps themselves
        if timestamp < now - self._settings.timestamp_past:
            raise TikTokError(TIMESTAMP_TOO_OLD)
        if timestamp > now + self._settings.timestamp_future:
            raise TikTokError(TIMESTAMP_TOO_NEW)

    def _check_token(self, token: str) -> None:
        grant = self._access.get(token)
        if grant is None or not self.linked:
            raise TikTokError(INVALID_ACCESS_TOKEN)
        if self._clock.timestamp() >= grant.expires_at:
            raise TikTokError(EXPIRED_TOKEN)

    # -- token endpoints (auth host) ------------------------------------------------------------

    def token_get(self, query: Mapping[str, str]) -> JSONObject:
        self._check_app(query, "authorized_code")
        grant = self._codes.get(query.get("auth_code", ""))
        if grant is None or grant.used or self._clock.timestamp() >= grant.expires_at:
            raise TikTokError(INVALID_AUTH_CODE)
        grant.used = True
        self.linked = True
        self.current_access, self.current_refresh = self._issue()
        return self._token_data(self.current_access, self.current_refresh)

    def token_refresh(self, query: Mapping[str, str]) -> JSONObject:
        self._check_app(query, "refresh_token")
        token = query.get("refresh_token", "")
        grant = self._refresh.get(token)
        if grant is None or grant.used or not self.linked:
            raise TikTokError(INVALID_REFRESH_TOKEN)
        if self._clock.timestamp() >= grant.expires_at:
            raise TikTokError(INVALID_REFRESH_TOKEN)
        access = self._token()
        self._access[access] = _Grant(self._clock.timestamp() + self._settings.access_token_ttl)
        self.current_access = access
        return self._token_data(access, token)

    def _check_app(self, query: Mapping[str, str], grant_type: str) -> None:
        if query.get("app_key") != self.identity.app_key:
            raise TikTokError(INVALID_APP_KEY)
        if not hmac.compare_digest(query.get("app_secret", ""), self.identity.app_secret):
            raise TikTokError(INVALID_APP_SECRET)
        if query.get("grant_type") != grant_type:
            raise TikTokError(INVALID_GRANT_TYPE)

    def _token_data(self, access: str, refresh: str) -> JSONObject:
        return {
            "access_token": access,
            "access_token_expire_in": int(self._access[access].expires_at),
            "refresh_token": refresh,
            "refresh_token_expire_in": int(self._refresh[refresh].expires_at),
            "open_id": self.identity.open_id,
            "seller_name": self._settings.shop_name,
            "seller_base_region": "ID",
            "user_type": 0,
            "granted_scopes": ["seller.product.basic", "seller.product.write"],
        }

    def _issue(self) -> tuple[str, str]:
        now = self._clock.timestamp()
        access, refresh = self._token(), self._token()
        self._access[access] = _Grant(now + self._settings.access_token_ttl)
        self._refresh[refresh] = _Grant(now + self._settings.refresh_token_ttl)
        return access, refresh

    def _token(self) -> str:
        return f"TTP_{self._rng.getrandbits(192):048x}"

    # -- seller actions (control API) ----------------------------------------------------------

    def revoke(self) -> None:
        """The seller deauthorizes the app: every code and token stops working."""
        self.linked = False
        for grants in (self._codes, self._refresh):
            for grant in grants.values():
                grant.used = True

    def mint_code(self) -> str:
        """The seller (re-)authorizes the app: a fresh one-time ``auth_code``."""
        code = "TTP_" + f"{self._rng.getrandbits(96):024x}"
        self._codes[code] = _Grant(self._clock.timestamp() + self._settings.code_ttl)
        return code

    def unused_code(self) -> str:
        now = self._clock.timestamp()
        for code, grant in self._codes.items():
            if not grant.used and now < grant.expires_at:
                return code
        return self.mint_code()

    def expire_access(self) -> None:
        """Control: make the current access token expire now (tests of the refresh path)."""
        grant = self._access.get(self.current_access)
        if grant is not None:
            grant.expires_at = self._clock.timestamp()
