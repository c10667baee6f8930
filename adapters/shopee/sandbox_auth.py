"""Shopee sandbox: one partner app, one seeded shop, request signing and the token lifecycle.

Per the authorization guide: ``code`` single use for 10 minutes; access_token 4 hours, reusable;
refresh_token 30 days, single use and rotated; after a refresh the old access_token works for 5
more minutes; an authorization lasts up to 365 days and the seller can revoke it.

[I] Where a page lists several official errors for one failure, the ``error_example`` wins: an
unknown, used or expired code is error_auth "Invalid code", an unknown or reused refresh token
error_auth "Invalid refresh_token."; the more specific list entries cover the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from adapters.shopee.sandbox_errors import (
    INVALID_ACCESS_TOKEN,
    INVALID_CODE,
    INVALID_CODE_SHOP,
    INVALID_MAIN_ACCOUNT,
    INVALID_PARTNER_ID,
    INVALID_REFRESH_TOKEN,
    INVALID_SHOP,
    INVALID_TIMESTAMP,
    MERCHANT_NO_LINKED,
    NO_ACCESS_TOKEN,
    NO_PARTNER_ID,
    NO_SIGN,
    NO_TIMESTAMP,
    REFRESH_TOKEN_EXPIRED,
    SHOP_ACCESS_EXPIRED,
    SHOP_ID_INVALID,
    SHOP_NO_LINKED,
    WRONG_SIGN,
    JSONObject,
    ShopeeError,
    ShopeeSandboxSettings,
    wrong_parameters,
)
from adapters.shopee.sandbox_params import is_int_text
from syncer.sandbox import SandboxClock

ApiType = Literal["public", "shop"]


def sign(partner_key: str, *parts: object) -> str:
    """Lower-hex HMAC-SHA256 of the concatenated parts, keyed with the partner key."""
    base = "".join(str(part) for part in parts)
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


@dataclass(slots=True)
class _Grant:
    """A code, access token or refresh token: whose, until when, used up or not."""

    shop_id: int
    expires_at: float
    used: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """The app and shop a sandbox serves; all derived from the seed unless given."""

    partner_id: int
    partner_key: str
    shop_id: int

    @classmethod
    def from_seed(cls, seed: int) -> Identity:
        return cls(
            partner_id=1_000_000 + (seed * 7_919) % 9_000_000,
            partner_key=hashlib.sha256(f"shopee-sandbox-partner-key:{seed}".encode()).hexdigest(),
            shop_id=100_000_000 + (seed * 104_729) % 900_000_000,
        )


class ShopeeAuth:
    """Checks common parameters and signatures; issues and rotates tokens."""

    def __init__(
        self,
        identity: Identity,
        *,
        seed: int,
        clock: SandboxClock,
        settings: ShopeeSandboxSettings,
        access_token: str | None = None,
    ) -> None:
        self.identity = identity
        self._clock = clock
        self._settings = settings
        self._rng = random.Random(f"shopee-auth-{seed}")  # reproducible tokens per seed
        self._codes: dict[str, _Grant] = {}
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self.linked = True
        self.auth_time = clock.unix()
        self.current_access = ""
        self.current_refresh = ""
        self._issue(access_token)

    # -- request checks -----------------------------------------------------------------------

    def verify(self, query: Mapping[str, str], path: str, api_type: ApiType) -> int | None:
        """Check common parameters and ``sign``; the shop id for Shop APIs, else None."""
        partner_id = _required_int(query, "partner_id", NO_PARTNER_ID, INVALID_PARTNER_ID)
        timestamp = _required_int(query, "timestamp", NO_TIMESTAMP, INVALID_TIMESTAMP)
        given = query.get("sign")
        if not given:
            raise ShopeeError(NO_SIGN)
        if partner_id != self.identity.partner_id:
            raise ShopeeError(INVALID_PARTNER_ID)
        if abs(self._clock.timestamp() - timestamp) > self._settings.timestamp_window:
            raise ShopeeError(INVALID_TIMESTAMP)
        if api_type == "public":
            self._check_sign(given, partner_id, path, timestamp)
            return None
        token = query.get("access_token")
        if not token:
            raise ShopeeError(NO_ACCESS_TOKEN)
        shop_id = _required_int(query, "shop_id", SHOP_ID_INVALID, SHOP_ID_INVALID)
        self._check_sign(given, partner_id, path, timestamp, token, shop_id)
        self._check_access(token, shop_id)
        return shop_id

    def _check_sign(self, given: str, *parts: object) -> None:
        if not hmac.compare_digest(given, sign(self.identity.partner_key, *parts)):
            raise ShopeeError(WRONG_SIGN)

    def _check_access(self, token: str, shop_id: int) -> None:
        if shop_id != self.identity.shop_id or not self._authorized():
            # [I] the official "no link" wording, also once the seller revoked the app
            raise ShopeeError(INVALID_SHOP)
        grant = self._access.get(token)
        if grant is None or grant.shop_id != shop_id or self._clock.timestamp() >= grant.expires_at:
            raise ShopeeError(INVALID_ACCESS_TOKEN)

    def _authorized(self) -> bool:
        age = self._clock.timestamp() - self.auth_time
        return self.linked and age < self._settings.authorization_ttl

    # -- token endpoints ----------------------------------------------------------------------

    def exchange_code(self, body: JSONObject) -> JSONObject:
        """``POST /api/v2/auth/token/get`` with ``{code, partner_id, shop_id}``."""
        self._check_body_partner(body)
        if "main_account_id" in body and "shop_id" not in body:
            raise ShopeeError(INVALID_MAIN_ACCOUNT)  # this sandbox authorizes one shop account
        code = _body_str(body, "code")
        shop_id = _body_int(body, "shop_id")
        grant = self._codes.get(code)
        if grant is None or grant.used or self._clock.timestamp() >= grant.expires_at:
            raise ShopeeError(INVALID_CODE)
        if shop_id != grant.shop_id:
            raise ShopeeError(INVALID_CODE_SHOP)
        grant.used = True
        for old in self._refresh.values():  # re-authorization replaces the token pair
            old.used = True
        access, refresh = self._issue()
        return {"access_token": access, "refresh_token": refresh, "expire_in": self._ttl()}

    def refresh(self, body: JSONObject) -> JSONObject:
        """``POST /api/v2/auth/access_token/get`` with ``{refresh_token, partner_id, shop_id}``."""
        self._check_body_partner(body)
        if "merchant_id" in body and "shop_id" not in body:
            raise ShopeeError(MERCHANT_NO_LINKED)
        token = _body_str(body, "refresh_token")
        shop_id = _body_int(body, "shop_id")
        if shop_id != self.identity.shop_id or not self.linked:
            raise ShopeeError(SHOP_NO_LINKED)
        if not self._authorized():
            raise ShopeeError(SHOP_ACCESS_EXPIRED)
        grant = self._refresh.get(token)
        if grant is None or grant.used or grant.shop_id != shop_id:
            raise ShopeeError(INVALID_REFRESH_TOKEN)
        if self._clock.timestamp() >= grant.expires_at:
            raise ShopeeError(REFRESH_TOKEN_EXPIRED)
        grant.used = True
        access, refresh = self._issue()
        return {
            "partner_id": self.identity.partner_id,
            "shop_id": shop_id,
            "access_token": access,
            "refresh_token": refresh,
            "expire_in": self._ttl(),
        }

    def _check_body_partner(self, body: JSONObject) -> None:
        if _body_int(body, "partner_id") != self.identity.partner_id:
            raise ShopeeError(INVALID_PARTNER_ID)

    def _issue(self, access: str | None = None) -> tuple[str, str]:
        """A new token pair; older access tokens of the shop keep 5 minutes of life."""
        now = self._clock.timestamp()
        grace_end = now + self._settings.old_access_token_grace
        for grant in self._access.values():
            grant.expires_at = min(grant.expires_at, grace_end)
        access = access or self._token()
        refresh = self._token()
        shop_id = self.identity.shop_id
        self._access[access] = _Grant(shop_id, now + self._settings.access_token_ttl)
        self._refresh[refresh] = _Grant(shop_id, now + self._settings.refresh_token_ttl)
        self.current_access, self.current_refresh = access, refresh
        return access, refresh

    def _ttl(self) -> int:
        return self._settings.access_token_ttl

    def _token(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"

    # -- seller actions (control API) ----------------------------------------------------------

    def revoke(self) -> None:
        """The seller cancels the authorization: every token stops working."""
        self.linked = False
        now = self._clock.timestamp()
        for grants in (self._codes, self._refresh):
            for grant in grants.values():
                grant.used = True
        for grant in self._access.values():
            grant.expires_at = min(grant.expires_at, now)

    def mint_code(self) -> str:
        """The seller (re-)authorizes the app: the shop is linked and a fresh code issued."""
        now = self._clock.timestamp()
        if not self._authorized():
            self.auth_time = int(now)
        self.linked = True
        code = self._token()
        self._codes[code] = _Grant(self.identity.shop_id, now + self._settings.code_ttl)
        return code

    def unused_code(self) -> str:
        """A still valid code, minted if needed ("" while the shop is not authorized)."""
        now = self._clock.timestamp()
        for code, grant in self._codes.items():
            if not grant.used and now < grant.expires_at:
                return code
        return self.mint_code() if self._authorized() else ""

    def access_expire_in(self) -> int:
        grant = self._access.get(self.current_access)
        if grant is None:
            return 0
        return max(0, int(grant.expires_at - self._clock.timestamp()))

    def expire_time(self) -> int:
        return self.auth_time + self._settings.authorization_ttl


def _required_int(
    query: Mapping[str, str], name: str, missing: tuple[str, str], invalid: tuple[str, str]
) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        raise ShopeeError(missing)
    if not is_int_text(raw):
        raise ShopeeError(invalid)
    return int(raw)


def _body_int(body: JSONObject, name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_parameters(f"{name} must be an integer")
    return value


def _body_str(body: JSONObject, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise wrong_parameters(f"{name} must be a non-empty string")
    return value
