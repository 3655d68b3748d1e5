"""Parse job-alert emails into `JobPosting` records, with one parser per board."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bounceback.nlp.alertcards import SALARY, TITLE_AT, URL, blocks, cards_for, classify
from bounceback.nlp.htmltext import html_to_text
from bounceback.nlp.records import JobPosting

__all__ = [
    "BOARD_PARSERS",
    "clean_url",
    "parse_postings",
    "posted_at",
    "register_board",
    "role_key",
    "salary_value",
    "same_role",
    "source_for",
]

#: Sender domain (or a parent domain of it) -> board or agency name.
BOARD_DOMAINS: Final[dict[str, str]] = {
    "linkedin.com": "LinkedIn",
    "seek.com.au": "Seek",
    "seek.co.nz": "Seek",
    "ziprecruiter.com": "ZipRecruiter",
    "ziprecruiter.co.uk": "ZipRecruiter",
    "totaljobs.co.uk": "Totaljobs",
    "cvlibrary.co.uk": "CV-Library",
    "glassdoor.com.au": "Glassdoor",
    "indeed.co.uk": "Indeed",
    "robertwalters.co.uk": "Robert Walters",
    "harveynash.com": "Harvey Nash",
    "welcometothejungle.co": "Welcome to the Jungle",
    "indeed.com": "Indeed",
    "indeedemail.com": "Indeed",
    "totaljobs.com": "Totaljobs",
    "reed.co.uk": "Reed",
    "cv-library.co.uk": "CV-Library",
    "glassdoor.com": "Glassdoor",
    "glassdoor.co.uk": "Glassdoor",
    "adzuna.co.uk": "Adzuna",
    "hays.co.uk": "Hays",
    "michaelpage.co.uk": "Michael Page",
    "roberthalf.co.uk": "Robert Half",
    "otta.com": "Otta",
    "welcometothejungle.com": "Welcome to the Jungle",
    "jobs.ac.uk": "jobs.ac.uk",
    "civilservicejobs.service.gov.uk": "Civil Service Jobs",
}

#: Query parameters that only track the click; stripped from posting links.
_TRACKING_PARAMS: Final = frozenset(
    {
        "trk", "trkinfo", "refid", "trackingid", "lipi", "midtoken", "midsig", "eid",
        "otptoken", "tk", "cf_rid", "mc_cid", "mc_eid", "gclid", "fbclid", "msclkid",
        "_hsenc", "_hsmi", "src_trk", "from", "alid", "ref", "src", "cmp", "sid", "jrtk",
        "trackingtag", "ecid", "_ga", "_gl", "mkt_tok", "sc_cid", "recommendationid",
        "tracking_id", "wt.mc_id", "campaign", "source", "medium", "emailid", "ito",
    }
)  # fmt: skip

BoardParser = Callable[[str, str | None], list[JobPosting]]
#: Board name -> parser of (plain text, html) into postings; other senders get the generic one.
BOARD_PARSERS: dict[str, BoardParser] = {}

_NOISE_LINES: Final = re.compile(
    r"^(?:easily apply|be an early applicant|actively recruiting|new|promoted|"
    r"hybrid remote|remote|urgently hiring|\d+ applicants?)$",
    re.IGNORECASE,
)
_PIPES: Final = re.compile(r"\s*\|\s*")
_DASHES: Final = re.compile(r"\s+(?:—|–|·)\s+")
_HYPHENS: Final = re.compile(r"\s+(?:-|at|@)\s+")
_LIST_MARKER: Final = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+")


def register_board(name: str) -> Callable[[BoardParser], BoardParser]:
    """Register a parser for one board's alert emails under the board's name."""

    def decorator(parser: BoardParser) -> BoardParser:
        BOARD_PARSERS[name] = parser
        return parser

    return decorator


def _domain(sender: str) -> str:
    match = re.search(r"@([\w.-]+)", sender)
    return match.group(1).lower().rstrip(".") if match else ""


def source_for(sender: str) -> str | None:
    """The board or agency name for a sender address or From header, if it is a known one."""
    domain = _domain(sender)
    while domain:
        if domain in BOARD_DOMAINS:
            return BOARD_DOMAINS[domain]
        _, _, domain = domain.partition(".")
    return None


#: Parameters that only track the click on one board's links (short names, so kept per board).
BOARD_TRACKING: Final[dict[str, frozenset[str]]] = {
    "Indeed": frozenset({"qd", "rd", "sjdu", "acatk", "pub", "xkcb", "bb"}),
    "Glassdoor": frozenset(
        {"pos", "ao", "s", "guid", "t", "cs", "cb", "vt", "slr", "ist", "ast", "exst", "extid"}
    ),
    "Seek": frozenset({"type", "tracking", "sol", "ref"}),
    "ZipRecruiter": frozenset({"lvk", "tsid", "zrclid"}),
    "Welcome to the Jungle": frozenset({"o"}),
    "LinkedIn": frozenset({"alertaction", "savedsearchid"}),
}


def clean_url(url: str, board: str | None = None) -> str:
    """The link without click-tracking query parameters (utm_*, trk, refId, trackingId, …)."""
    parts = urlsplit(url.strip().rstrip(".,;"))
    extra = BOARD_TRACKING.get(board or "", frozenset())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_")
        and key.lower() not in _TRACKING_PARAMS
        and key.lower() not in extra
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _salary(line: str) -> str | None:
    match = SALARY.search(line)
    return match.group().strip() if match else None


def _text_of(text: str, html: str | None) -> str:
    return text if text.strip() or html is None else html_to_text(html)


def _fields(line: str) -> list[str]:
    """Split a one-line listing on its strongest separator: pipes, then dashes, then hyphens."""
    for separator in (_PIPES, _DASHES, _HYPHENS):
        fields = [field.strip() for field in separator.split(line) if field.strip()]
        if len(fields) >= 2:
            return fields
    return [line.strip()]


def _pipe_list(text: str, source: str) -> list[JobPosting]:
    """Lines of 'Title | Company | Location | Salary' (or dashes), each with a URL nearby."""
    postings = []
    for block in blocks(text, rules_break=False):
        line = _LIST_MARKER.sub("", block[0])
        fields = _fields(URL.sub("", line))
        url_match = next((m for m in map(URL.search, block) if m), None)
        if len(fields) < 2 or len(line) > 200 or url_match is None:
            continue
        salary = next((s for s in map(_salary, fields[2:]) if s), None)
        rest = [field for field in fields[2:] if not _salary(field)]
        postings.append(
            JobPosting(
                title=fields[0],
                company=fields[1],
                location=rest[0] if rest else None,
                salary=salary,
                url=clean_url(url_match.group()),
                source=source,
            )
        )
    return postings


def card_postings(text: str, html: str | None, source: str) -> list[JobPosting]:
    """Postings read card by card (see `alertcards`): the parser for the big boards."""
    postings = []
    for card in cards_for(text, html):
        title = " ".join(card.title.split())
        fields = classify(card.lines)
        title_at = TITLE_AT.match(title)
        if fields.company is None and title_at:  # "Data Analyst at Mosaic"
            title = title_at.group(1)
            fields = replace(fields, company=title_at.group(2))
        if not title or len(title) > 120 or card.url is None:
            continue
        postings.append(
            JobPosting(
                title=title,
                company=fields.company,
                location=fields.location,
                salary=fields.salary,
                url=clean_url(card.url, source),
                source=source,
                posted=fields.posted,
            )
        )
    return postings


def _card_parser(name: str) -> BoardParser:
    def parser(text: str, html: str | None) -> list[JobPosting]:
        return card_postings(text, html, name)

    return parser


def _register_cards(*names: str) -> None:
    for name in names:
        BOARD_PARSERS[name] = _card_parser(name)


_register_cards(
    "LinkedIn", "Indeed", "Glassdoor", "Reed", "Totaljobs", "CV-Library", "Seek",
    "ZipRecruiter", "Otta", "Welcome to the Jungle", "Adzuna", "Hays", "Michael Page",
    "Robert Half", "Robert Walters", "Harvey Nash", "jobs.ac.uk", "Civil Service Jobs",
)  # fmt: skip


def _generic(text: str, html: str | None, source: str) -> list[JobPosting]:
    """Fallback: list items like 'Title — Company — Location' with a link on or after them."""
    body = _text_of(text, html)
    # One listing per line, each followed by a bare URL...
    lines = [line for block in blocks(body, rules_break=False) for line in block]
    regrouped = "\n\n".join(
        line + ("\n" + lines[i + 1] if i + 1 < len(lines) and URL.fullmatch(lines[i + 1]) else "")
        for i, line in enumerate(lines)
        if not URL.fullmatch(line) and not _NOISE_LINES.match(line)
    )
    # ...or blocks that hold a listing line and its link under it ("More: URL"): the
    # reading that finds more listings wins.
    readings = [_pipe_list(regrouped, source), _pipe_list(body, source)]
    best = max(readings, key=len)
    return [posting for posting in best if len(posting.title) <= 100]


def parse_postings(subject: str, sender: str, text: str, html: str | None) -> list[JobPosting]:
    """The postings listed in one job-alert email, links cleaned, duplicates within it removed."""
    source = source_for(sender)
    parser = BOARD_PARSERS.get(source) if source else None
    postings = parser(text, html) if parser is not None else []
    if not postings:  # an unknown sender, or a board that changed its layout
        fallback = source or _display_name(sender) or "email"
        postings = _generic(text, html, fallback) or card_postings(text, html, fallback)
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for posting in postings:
        key = (posting.title.casefold(), (posting.company or "").casefold() or None)
        if key not in seen:
            seen.add(key)
            unique.append(posting)
    return unique


_PERSON_AT: Final = re.compile(r"^.+?\s+(?:at|from|@|\||-|–)\s+(.+)$", re.IGNORECASE)


def _display_name(sender: str) -> str | None:
    """The sender's organisation from its display name ("Maya Tran at Calder & Finch")."""
    name = sender.split("<", 1)[0].strip().strip('"')
    if not name or "<" not in sender:
        return None
    person_at = _PERSON_AT.match(name)
    return person_at.group(1).strip() if person_at else name


