"""Job cards in alert emails: find each role's link, then read the lines around it.

Job boards lay their alerts out differently, but every one of them is a list of
cards: a title (usually the link to the job), then a few short lines or
separated fields with the company, location, salary and when it was posted.
This module finds those cards in HTML (by the job links) and in plain text (by
blocks that carry a job URL) and classifies each field. Pure: text in, records out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Final

from bounceback.nlp.htmltext import html_to_text

#: Links that lead to one job on a board, agency site or careers page.
JOB_LINK: Final = re.compile(
    r"(?i)https?://[^\s\"'<>]*(?:"
    r"/(?:comm/)?jobs?/(?:view/)?[\w%-]*\d|/viewjob|/rc/clk|/pagead/clk|/job-detail|"
    r"/job-listing|/partner/joblisting|/jobs?/[\w-]+/\d+|/jobs/\d+|/job/\d+|"
    r"/companies/[\w-]+/jobs/[\w-]+|/c/[\w-]+/job/|/k/l/|/jobs?/[\w%-]+-job\d+|"
    r"/jobs?/[^\s?#\"'<>]*\d{5,}|[?&](?:jk|jobid|job_id|joblistingid|vacancy)=)"
)
#: Links that are never a job, even on a board's own domain.
_NOT_A_JOB: Final = re.compile(
    r"(?i)unsubscribe|preferences|settings|manage|privacy|/help|/alerts?/|/account|"
    r"/search\b|/recommended|/saved|/profile"
)
#: Link text that is a call to action, not a title.
_CTA: Final = re.compile(
    r"(?i)^(?:view|see|apply|read more|more|details|view (?:the )?(?:job|role|vacancy)|"
    r"apply now|see (?:the )?job|view details|find out more|learn more)\b.{0,20}$"
)
URL: Final = re.compile(r"https?://[^\s<>\"')\]]+")
_PERIOD = r"(?:\s?(?:a|an|per|/)\s?(?:year|annum|yr|month|week|day|hour|hr))?"
SALARY: Final = re.compile(
    r"(?:£|€|\$|A\$|AU\$|GBP|EUR|USD|AUD)\s?\d[\d,.]*\s?[kK]?"
    + _PERIOD
    + r"(?:\s?(?:-|–|to)\s?(?:£|€|\$|A\$)?\s?\d[\d,.]*\s?[kK]?"
    + _PERIOD
    + r")?"
    r"(?:\s?\+\s?\w+)?"
)
_POSTED: Final = re.compile(
    r"(?i)^(?:(?:posted|listed|added)\s*:?\s*)?(?:just posted|today|yesterday|"
    r"\d+\+?\s*(?:d|h|w|m|days?|hours?|weeks?|months?|mins?|minutes?)\s*ago|"
    r"(?:posted|listed|added)\s.+|\d+[dhw]|\d{1,2}\s+[a-z]{3,9}(?:\s+\d{4})?|[a-z]{3,9}\s+\d{1,2}(?:,\s*\d{4})?|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})$"
)
_NOISE: Final = re.compile(
    r"(?i)^(?:easy apply|easily apply|quick apply|apply with (?:your )?cv|be an early applicant|"
    r"actively recruiting|promoted|featured|sponsored|urgently hiring|responsive employer|"
    r"top applicant|\d+ applicants?|\d+ (?:connections?|alumni).*|new|hiring multiple candidates|"
    r"great match|strong match|your skills match|[\d.]+\s?★?|★+|[\d.]+ out of 5 stars?|"
    r"view job|apply now|see job|full[- ]time|part[- ]time|permanent|contract|temporary|"
    r"you'?d be a top applicant|1-click apply|job type: .*)$"
)
_LOCATION_HINT: Final = re.compile(
    r"(?i)\b(?:remote|hybrid|on-?site|in office|united kingdom|uk|england|scotland|wales|"
    r"ireland|australia|new zealand|usa|united states|nsw|vic|qld|wa|sa|act|"
    r"london|manchester|birmingham|leeds|bristol|glasgow|edinburgh|cardiff|belfast|"
    r"liverpool|sheffield|nottingham|newcastle|reading|cambridge|oxford|brighton|"
    r"leicester|york|bath|milton keynes|sydney|melbourne|brisbane|perth|adelaide|"
    r"auckland|dublin|berlin|paris|new york|san francisco|austin|chicago|boston|"
    r"seattle|denver|atlanta|toronto|[A-Z]{1,2}\d{1,2}[A-Z]?(?:\s\d[A-Z]{2})?)\b"
    r"|,\s?[A-Z]{2}\b(?:\s\d{5})?"
)
_LABELLED: Final = re.compile(
    r"(?i)^(company|employer|recruiter|agency|client|location|where|salary|pay|rate|"
    r"compensation|posted|date posted|date|job title|title|role|position)\s*[:\-–]\s*(.+)$"
)
_CTA_LINE: Final = re.compile(r"(?i)^(?:view|apply|see|more|link)\b[^:]{0,12}:?\s*$")
#: "Brightledger 4.1 ★" or "Brightledger – 4.1★": a company shown with its rating.
RATED: Final = re.compile(r"^(.+?)\s*[–-]?\s*\d(?:\.\d)?\s?★$")
_POSTED_BY: Final = re.compile(r"(?i)^((?:posted|listed)\s.+?)\s+by\s+(.+)$")
TITLE_AT: Final = re.compile(r"^(.{3,80}?)\s+(?:at|@)\s+(.{2,60})$")
_SEPARATORS: Final = re.compile(r"\s*(?:\||·|•|—|–|\s-\s)\s*")
_LIST_MARKER: Final = re.compile(r"^\s*(?:\d+[.)]|[-*•▸►])\s+")


@dataclass
class Card:
    """One role as laid out in an alert: a title, its link, and the lines that follow."""

    title: str
    url: str | None
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CardFields:
    """What a card's lines say, each field optional."""

    company: str | None
    location: str | None
    salary: str | None
    posted: str | None


