"""Normalized statuses shared by every marketplace (DESIGN section 3)."""

from __future__ import annotations

from enum import StrEnum


class ListingStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    OUT_OF_STOCK = "out_of_stock"
    UNDER_REVIEW = "under_review"
    REJECTED = "rejected"
    BANNED = "banned"
    DRAFT = "draft"
    DELETED = "deleted"


class AuthState(StrEnum):
    OK = "ok"
    REFRESHING = "refreshing"
    NEEDS_REAUTH = "needs_reauth"
