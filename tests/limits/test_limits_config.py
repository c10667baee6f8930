"""Choosing and configuring the shared-budget store: the deployment decides, bad settings end
in one line naming the setting, and a Redis password never shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from syncer.adapter.budgets import Budget, shared_budgets
from syncer.domain import SystemClock
from syncer.engine.adapters import AdapterFactory
from syncer.errors import ConfigError, StoreError
from syncer.limits.backends import open_store
from syncer.limits.limiter import SharedOperationBudgets, SharedRateLimiter
from syncer.limits.postgres import PostgresLimitStore
from syncer.limits.redis_store import RedisLimitStore
from syncer.limits.store import BucketKey
from syncer.settings import LimitsSettings, Settings, load_settings
from syncer.store import CredentialCipher, Database
from tests.limits.conftest import StoreSpec

PASSWORD = "s3cret-pw"


def test_a_malformed_redis_url_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An http:// URL is refused in one line naming limits.redis_url, without the password."""
    config = tmp_path / "syncer.toml"
    config.write_text("")
    monkeypatch.setenv("SYNCER_LIMITS__REDIS_URL", f"http://user:{PASSWORD}@cache:6379/0")
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    message = str(raised.value)
    assert "limits.redis_url" in message
    assert "redis://" in message  # says what is allowed
    assert PASSWORD not in message
    assert "\n" not in message


def test_redis_backend_without_a_url_is_refused() -> None:
    with pytest.raises(ValueError, match="needs redis_url"):
        LimitsSettings(backend="redis")


async def test_an_unreachable_redis_names_the_setting_without_the_password() -> None:
    store = RedisLimitStore(f"redis://:{PASSWORD}@127.0.0.1:1/0")
    try:
        with pytest.raises(StoreError) as raised:
            await store.take_tokens(BucketKey("shopee", "1", "2"), rate=1, capacity=1, want=1)
    finally:
        await store.close()
    message = str(raised.value)
    assert "limits.redis_url" in message
    assert "redis://:***@127.0.0.1:1/0" in message
    assert PASSWORD not in message
    assert "\n" not in message


async def test_the_deployment_chooses_the_store(sqlite_url: str) -> None:
    """SQLite keeps budgets in the process, PostgreSQL shares them, a Redis URL wins."""
    sqlite = Database(sqlite_url)
    postgres = Database("postgresql+psycopg://syncer@db.invalid/syncer")  # never connected
    try:
        assert open_store(LimitsSettings(), sqlite) is None
        assert isinstance(open_store(LimitsSettings(), postgres), PostgresLimitStore)
        assert open_store(LimitsSettings(backend="local"), postgres) is None
        with_redis = LimitsSettings(redis_url="redis://127.0.0.1:6379/0")
        assert isinstance(open_store(with_redis, sqlite), RedisLimitStore)
        with pytest.raises(ConfigError, match=r"limits\.backend"):
            open_store(LimitsSettings(backend="database"), sqlite)
    finally:
        await sqlite.dispose()
        await postgres.dispose()


async def test_the_factory_hands_adapters_shared_budgets_per_app_and_shop(
    redis_store: StoreSpec, sqlite_url: str, tmp_path: Path
) -> None:
    """Adapters get the shop's shared limiter keyed by partner app and shop, under the app's
    budget where configured; Blibli's per-operation budgets come out shared too."""
    settings = Settings(
        database={"url": sqlite_url},
        secrets={"key_file": tmp_path / "secret.key"},
        limits={
            "redis_url": redis_store.url,
            "redis_prefix": redis_store.prefix,
            "apps": {"tiktok": {"requests_per_second": 100.0, "burst": 50}},
        },
    )
    database = Database(sqlite_url)
    factory = AdapterFactory(
        settings, database, CredentialCipher(Fernet.generate_key()), SystemClock()
    )
    adapter_settings = settings.marketplace("tiktok").adapter_settings()
    try:
        limiter = factory.limiter("tiktok", "shop-9", adapter_settings, app="app-7")
        assert isinstance(limiter, SharedRateLimiter)
        assert limiter.key == BucketKey("tiktok", "app-7", "shop-9")
        assert isinstance(limiter.parent, SharedRateLimiter)
        assert limiter.parent.key == BucketKey("tiktok", "app-7", "*")
        assert factory.limiter("tiktok", "shop-9", adapter_settings, app="app-7") is limiter
        await limiter.acquire()
        assert factory.limiter_totals()["tiktok"].acquired == 1
        budgets = shared_budgets(limiter, {"product_list": Budget(25, 60.0)})
        assert isinstance(budgets, SharedOperationBudgets)
        assert budgets.budgets["product_list"].key == BucketKey(  # type: ignore[attr-defined]
            "tiktok", "app-7", "shop-9", "product_list"
        )
    finally:
        store = factory.limit_store
        if store is not None:
            await store.close()
        await database.dispose()


def test_a_small_burst_shortens_the_grace_instead_of_breaking_the_bound() -> None:
    """burst - rate * ttl stays >= 1: a burst of 1 leaves no grace and batches of one."""
    store = RedisLimitStore("redis://127.0.0.1:6379/0")
    tight = SharedRateLimiter(store, BucketKey("m", "a", "s"), 5.0, 1, reservation_s=0.2)
    assert (tight.ttl, tight.capacity, tight.max_batch) == (0.0, 1.0, 1)
    roomy = SharedRateLimiter(store, BucketKey("m", "a", "s"), 40.0, 40, reservation_s=0.2)
    assert (roomy.ttl, roomy.capacity) == (0.2, 32.0)
    assert roomy.capacity + roomy.rate * roomy.ttl == roomy.burst  # the bound: burst + rate*T
