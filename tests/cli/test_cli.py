"""The command line as a user meets it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def syncer(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SYNCER_")}
    environment |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "syncer", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "syncer.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/syncer.db"\n'
        f'[secrets]\nkey_file = "{tmp_path}/secret.key"\n' + extra
    )
    return path


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_an_invalid_config_value_ends_in_one_line_and_exit_2(tmp_path: Path) -> None:
    path = config(tmp_path, "[daemon]\nconcurrency = 'many'\n")
    result = syncer("--config", str(path), "status", cwd=tmp_path)
    assert_one_line_error(result, str(path), "daemon.concurrency", "integer")


def test_an_unreadable_config_file_ends_in_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[daemon\n")
    result = syncer("--config", str(path), "runs", cwd=tmp_path)
    assert_one_line_error(result, str(path), "not valid TOML")
    missing = syncer("--config", str(tmp_path / "missing.toml"), "runs", cwd=tmp_path)
    assert_one_line_error(missing, "missing.toml", "not found")


def test_an_unknown_marketplace_lists_the_available_ones(tmp_path: Path) -> None:
    path = config(tmp_path, "[marketplaces.lazada]\nbase_url = 'https://x'\n")
    result = syncer("--config", str(path), "status", cwd=tmp_path)
    assert_one_line_error(result, "marketplaces.lazada", "allowed: belanja, blibli, shopee, tiktok")
    added = syncer(
        "--config",
        str(config(tmp_path)),
        "shops",
        "add",
        "--marketplace",
        "lazada",
        "--shop-id",
        "1",
        "--name",
        "x",
        cwd=tmp_path,
    )
    assert_one_line_error(
        added, "unknown marketplace 'lazada'", "available: belanja, blibli, shopee, tiktok"
    )


def test_an_unknown_shop_is_named(tmp_path: Path) -> None:
    path = config(tmp_path)
    assert syncer("--config", str(path), "db", "upgrade", cwd=tmp_path).returncode == 0
    result = syncer("--config", str(path), "sync", "nope", cwd=tmp_path)
    assert_one_line_error(result, "no shop 'nope'")


def test_reading_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    result = syncer("--config", str(config(tmp_path)), "status", cwd=tmp_path)
    assert result.returncode == 1
    assert "run `syncer db upgrade`" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    unreachable = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    result = syncer(
        "--config",
        str(config(tmp_path)),
        "runs",
        cwd=tmp_path,
        env={"SYNCER_DATABASE_URL": unreachable},
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "127.0.0.1:1" in line
    assert "secret" not in line


def test_status_json_on_an_empty_catalog_is_an_empty_array(tmp_path: Path) -> None:
    path = config(tmp_path)
    assert syncer("--config", str(path), "db", "upgrade", cwd=tmp_path).returncode == 0
    result = syncer("--config", str(path), "status", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = syncer("--help", cwd=ROOT)
    assert result.returncode == 0
    for command in ("demo", "run", "sync", "status", "runs", "shops", "db", "sandbox"):
        assert command in result.stdout


@pytest.mark.parametrize("status", ["bogus"])
def test_a_bad_status_filter_names_the_allowed_values(tmp_path: Path, status: str) -> None:
    result = syncer("--config", str(config(tmp_path)), "status", "--status", status, cwd=tmp_path)
    assert result.returncode == 2
    assert "active" in result.stderr
    assert "Traceback" not in result.stderr


def add_shop(path: Path, tmp_path: Path, *credentials: str) -> subprocess.CompletedProcess[str]:
    """``syncer shops add`` of a Shopee shop with the given KEY=VALUE credentials."""
    pairs = [arg for pair in credentials for arg in ("--credential", pair)]
    return syncer(
        "--config",
        str(path),
        "shops",
        "add",
        "--marketplace",
        "shopee",
        "--shop-id",
        "1",
        "--name",
        "Toko",
        *pairs,
        cwd=tmp_path,
    )


def test_adding_a_shop_without_its_credentials_names_what_is_missing(tmp_path: Path) -> None:
    result = add_shop(config(tmp_path), tmp_path, "partner_id=1")
    assert_one_line_error(result, "partner_key", "access_token", "--code")


def test_a_lost_key_file_is_refused_while_encrypted_credentials_exist(tmp_path: Path) -> None:
    path = config(tmp_path)
    added = add_shop(
        path, tmp_path, "partner_id=1", "partner_key=k", "access_token=a", "refresh_token=r"
    )
    assert added.returncode == 0, added.stderr
    (tmp_path / "secret.key").unlink()
    result = syncer("--config", str(path), "sync", "1", cwd=tmp_path)
    assert_one_line_error(result, "secrets.key_file", "1 shops have credentials")
    assert not (tmp_path / "secret.key").exists()
