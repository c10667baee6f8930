"""The sample feeds in tests/fixtures/belanja import to the same listings in both formats."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from syncer.domain import ListingStatus
from tests.adapters.belanja.folder import folder_adapter, pull_all

SAMPLES = Path(__file__).parents[2] / "fixtures" / "belanja"


@pytest.mark.parametrize("name", ["produk.csv", "produk.jsonl"])
async def test_a_sample_feed_maps_to_the_expected_listings(tmp_path: Path, name: str) -> None:
    shutil.copy(SAMPLES / name, tmp_path / name)
    [page] = await pull_all(folder_adapter(str(tmp_path)))
    assert page.quarantined == []
    got = [
        (
            item.seller_sku,
            item.title,
            item.variant_name,
            item.price,
            item.stock,
            item.status,
            item.status_reason,
            item.image_url,
            item.remote_updated_at,
        )
        for item in page.listings
    ]
    assert got == [
        (
            "KOP-GAYO-250",
            "Kopi Arabika Gayo Biji Sangrai 250 gr",
            "",
            89_500,
            42,
            ListingStatus.ACTIVE,
            "",
            "https://img.belanja.example/KOP-GAYO-250/1.jpg",
            datetime(2025, 3, 1, 1, 15, tzinfo=UTC),
        ),
        (
            "BTK-PARANG-M",
            "Kemeja Batik Parang, Lengan Panjang",
            "Sogan / M",
            185_000,
            0,
            ListingStatus.OUT_OF_STOCK,
            "No stock left",
            "https://img.belanja.example/BTK-PARANG-M/1.jpg",
            datetime(2025, 3, 2, 3, 0, tzinfo=UTC),
        ),
        (
            "BTK-PARANG-L",
            "Kemeja Batik Parang, Lengan Panjang",
            "Sogan / L",
            195_000,
            7,
            ListingStatus.INACTIVE,
            "Set inactive in the Belanja.com feed",
            "https://img.belanja.example/BTK-PARANG-L/1.jpg",
            datetime(2025, 3, 2, 3, 0, tzinfo=UTC),
        ),
    ]
    assert page.listings[0].raw["description"] == (
        'Dipanggang "medium" setiap Senin.\nKirim di hari yang sama, sebelum jam 15.00.'
    )
