"""Shared budgets in Redis: each reservation is one Lua script, run atomically on the server.

Scripts read the server's ``TIME``, so every host agrees on the clock. Keys expire once a
bucket would be full again or every slot free, so idle shops leave nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, RedisError

from syncer.errors import StoreError
from syncer.limits.store import BucketKey, SlotGrant, TokenGrant
from syncer.limits.urls import safe_redis_url

SETTING = "limits.redis_url (SYNCER_LIMITS__REDIS_URL)"

_CLOCK = "local now = redis.call('TIME'); now = tonumber(now[1]) + tonumber(now[2]) / 1e6\n"
# KEYS[1] bucket; ARGV rate, capacity, want. Returns {granted, level left} (level as text:
# Redis truncates Lua numbers to integers).
_TAKE_TOKENS = (
    _CLOCK
    + """
local rate, capacity, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
local level = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local n = math.min(want, math.floor(level))
level = level - n
redis.call('HSET', KEYS[1], 'tokens', tostring(level), 'updated', tostring(math.max(now, updated)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - level) / rate * 1000) + 1000)
return {n, tostring(level)}
"""
)
# KEYS[1] sorted set holder -> free_at; ARGV limit, holder, hold. Returns {taken, wait}.
_TAKE_SLOT = (
    _CLOCK
    + """
local limit, holder, hold = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now + hold, holder)
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(last[2]) * 1000) + 1000)
  return {1, '0'}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(first[2]) - now)}
"""
)
# KEYS[1] sorted set; ARGV holder, hold. Only a slot still held is moved (XX); returns 1 if so.
_HOLD_SLOT = (
    _CLOCK
    + """
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(last[2]) * 1000) + 1000)
return 1
"""
)


class RedisLimitStore:
    """Budgets in Redis under ``prefix`` (one hash per bucket, one sorted set per budget)."""

    def __init__(self, url: str, *, prefix: str = "syncer:limits:") -> None:
        self._url = url
        self.prefix = prefix
        self.description = f"Redis {safe_redis_url(url)}"
        self._client: aioredis.Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> aioredis.Redis:
        """The client of the running loop: its connections belong to one loop, and a CLI
        process runs one loop per command."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = aioredis.Redis.from_url(
                self._url, socket_connect_timeout=5, socket_timeout=5
            )
            self._loop = loop
        return self._client

    async def take_tokens(
        self, key: BucketKey, *, rate: float, capacity: float, want: int
    ) -> TokenGrant:
        reply = await self._run(_TAKE_TOKENS, f"bucket:{key.name}", rate, capacity, want)
        granted, level = int(reply[0]), float(reply[1])
        return TokenGrant(granted, level)

    async def take_slot(
        self, key: BucketKey, *, limit: int, holder: str, hold_s: float
    ) -> SlotGrant:
        reply = await self._run(_TAKE_SLOT, f"slots:{key.name}", limit, holder, hold_s)
        return SlotGrant(bool(int(reply[0])), max(0.0, float(reply[1])))

    async def hold_slot(self, key: BucketKey, *, holder: str, hold_s: float) -> bool:
        return bool(await self._run(_HOLD_SLOT, f"slots:{key.name}", holder, hold_s))

    async def _run(self, script: str, key: str, *args: str | int | float) -> Any:
        client = self._redis()
        sha = hashlib.sha1(script.encode()).hexdigest()  # noqa: S324  Redis names scripts so
        try:
            try:  # the server keeps scripts by digest: send the body only the first time
                return await client.evalsha(sha, 1, self.prefix + key, *args)
            except NoScriptError:
                return await client.eval(script, 1, self.prefix + key, *args)
        except RedisError as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(
                f"shared rate limits: {self.description} ({SETTING}): {first_line}"
            ) from None  # the cause may repeat connection details

    async def check(self) -> None:
        """Fail now, with the setting named, if the server cannot be reached."""
        try:
            await self._redis().ping()
        except RedisError as exc:
            first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(
                f"shared rate limits: cannot reach {self.description} ({SETTING}): {first_line}"
            ) from None

    async def close(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None