_COMPANY_SUFFIX: Final = re.compile(
    r"\b(?:ltd|limited|plc|inc|llc|llp|gmbh|group|holdings|uk|co|corp|corporation|the)\b"
)
_TITLE_NOISE: Final = re.compile(
    r"\((?:[^)]*)\)|\b(?:hybrid|remote|on-?site|full[- ]time|part[- ]time|permanent|"
    r"contract|fixed[- ]term|ftc|m/f/d|f/m/d)\b"
)
_TITLE_WORDS: Final = {"sr": "senior", "snr": "senior", "jr": "junior", "jnr": "junior",
                       "mgr": "manager", "eng": "engineer", "dev": "developer"}  # fmt: skip


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+#]+", text.casefold().replace("&", " and "))


def norm_title(title: str) -> str:
    """A title reduced to what identifies the role: no work-pattern tags, abbreviations expanded."""
    words = _words(_TITLE_NOISE.sub(" ", title.casefold()))
    return " ".join(_TITLE_WORDS.get(word, word) for word in words)


def norm_company(company: str | None) -> str:
    """A company name without legal suffixes or punctuation ("Acme Ltd." -> "acme")."""
    return " ".join(_words(_COMPANY_SUFFIX.sub(" ", (company or "").casefold())))


def role_key(title: str, company: str | None) -> str:
    """A de-duplication key: the same role at the same company from any board."""
    return f"{norm_title(title)}|{norm_company(company)}"


