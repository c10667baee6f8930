"""Loads the official response samples shipped in tests/fixtures/shopee."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parents[2] / "fixtures" / "shopee"


def api_page(api: str) -> dict[str, Any]:
    page: dict[str, Any] = json.loads((FIXTURES / f"{api}.json").read_text())
    return page


def response_sample(api: str) -> dict[str, Any]:
    """The first JSON response sample of an API page.

    One official sample (get_model_list) carries a trailing comma; it is removed here, the
    only change made to the marketplace's text.
    """
    samples = json.loads(api_page(api)["response_sample"])
    text = re.sub(r",(\s*[}\]])", r"\1", samples[0]["value"])
    sample: dict[str, Any] = json.loads(text)
    return sample


def error_strings(api: str) -> set[tuple[str, str]]:
    return {(entry["name"], entry["description"]) for entry in api_page(api)["error_list"]}