class _LinkedLines(HTMLParser):
    """Visible text as lines, each with the href of the link that covers it (if any)."""

    _BLOCK = frozenset(
        {"p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
         "section", "article", "td", "th", "br", "hr", "dd", "dt"}
    )  # fmt: skip
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, str | None, str]] = []  # (line, its link, the link's text)
        self._text: list[str] = []
        self._anchor: list[str] = []
        self._href: str | None = None
        self._line_href: str | None = None
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.lines.append((text, self._line_href, " ".join("".join(self._anchor).split())))
        self._text = []
        self._anchor = []
        self._line_href = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self._flush()
        elif tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self._flush()
        elif tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if data.strip() and self._href and self._line_href is None:
            self._line_href = self._href
        if self._href is not None and self._href == self._line_href:
            self._anchor.append(data)
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def is_job_link(url: str | None) -> bool:
    """Whether a URL points at one job rather than a search, a setting or the footer."""
    return bool(url and JOB_LINK.match(url) and not _NOT_A_JOB.search(url))


def html_cards(html: str, limit: int = 6) -> list[Card]:
    """Cards from an HTML alert: each job link with its text starts one."""
    parser = _LinkedLines()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser rarely fails; keep what was read
        pass
    cards: list[Card] = []
    pending: str | None = None  # a bold title line not itself linked (a CTA link follows)
    for text, href, anchor in parser.lines:
        if is_job_link(href):
            tail = text[len(anchor) :].strip() if anchor and text.startswith(anchor) else ""
            if tail and not _CTA.match(anchor):  # "<a>Title</a> – Company – Place" on one line
                cards.append(Card(_LIST_MARKER.sub("", anchor), href, [tail.lstrip("–—-|· ")]))
                pending = None
                continue
            if _CTA.match(text):
                if cards and cards[-1].url is None:
                    cards[-1].url = href
                elif pending:
                    cards.append(Card(pending, href))
                    pending = None
                continue
            if cards and cards[-1].url == href:
                if RATED.match(cards[-1].title) and not cards[-1].lines:
                    # the company (with its rating) came first, the title second
                    cards[-1].lines.append(cards[-1].title)
                    cards[-1].title = text
                else:
                    cards[-1].lines.append(text)  # a second link to the same job
                continue
            cards.append(Card(_LIST_MARKER.sub("", text), href))
            pending = None
        elif cards and len(cards[-1].lines) < limit:
            cards[-1].lines.append(text)
    return [card for card in cards if card.url]