def same_role(title_a: str, company_a: str | None, title_b: str, company_b: str | None) -> bool:
    """Whether two postings are the same role: same company, and titles that nearly agree."""
    ca, cb = norm_company(company_a), norm_company(company_b)
    if ca != cb and not (ca and cb and (ca.startswith(cb) or cb.startswith(ca))):
        return False
    ta, tb = norm_title(title_a), norm_title(title_b)
    if ta == tb or sorted(ta.split()) == sorted(tb.split()):
        return True
    return SequenceMatcher(None, ta, tb).ratio() >= 0.88


_AMOUNT: Final = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?([kK])?")
_PERIOD_FACTOR: Final = {"hour": 1800, "hr": 1800, "day": 225, "week": 45, "month": 12}


def salary_value(salary: str | None) -> int | None:
    """The top of a salary range as a yearly figure (hourly x 1800, daily x 225, …), if any."""
    if not salary:
        return None
    amounts = []
    for number, thousands in _AMOUNT.findall(salary):
        value = float(number.replace(",", ""))
        amounts.append(value * 1000 if thousands else value)
    if not amounts:
        return None
    top = max(amounts)
    period = re.search(r"(?i)(hour|hr|day|week|month)", salary)
    factor = _PERIOD_FACTOR[period.group(1).lower()] if period else 1
    return int(top * factor)


_AGO: Final = re.compile(r"(?i)(\d+)\+?\s*(months?|mins?|minutes?|m|hours?|h|days?|d|weeks?|w)\b")
_MONTH_NAMES: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                       "nov", "dec")  # fmt: skip
_UNIT_HOURS: Final = {"mo": 24 * 30, "mi": 0, "m": 0, "h": 1, "d": 24, "w": 24 * 7}


def posted_at(posted: str | None, received: datetime) -> datetime | None:
    """When a role was posted, from the alert's wording and the alert's own date."""
    if not posted:
        return None
    text = posted.casefold()
    if "just" in text or "today" in text or text.strip() == "new":
        return received
    if "yesterday" in text:
        return received - timedelta(days=1)
    ago = _AGO.search(text)
    if ago and "ago" in text:
        unit = ago.group(2)
        hours = _UNIT_HOURS.get(unit[:2], _UNIT_HOURS.get(unit[0], 0))
        return received - timedelta(hours=int(ago.group(1)) * hours)
    match = re.search(r"(\d{1,2})\s+([a-z]{3})", text)
    day, month = (match.group(1), match.group(2)) if match else (None, None)
    if not match:
        match = re.search(r"([a-z]{3})[a-z]*\s+(\d{1,2})\b", text)
        day, month = (match.group(2), match.group(1)) if match else (None, None)
    if day is None or month not in _MONTH_NAMES:
        return None
    try:
        moment = received.replace(month=_MONTH_NAMES.index(month) + 1, day=int(day))
    except ValueError:
        return None
    return moment if moment <= received else moment.replace(year=moment.year - 1)
