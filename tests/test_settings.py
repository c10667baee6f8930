"""Config: documented defaults equal the code's, and every bad value names file, key and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncer.errors import ConfigError
from syncer.settings import Settings, load_settings

ROOT = Path(__file__).parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syncer.toml"
    path.write_text(text)
    return path


def test_the_documented_defaults_file_equals_the_built_in_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SYNCER_DATABASE_URL", raising=False)
    monkeypatch.delenv("SYNCER_SECRET_KEY", raising=False)
    assert load_settings(ROOT / "config" / "syncer.toml") == Settings()


def test_the_demo_config_loads() -> None:
    settings = load_settings(ROOT / "config" / "demo.toml")
    assert settings.marketplace("shopee").base_url == "http://127.0.0.1:9101"
    assert settings.database.url == Settings().database.url  # status in a second shell sees it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[daemon]\nconcurrency = 0\n", r"key daemon\.concurrency: .*greater than or equal to 1"),
        (
            "[logging]\nlevel = 'loud'\n",
            r"key logging\.level: .*'debug', 'info', 'warning' or 'error'",
        ),
        ("[daemon]\ntimezone = 'Mars/Olympus'\n", r"key daemon\.timezone: .*IANA"),
        ("[daemon]\nconcurency = 3\n", r"key daemon\.concurency: unknown key"),
        (
            "[marketplaces.lazada]\nbase_url = 'x'\n",
            r"unknown marketplace 'lazada'; allowed: .*shopee",
        ),
        ("[daemon\n", r"not valid TOML"),
        ("[marketplaces.shopee]\npage_size = 500\n", r"key marketplaces\.shopee\.page_size"),
    ],
)
def test_bad_values_are_explained_on_one_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as error:
        load_settings(path)
    message = str(error.value)
    assert message.startswith(str(path))
    assert "\n" not in message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[daemon]\nconcurrency = 2\n")
    monkeypatch.setenv("SYNCER_DATABASE_URL", "sqlite:////tmp/other.db")
    monkeypatch.setenv("SYNCER_DAEMON__CONCURRENCY", "7")
    settings = load_settings(path)
    assert settings.database.url == "sqlite:////tmp/other.db"
    assert settings.daemon.concurrency == 7


def test_a_marketplace_table_extends_the_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "[marketplaces.shopee]\nburst = 3\n"))
    shopee = settings.marketplace("shopee")
    assert (shopee.burst, shopee.base_url) == (3, "https://partner.shopeemobile.com")
