"""The official TikTok Shop samples (tests/fixtures/tiktok), loaded as the docs wrote them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "fixtures" / "tiktok"
SPECS = (
    "search-products",
    "get-product",
    "update-inventory",
    "update-price",
    "activate-product",
    "deactivate-products",
    "inventory-search",
    "get-authorized-shops",
)


def spec(name: str) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((FIXTURES / f"{name}.spec.json").read_text())[
        "document_api_meta"
    ]
    return meta


def response_sample(name: str) -> dict[str, Any]:
    sample: dict[str, Any] = json.loads(spec(name)["response_body"])
    return sample


def documented_codes() -> dict[int, str]:
    """Every code of the common error list and of the product API pages this adapter calls."""
    codes: dict[int, str] = {}
    for name in SPECS:
        for entry in spec(name)["error_code_list"]:
            codes.setdefault(int(entry["code"]), entry["msg"])
    for line in (FIXTURES / "common-errors.md").read_text().splitlines():
        match = re.match(r"\| (\d+) \| ([^|]+) \|", line)
        if match:
            codes.setdefault(int(match[1]), match[2].strip())
    return codes


def common_error_pairs() -> set[tuple[int, str]]:
    """(code, message) of every row of the common error list, exactly as written."""
    pairs = set()
    for line in (FIXTURES / "common-errors.md").read_text().splitlines():
        match = re.match(r"\| (\d+) \| ([^|]+) \|", line)
        if match:
            pairs.add((int(match[1]), match[2].strip()))
    return pairs


def webhook_example(kind: int) -> str:
    """The "Event example" JSON text of a webhook page."""
    name = {
        5: "5-product-status-change",
        15: "15-product-information-change",
        27: "27-inventory-status-change",
    }[kind]
    content = json.loads((FIXTURES / f"{name}.json").read_text())["content"]
    match = re.search(r"```JSON\n(.*?)\n```", content, re.S)
    assert match is not None, name
    return match[1]
