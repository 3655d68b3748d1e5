"""SQLAlchemy 2 models: accounts, mail, analyses, gaps, postings, digests, applications.

One module per noun; everything is re-exported here, so callers (and Alembic's env.py)
import from `bounceback.storage.models` and every table is registered on `Base.metadata`.
"""

from bounceback.storage.models.account import Account, Folder, Profile
from bounceback.storage.models.application import (
    Application,
    ApplicationCorrection,
    ApplicationDate,
    ApplicationEvent,
    ApplicationRef,
    MessageLink,
)
from bounceback.storage.models.base import NAMING_CONVENTION, Base, UTCDateTime, utcnow
from bounceback.storage.models.digest import DiaryEntry, Digest, DigestStep
from bounceback.storage.models.message import Analysis, Correction, Gap, JobPosting, Message

__all__ = [
    "NAMING_CONVENTION",
    "Account",
    "Analysis",
    "Application",
    "ApplicationCorrection",
    "ApplicationDate",
    "ApplicationEvent",
    "ApplicationRef",
    "Base",
    "Correction",
    "DiaryEntry",
    "Digest",
    "DigestStep",
    "Folder",
    "Gap",
    "JobPosting",
    "Message",
    "MessageLink",
    "Profile",
    "UTCDateTime",
    "utcnow",
]
