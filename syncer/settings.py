"""Settings: ``config/syncer.toml`` (or ``--config``/``SYNCER_CONFIG``) plus ``SYNCER_*`` overrides.

Defaults live here and are documented, value for value, in ``config/syncer.toml``. Any bad
value ends in one ``ConfigError`` line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from datetime import time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncer.adapter import AdapterSettings, RetryPolicy, available_adapters
from syncer.errors import ConfigError
from syncer.limits.urls import check_redis_url

DEFAULT_CONFIG = Path("config/syncer.toml")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = "sqlite:///var/syncer.db"


class SecretSettings(_Section):
    key_file: Path = Path("var/secret.key")
    key: str = Field(default="", repr=False)


class LoggingSettings(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "json", "console"] = "auto"


class DaemonSettings(_Section):
    worker_name: str = ""
    concurrency: int = Field(default=4, ge=1, le=256)
    pull_interval_minutes: int = Field(default=15, ge=1, le=1440)
    pull_jitter_seconds: int = Field(default=60, ge=0, le=3600)
    full_reconcile_at: time = time(3, 0)
    timezone: str = "Asia/Jakarta"
    lease_seconds: int = Field(default=300, ge=30, le=86400)
    stale_run_seconds: int = Field(default=600, ge=60, le=86400)
    role: Literal["all", "scheduler", "worker"] = "all"
    executor: Literal["auto", "local", "procrastinate"] = "auto"
    catch_up: bool = True
    full_reconcile_spread_minutes: int = Field(default=60, ge=0, le=720)
    heartbeat_seconds: float = Field(default=5.0, gt=0, le=300)
    node_timeout_seconds: float = Field(default=30.0, ge=2, le=86400)
    job_retries: int = Field(default=5, ge=0, le=100)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Asia/Jakarta"
            ) from exc
        return value


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str = ""
    """The service's address as marketplaces call it (behind a proxy that rewrites host or
    scheme); webhook signatures over the URL (Shopee, Blibli) are checked against it."""
    lost_push_check_minutes: float = Field(default=5.0, gt=0, le=1440)

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"{value!r} is not an absolute http(s) URL; give the address marketplaces "
                "call, e.g. https://sync.example.com (a path prefix is allowed)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a public URL takes no query or fragment")
        return value.rstrip("/")


class AppLimit(_Section):
    """A partner app's budget over all its shops (on top of each shop's own)."""

    requests_per_second: float = Field(gt=0)
    burst: int = Field(ge=1)


class LimitsSettings(_Section):
    """Where rate-limit budgets live, so that every worker of a cluster spends from one."""

    backend: Literal["auto", "local", "database", "redis"] = "auto"
    redis_url: str = Field(default="", repr=False)
    redis_prefix: str = "syncer:limits:"
    reservation_seconds: float = Field(default=0.2, gt=0, le=10)
    reservation_batch: int = Field(default=8, ge=1, le=1000)
    slot_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    apps: dict[str, AppLimit] = Field(default_factory=dict)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        return check_redis_url(value)

    @model_validator(mode="after")
    def _redis_needs_url(self) -> LimitsSettings:
        if self.backend == "redis" and not self.redis_url:
            raise ValueError(
                "backend 'redis' needs redis_url (or SYNCER_LIMITS__REDIS_URL); "
                "allowed backends: auto, local, database, redis"
            )
        return self


class PullSettings(_Section):
    overlap_seconds: int = Field(default=120, ge=0, le=86400)


class PushSettings(_Section):
    interval_seconds: float = Field(default=10.0, gt=0, le=3600)
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_wait_seconds: float = Field(default=30.0, ge=0, le=86400)
    verify: bool = True


Owner = Literal["master", "shop"]


class ShopRules(_Section):
    """How master values become a shop's values, and which side owns each field group."""

    stock_buffer: int = Field(default=0, ge=0)
    stock_percent: int = Field(default=100, ge=0, le=100)
    stock_cap: int = Field(default=0, ge=0)
    price_markup_percent: float = Field(default=0.0, ge=-90, le=1000)
    price_rounding: int = Field(default=1, ge=1)
    price_rounding_mode: Literal["nearest", "up", "down"] = "nearest"
    price_owner: Owner = "master"
    stock_owner: Owner = "master"
    content_owner: Owner = "master"


class RulesSettings(_Section):
    default: ShopRules = ShopRules()
    shops: dict[str, ShopRules] = Field(default_factory=dict)


class RetrySettings(_Section):
    max_attempts: int = Field(default=6, ge=1, le=50)
    max_elapsed_seconds: float = Field(default=120.0, gt=0)
    initial_wait_seconds: float = Field(default=0.5, ge=0)
    max_wait_seconds: float = Field(default=30.0, ge=0)


