"""``syncer tokens create`` as an operator types it: the token is printed once and works."""

from __future__ import annotations

from pathlib import Path

from syncer.store import Database, migrate
from syncer.store import shops as shop_store
from syncer.store.access import verify_token
from tests.cli.test_cli import config, syncer
from tests.web.seed import NOW


async def make_business(url: str, slug: str) -> None:
    database = Database(url)
    try:
        async with database.write() as connection:
            await shop_store.ensure_business(connection, slug, slug, NOW)
    finally:
        await database.dispose()


async def test_tokens_for_a_business_and_for_operators(tmp_path: Path) -> None:
    """stdout is the token alone; it verifies with the right scope; only a hash is stored."""
    path = config(tmp_path)
    url = f"sqlite:///{tmp_path}/syncer.db"
    migrate.upgrade(url)
    await make_business(url, "toko-kopi")
    business = syncer("-c", str(path), "tokens", "create", "--business", "toko-kopi", cwd=tmp_path)
    operator = syncer("-c", str(path), "tokens", "create", "--operator", cwd=tmp_path)
    assert business.returncode == operator.returncode == 0, business.stderr + operator.stderr
    assert "Shown once" in business.stderr
    database = Database(url)
    try:
        async with database.read() as connection:
            scoped = await verify_token(connection, business.stdout.strip())
            everyone = await verify_token(connection, operator.stdout.strip())
    finally:
        await database.dispose()
    assert scoped is not None
    assert (scoped.role, scoped.business_slug) == ("business", "toko-kopi")
    assert everyone is not None
    assert (everyone.role, everyone.business_slug) == ("operator", None)
    assert business.stdout.strip().encode() not in (tmp_path / "syncer.db").read_bytes()


def test_a_token_needs_exactly_one_scope(tmp_path: Path) -> None:
    path = config(tmp_path)
    for args in ((), ("--operator", "--business", "toko-kopi")):
        result = syncer("-c", str(path), "tokens", "create", *args, cwd=tmp_path)
        assert result.returncode == 2
        assert "--business SLUG or --operator" in result.stderr


async def test_a_token_for_an_unknown_business_is_refused(tmp_path: Path) -> None:
    path = config(tmp_path)
    migrate.upgrade(f"sqlite:///{tmp_path}/syncer.db")
    result = syncer("-c", str(path), "tokens", "create", "--business", "toko-z", cwd=tmp_path)
    assert result.returncode == 2
    assert "no business 'toko-z'" in result.stderr
