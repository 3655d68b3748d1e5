"""The binding label and gap taxonomy, and the small enums shared across packages."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

#: Email labels (multi-label); an email with none of them is "other".
LABELS: Final = (
    "rejection",
    "feedback",
    "interview",
    "application_received",
    "offer",
    "job_alert",
)

#: Categories of a gap: something the employer said the candidate lacked or should improve.
GAP_CATEGORIES: Final = (
    "skill",
    "experience",
    "communication",
    "preparation",
    "motivation",
    "evidence",
    "fit",
)


class ParseStatus(StrEnum):
    """How well a stored message could be parsed."""

    #: Stored by the sync as raw bytes (and their Message-ID); parsed before analysis.
    PENDING = "pending"
    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"


class ReviewStatus(StrEnum):
    """Where a gap record stands in the user's review."""

    AUTO = "auto"
    ACCEPTED = "accepted"
    EDITED = "edited"
    DISMISSED = "dismissed"