class MarketplaceSettings(_Section):
    base_url: str
    timeout_seconds: float = Field(default=30.0, gt=0)
    requests_per_second: float = Field(default=10.0, gt=0)
    burst: int = Field(default=10, ge=1)
    concurrency: int = Field(default=4, ge=1, le=64)
    page_size: int = Field(default=100, ge=1, le=100)
    retry: RetrySettings = RetrySettings()
    extra: dict[str, str] = Field(default_factory=dict)
    """Adapter-specific options (a feed folder, an upload switch ...), named by each adapter."""

    def adapter_settings(self) -> AdapterSettings:
        return AdapterSettings(
            base_url=self.base_url,
            timeout_s=self.timeout_seconds,
            requests_per_second=self.requests_per_second,
            burst=self.burst,
            concurrency=self.concurrency,
            page_size=self.page_size,
            retry=RetryPolicy(
                max_attempts=self.retry.max_attempts,
                max_elapsed_s=self.retry.max_elapsed_seconds,
                initial_wait_s=self.retry.initial_wait_seconds,
                max_wait_s=self.retry.max_wait_seconds,
            ),
            extra=dict(self.extra),
        )


def _default_marketplaces() -> dict[str, MarketplaceSettings]:
    return {
        "shopee": MarketplaceSettings(base_url="https://partner.shopeemobile.com"),
        # 50 QPS per API and shop is TikTok's number; one shop-wide bucket at 80% never
        # exceeds any single API's share.
        "tiktok": MarketplaceSettings(
            base_url="https://open-api.tiktokglobalshop.com", requests_per_second=40.0, burst=40
        ),
        # Blibli's per-operation budgets (25 list calls a minute ...) live in the adapter.
        "blibli": MarketplaceSettings(base_url="https://api.blibli.com/v2/proxy"),
        # A feed folder or URL; the business drops Belanja.com's product export there.
        "belanja": MarketplaceSettings(base_url="var/belanja/feed"),
    }


class DemoSandbox(_Section):
    port: int = Field(ge=0, le=65535)


class DemoSettings(_Section):
    listings: int = Field(default=2000, ge=1, le=1_000_000)
    seed: int = 1
    business: str = "toko-demo"
    business_name: str = "Toko Demo Nusantara"
    sandboxes: dict[str, DemoSandbox] = Field(
        default_factory=lambda: {"shopee": DemoSandbox(port=9101)}
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SYNCER_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    database: DatabaseSettings = DatabaseSettings()
    secrets: SecretSettings = SecretSettings()
    logging: LoggingSettings = LoggingSettings()
    daemon: DaemonSettings = DaemonSettings()
    pull: PullSettings = PullSettings()
    push: PushSettings = PushSettings()
    rules: RulesSettings = RulesSettings()
    web: WebSettings = WebSettings()
    limits: LimitsSettings = LimitsSettings()
    marketplaces: dict[str, MarketplaceSettings] = Field(default_factory=_default_marketplaces)
    demo: DemoSettings = DemoSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # environment beats the file

    def marketplace(self, name: str) -> MarketplaceSettings:
        try:
            return self.marketplaces[name]
        except KeyError:
            raise ConfigError(
                f"no [marketplaces.{name}] section in the config; configured: "
                f"{', '.join(sorted(self.marketplaces)) or 'none'}"
            ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config PATH)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _merge_marketplaces(data: dict[str, Any]) -> None:
    """A file's [marketplaces.X] tables extend the built-in defaults instead of replacing them."""
    merged: dict[str, Any] = {
        name: section.model_dump() for name, section in _default_marketplaces().items()
    }
    for name, section in data.get("marketplaces", {}).items():
        merged[name] = {**merged.get(name, {}), **section} if isinstance(section, dict) else section
    data["marketplaces"] = merged


def _explain(path: Path, error: ValidationError) -> ConfigError:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against config/syncer.toml)"
        problems.append(f"key {key}: {message}")
    return ConfigError(f"{path} (with SYNCER_* overrides): " + "; ".join(problems))


def _check_marketplaces(path: Path, settings: Settings) -> None:
    known = set(available_adapters())
    for name in list(settings.marketplaces) + list(settings.demo.sandboxes):
        if name not in known:
            raise ConfigError(
                f"{path}: key marketplaces.{name}: unknown marketplace {name!r}; "
                f"allowed: {', '.join(sorted(known))}"
            )


def load_settings(path: Path | None = None) -> Settings:
    """Settings from ``path`` (else ``SYNCER_CONFIG``, else the default file if it exists)."""
    chosen = path or Path(os.environ.get("SYNCER_CONFIG", DEFAULT_CONFIG))
    explicit = path is not None or "SYNCER_CONFIG" in os.environ
    data = _read_toml(chosen) if explicit or chosen.exists() else {}
    _merge_marketplaces(data)
    if url := os.environ.get("SYNCER_DATABASE_URL"):
        data.setdefault("database", {})["url"] = url
    if key := os.environ.get("SYNCER_SECRET_KEY"):
        data.setdefault("secrets", {})["key"] = key
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise _explain(chosen, exc) from None
    _check_marketplaces(chosen, settings)
    return settings
