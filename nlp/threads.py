"""What ties an email to an application besides its words: thread headers and ids.

* Thread headers: In-Reply-To and References name the messages an email answers, so a
  reply lands where its thread already is (the user's own replies, which bounceback
  never sees, are skipped over by References).
* Forwarded originals: the senders of attached `message/rfc822` parts (an agency
  forwarding the client's own email).
* Ids the mail carries: requisition and job ids in ATS and job-board links
  (Greenhouse, Lever, Workday, SmartRecruiters, Ashby, Workable, iCIMS, Teamtailor and
  the generic `/jobs/123`, `?jobId=` forms) and in subjects and bodies ("Req 44821",
  "(ref QL-2291)", "Application ID: GDC-10477"). A candidate id names the person, not
  the application: it is returned with kind "candidate" and never links on its own.

Pure; never raises on damaged mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from urllib.parse import parse_qsl, urlsplit

__all__ = ["MailRef", "ThreadHeaders", "forwarded_senders", "mail_refs", "thread_headers"]

_PARSER = BytesParser(policy=policy.compat32)
_MSGID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True, slots=True)
class ThreadHeaders:
    """The ids of a message and of the messages it answers (angle brackets kept)."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]

    @property
    def ancestors(self) -> tuple[str, ...]:
        """In-Reply-To first, then References from the nearest to the oldest."""
        seen: list[str] = []
        for value in ([self.in_reply_to] if self.in_reply_to else []) + list(
            reversed(self.references)
        ):
            if value not in seen:
                seen.append(value)
        return tuple(seen)


def thread_headers(raw_head: bytes) -> ThreadHeaders:
    """Message-ID, In-Reply-To and References from a message's header block."""
    try:
        headers = _PARSER.parsebytes(raw_head, headersonly=True)
        message_id = _MSGID.search(str(headers.get("Message-ID", "")))
        reply = _MSGID.search(str(headers.get("In-Reply-To", "")))
        references = tuple(_MSGID.findall(str(headers.get("References", ""))))[-50:]
    except Exception:  # damaged headers: no thread, never a crash
        return ThreadHeaders(None, None, ())
    return ThreadHeaders(
        message_id.group(0) if message_id else None,
        reply.group(0) if reply else None,
        references,
    )


def forwarded_senders(raw: bytes) -> tuple[str, ...]:
    """Addresses (lower case) of the senders of forwarded messages attached to raw."""
    if b"message/rfc822" not in raw.lower():
        return ()
    found: list[str] = []
    try:
        for part in _PARSER.parsebytes(raw).walk():
            if part.get_content_type() != "message/rfc822":
                continue
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if inner is None or isinstance(inner, str):
                continue
            for _, address in getaddresses([str(inner.get("From", ""))]):
                if "@" in address:
                    found.append(address.lower())
    except Exception:
        return tuple(found)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class MailRef:
    """An id an email carries; scope is the ATS tenant or host it belongs to ('' if none)."""

    kind: str  # "job" (requisition / posting), "application", or "candidate"
    scope: str
    value: str

    @property
    def key(self) -> str:
        """The stored form: "job:acme.greenhouse:4410"."""
        return f"{self.kind}:{self.scope}:{self.value}"[:300]


_ID = r"[A-Za-z0-9][A-Za-z0-9_-]{1,60}"
_URL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("job", re.compile(r"(?:boards|job-boards)\.greenhouse\.io/(?P<scope>\w+)/jobs/(?P<id>\d+)")),
    ("job", re.compile(r"jobs\.lever\.co/(?P<scope>[\w-]+)/(?P<id>[0-9a-f-]{36})")),
    ("job", re.compile(r"(?P<scope>[\w-]+)\.wd\d+\.myworkdayjobs\.com/.*?_(?P<id>R-?\d+)")),
    ("job", re.compile(r"jobs\.smartrecruiters\.com/(?P<scope>[\w-]+)/(?P<id>\d+)")),
    ("job", re.compile(r"jobs\.ashbyhq\.com/(?P<scope>[\w-]+)/(?P<id>[0-9a-f-]{36})")),
    ("job", re.compile(rf"apply\.workable\.com/(?P<scope>[\w-]+)/j/(?P<id>{_ID})")),
    ("job", re.compile(r"(?P<scope>[\w-]+)\.icims\.com/jobs/(?P<id>\d+)")),
    ("job", re.compile(r"(?P<scope>[\w-]+)\.teamtailor\.com/jobs/(?P<id>\d+)")),
    (
        "application",
        re.compile(
            rf"(?P<scope>[\w.-]+)/(?:[\w-]+/)*applications?/(?P<id>(?=[A-Za-z_-]*\d){_ID})"
            r"(?=[/?#\s\"'<>]|$)"
        ),
    ),
    (
        "job",
        re.compile(
            rf"(?P<scope>[\w.-]+)/(?:[\w-]+/)*(?:jobs?|requisitions?|vacanc(?:y|ies)|postings?)"
            rf"/(?P<id>(?=[A-Za-z_-]*\d){_ID})(?=[/?#\s\"'<>]|$)"
        ),
    ),
)
_URL = re.compile(r"https?://[^\s\"'<>]+")
_QUERY_NAMES = frozenset(
    {
        *("gh_jid", "jobid", "job_id", "jk", "reqid", "req_id", "requisitionid"),
        *("applicationid", "application_id", "candidateid", "candidate_id"),
    }
)
_QUERY_KIND = {"applicationid": "application", "application_id": "application"}
_TEXT_IDS = re.compile(
    r"\b(?P<label>application (?:id|number|no\.?|reference|ref)|candidate (?:id|number|no\.?)|"
    r"(?:job|requisition|req|vacancy|posting) ?(?:id|number|no\.?|ref(?:erence)?|#)?|ref(?:erence)?"
    r"(?: number| no\.?)?)\s*[:#.]?\s*(?P<id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{2,30})\b",
    re.IGNORECASE,
)


def _host_scope(host: str) -> str:
    labels = [x for x in host.lower().split(".") if x and x not in ("www", "jobs", "careers")]
    return ".".join(labels[:-1]) if len(labels) > 1 else ".".join(labels)


def _text_kind(label: str) -> str:
    label = label.lower()
    if label.startswith("application"):
        return "application"
    if label.startswith("candidate"):
        return "candidate"
    return "job"


def mail_refs(subject: str, text: str, html: str | None = None) -> tuple[MailRef, ...]:
    """Ids in an email's links, subject and text, de-duplicated, in the order found."""
    found: dict[str, MailRef] = {}
    links = f"{text[:20000]}\n{(html or '')[:100000]}"
    for url in _URL.finditer(links):
        # each pattern reads one link, not the whole body: a long HTML part stays cheap
        link = url.group(0)
        for kind, pattern in _URL_PATTERNS:
            for match in pattern.finditer(link):
                ref = MailRef(kind, _host_scope(match.group("scope")), match.group("id").lower())
                found.setdefault(ref.key, ref)
        parts = urlsplit(link.replace("&amp;", "&"))
        for name, value in parse_qsl(parts.query):
            name = name.lower()
            if name not in _QUERY_NAMES or not 2 <= len(value) <= 60:
                continue
            kind = "candidate" if name.startswith("candidate") else _QUERY_KIND.get(name, "job")
            ref = MailRef(kind, _host_scope(parts.hostname or ""), value.lower())
            found.setdefault(ref.key, ref)
    for match in _TEXT_IDS.finditer(f"{subject}\n{text[:6000]}"):
        ref = MailRef(_text_kind(match.group("label")), "", match.group("id").upper())
        found.setdefault(ref.key, ref)
    return tuple(found.values())
