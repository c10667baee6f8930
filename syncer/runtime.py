"""Wires settings, database, secrets, clock and engine together for the CLI and the daemon."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import cached_property

from syncer.domain import Clock, SystemClock
from syncer.engine.adapters import AdapterFactory
from syncer.engine.pull import PullEngine
from syncer.engine.push import Pusher
from syncer.errors import ConfigError, StoreError
from syncer.settings import Settings
from syncer.store import CredentialCipher, Database, load_or_create_key, migrate
from syncer.store.shops import count_with_credentials


@dataclass
class Runtime:
    settings: Settings
    clock: Clock

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        return cls(settings=settings, clock=clock or SystemClock())

    @cached_property
    def database(self) -> Database:
        return Database(self.settings.database.url)

    @cached_property
    def cipher(self) -> CredentialCipher:
        secrets = self.settings.secrets
        if secrets.key:
            return CredentialCipher(secrets.key.encode())
        if not secrets.key_file.exists():
            stored = count_with_credentials(self.settings.database.url)
            if stored:  # a new key could never decrypt them: refuse instead of starting over
                raise ConfigError(
                    f"key secrets.key_file: {secrets.key_file} does not exist, but {stored} "
                    "shops have credentials encrypted with a key; restore that file or set "
                    "SYNCER_SECRET_KEY"
                )
        return CredentialCipher(load_or_create_key(secrets.key_file))

    @cached_property
    def worker(self) -> str:
        return self.settings.daemon.worker_name or f"{socket.gethostname()}:{os.getpid()}"

    @cached_property
    def adapters(self) -> AdapterFactory:
        return AdapterFactory(self.settings, self.database, self.cipher, self.clock)

    @cached_property
    def pull_engine(self) -> PullEngine:
        return PullEngine(
            settings=self.settings,
            database=self.database,
            adapters=self.adapters,
            clock=self.clock,
            worker=self.worker,
        )

    @cached_property
    def pusher(self) -> Pusher:
        return Pusher(
            settings=self.settings,
            database=self.database,
            adapters=self.adapters,
            clock=self.clock,
            worker=self.worker,
        )

    def migrate(self) -> None:
        migrate.upgrade(self.settings.database.url)

    def require_schema(self) -> None:
        """Readers do not migrate (an operator's laptop must not alter a shared database)."""
        url = self.settings.database.url
        if not migrate.is_current(url):
            raise StoreError(
                f"database {self.database.safe_url} has schema revision "
                f"{migrate.current_revision(url) or 'none'}, this syncer needs "
                f"{migrate.head_revision()}: run `syncer db upgrade` (the daemon and the demo "
                "also migrate on start)"
            )

    async def check_limits(self) -> None:
        """Fail at start, naming the setting, if the shared rate-limit store is unreachable
        (rather than on a run's first call, minutes later)."""
        store = self.adapters.limit_store
        if store is not None:
            await store.check()

    async def close(self) -> None:
        if "adapters" in self.__dict__ and "limit_store" in self.adapters.__dict__:
            store = self.adapters.limit_store
            if store is not None:
                await store.close()
        if "database" in self.__dict__:
            await self.database.dispose()
