"""Where the reviewer is: the queue's filters, its page and the open email, as one URL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bounceback.nlp.taxonomy import GAP_CATEGORIES, LABELS
from bounceback.storage.review import QueueFilter

STATUSES = ("auto", "reviewed", "all")
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Location:
    """The queue's filters, page and selected email; every field checked on the way in."""

    label: str = ""
    company: str = ""
    status: str = "auto"
    category: str = ""
    page: int = 1
    message: int | None = None

    @classmethod
    def parse(cls, params: dict[str, str]) -> Location:
        """Read query parameters, replacing anything unknown by its default."""
        label = params.get("label", "")
        status = params.get("status", "auto")
        category = params.get("category", "")
        try:
            page = max(int(params.get("page", "1")), 1)
        except ValueError:
            page = 1
        try:
            message: int | None = int(params["m"]) if params.get("m") else None
        except ValueError:
            message = None
        return cls(
            label=label if label in (*LABELS, "other") else "",
            company=params.get("company", "")[:300],
            status=status if status in STATUSES else "auto",
            category=category if category in GAP_CATEGORIES else "",
            page=page,
            message=message,
        )

    @classmethod
    def from_url(cls, url: str) -> Location:
        """The location a page URL (``/?...``) points at."""
        query = parse_qs(urlsplit(url).query)
        return cls.parse({name: values[0] for name, values in query.items() if values})

    @property
    def queue_filter(self) -> QueueFilter:
        """What storage needs to list the queue."""
        return QueueFilter(
            self.label or None,
            self.company or None,
            None if self.status == "all" else self.status,
            self.category or None,
        )

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * PAGE_SIZE

    def url(self, **changes: Any) -> str:
        """This location's URL, with some fields changed (``message`` as ``m``)."""
        moved = replace(self, **changes)
        query = {
            "label": moved.label,
            "company": moved.company,
            "status": moved.status if moved.status != "auto" else "",
            "category": moved.category,
            "page": moved.page if moved.page > 1 else "",
            "m": moved.message if moved.message is not None else "",
        }
        kept = {name: value for name, value in query.items() if value != ""}
        return "/?" + urlencode(kept) if kept else "/"
