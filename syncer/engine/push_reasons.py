"""Push failures in words a business understands, keeping the marketplace's own words after.

Marketplaces answer in their own vocabulary ("Price cannot be changed when model is under
promotion."); the common causes get one plain sentence, whatever the marketplace.
"""

from __future__ import annotations

import re

_PLAIN = (
    (
        re.compile(r"promotion|campaign|flash.?sale|discount", re.I),
        "{field} locked by a running promotion",
    ),
    (
        re.compile(r"reserved", re.I),
        "stock cannot go below what open orders and promotions reserve",
    ),
    (re.compile(r"banned|violat|suspend", re.I), "the marketplace has blocked this listing"),
    (
        re.compile(r"not.?found|not exist|deleted", re.I),
        "the listing no longer exists on the marketplace",
    ),
    (
        re.compile(r"(price).*(min|max|range|low|high)|(min|max).*(price)", re.I),
        "the price is outside what the marketplace allows",
    ),
    (re.compile(r"review", re.I), "the listing is under review by the marketplace"),
    (
        re.compile(r"reauth|authori[sz]|grant|permission", re.I),
        "the shop must be connected again (authorization lapsed)",
    ),
)
_NAMES = {"price": "price", "stock": "stock", "status": "listing status"}


def explain(field: str, marketplace: str, reason: str) -> str:
    """One readable sentence, then the marketplace's words: 'price locked by a running
    promotion (Shopee: Price cannot be changed when model is under promotion.)'."""
    words = reason.strip() or "rejected without a reason"
    for pattern, plain in _PLAIN:
        if pattern.search(words):
            sentence = plain.format(field=_NAMES.get(field, field).capitalize())
            return f"{sentence[0].upper()}{sentence[1:]} ({marketplace}: {words})"
    return f"{marketplace} refused the {_NAMES.get(field, field)}: {words}"