def text_cards(text: str) -> list[Card]:
    """Cards from a plain-text alert: blocks of short lines that carry one job URL."""
    cards: list[Card] = []
    for block in blocks(text):
        urls = [m.group() for line in block for m in URL.finditer(line)]
        jobs = [u for u in urls if is_job_link(u)]
        if not jobs:
            continue
        lines = [" ".join(URL.sub(" ", line).split()) for line in block]
        lines = [_CTA_LINE.sub("", line) for line in lines]
        lines = [_LIST_MARKER.sub("", line).strip(" :") for line in lines if line.strip(" :")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        title, rest = lines[0], lines[1:]
        if RATED.match(title) and rest:
            title, rest = rest[0], [title, *rest[1:]]
        if not rest:  # one line holds it all: "Title – Company – Place – £salary"
            parts = [part for part in _SEPARATORS.split(title) if part.strip()]
            if len(parts) >= 2:
                title, rest = parts[0], parts[1:]
        labelled = _LABELLED.match(title)
        if labelled and labelled.group(1).lower() in {"job title", "title", "role", "position"}:
            title = labelled.group(2)
        elif labelled:
            continue
        cards.append(Card(title, jobs[0], rest))
    return cards


def blocks(text: str, *, rules_break: bool = True) -> list[list[str]]:
    """Runs of non-blank lines, stripped; a rule line (----, ====) also ends a run if asked."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and not (rules_break and set(line) <= set("-=_*~")):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def looks_like_location(text: str) -> bool:
    """Whether a field reads like a place (a known city, a region, remote/hybrid, a postcode)."""
    return bool(_LOCATION_HINT.search(text)) and not SALARY.search(text)


def classify(lines: list[str]) -> CardFields:
    """Company, location, salary and posting date from a card's lines."""
    company = location = salary = posted = None
    pieces: list[str] = []
    for line in lines:
        labelled = _LABELLED.match(line)
        if labelled:
            label, value = labelled.group(1).lower(), labelled.group(2).strip()
            if label in {"company", "employer", "recruiter", "agency", "client"}:
                company = company or value
            elif label in {"location", "where"}:
                location = location or value
            elif label in {"salary", "pay", "rate", "compensation"}:
                salary = salary or (_salary(value) or value)
            elif label in {"posted", "date posted", "date"}:
                posted = posted or value
            continue
        if len(line) > 120:
            continue  # a description snippet, not a field
        rated = RATED.match(line)
        if rated:
            company = company or rated.group(1).strip()
            continue
        posted_by = _POSTED_BY.match(line)
        if posted_by:
            posted = posted or posted_by.group(1)
            company = company or posted_by.group(2).strip()
            continue
        # Take salaries out first: their ranges use the same dashes that separate fields.
        for match in SALARY.finditer(line):
            salary = salary or match.group().strip()
        line = SALARY.sub(" | ", line)
        line = re.sub(r"\((?:employer|glassdoor) est\.?\)", " ", line, flags=re.IGNORECASE)
        pieces.extend(part for part in _SEPARATORS.split(line) if part.strip(" ,"))
    unknown: list[str] = []
    for piece in pieces:
        piece = piece.strip(" ,")
        if _POSTED.match(piece) and not looks_like_location(piece):
            posted = posted or piece
        elif _NOISE.match(piece):
            continue
        else:
            unknown.append(piece)
    places = [piece for piece in unknown if looks_like_location(piece)]
    others = [piece for piece in unknown if piece not in places]
    if others:  # the usual case: a name, then a place
        company = company or others[0]
        location = location or (places[0] if places else (others[1] if len(others) > 1 else None))
    elif len(places) >= 2:  # "London Stock Exchange Group · London": order decides
        company, location = company or places[0], location or places[1]
    elif places:
        location = location or places[0]
    return CardFields(company, location, salary, posted)


def _salary(text: str) -> str | None:
    match = SALARY.search(text)
    return match.group().strip() if match else None


def cards_for(text: str, html: str | None) -> list[Card]:
    """The cards of an alert: from its HTML when it has job links there, else from its text."""
    cards = html_cards(html) if html else []
    if not cards:
        cards = text_cards(text if text.strip() or html is None else html_to_text(html))
    return cards
