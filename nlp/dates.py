"""Dates that matter in the words of a job email: when to turn up, by when to answer.

"The final round is on Monday 30 November, from 09:30 to 12:00" is an interview;
"Deadline: Wednesday 11 November 2026, 23:59 GMT" is when an assessment is due; "please
let us know by Friday 4 December" is a reply owed; a list of slots is a choice to make,
not an interview. A date before the email was sent, or in a sentence that looks back
("thank you for attending ... on Monday"), is history, never a future interview.

Times without a zone are read in the user's zone (the employer is nearly always in
the same one); "GMT", "BST", "CET" and the like are honoured. zoneinfo does the
daylight-saving arithmetic. Pure: text and the sending time in, records out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["DateMention", "find_dates", "reply_requested"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WD = r"(?P<wd>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>20\d\d))?"
_I = re.IGNORECASE
_DATE = re.compile(
    rf"\b(?:{_WD},?\s+)?(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}{_YEAR}\b|"
    rf"\b(?:(?P<wd2>{'|'.join(_WEEKDAYS)})\.?,?\s+)?(?P<mon2>{'|'.join(_MONTHS)})\.?\s+"
    rf"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+(?P<year2>20\d\d))?\b|"
    r"\b(?P<iso>20\d\d-[01]\d-[0-3]\d)\b|"
    rf"\b(?:(?P<rel>by|before|until|no later than)\s+(?:this\s+|next\s+)?)"
    rf"(?P<wd3>{'|'.join(_WEEKDAYS)})\b(?!\.?,?\s+(?:the\s+)?[0-3]?\d)|"
    rf"\b(?:(?P<rel2>on|this|next)\s+)(?P<wd4>{'|'.join(_WEEKDAYS)})\b"
    r"(?=[ ,]{1,3}(?:at\s+)?[012]?\d(?:[:.][0-5]\d|\s*[ap]\.?m))",
    _I,
)
_TIME = re.compile(
    r"\b(?P<h>[012]?\d)(?:[:.](?P<m>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)(?![a-z])|"
    r"\b(?P<h2>[012]?\d)[:.](?P<m2>[0-5]\d)\b(?!\s*(?:%|per|[ap]\.?m))|"
    r"\b(?P<noon>noon|midday)\b",
    _I,
)
_ZONE = re.compile(
    r"^\s*\(?(?P<zone>GMT|UTC|BST|CET|CEST|EET|EEST|EST|EDT|CST|CDT|PST|PDT|ET|PT|UK time)\b",
    _I,
)
_ZONES = {
    "gmt": "Etc/UTC",
    "utc": "Etc/UTC",
    "bst": "Europe/London",
    "uk time": "Europe/London",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "eet": "Europe/Athens",
    "eest": "Europe/Athens",
    "est": "America/New_York",
    "edt": "America/New_York",
    "et": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
}
_PAST = re.compile(
    r"\b(?:thank(?:s| you) for (?:attending|coming|meeting|your time|interviewing|"
    r"spending)|attended|last (?:week|monday|tuesday|wednesday|thursday|friday)|"
    r"yesterday|ago|enjoyed|(?:we|you|i) (?:met|spoke|interviewed)|was|were|had)\b",
    _I,
)
_DEADLINE = re.compile(
    r"\b(?:deadline|due|by|before|no later than|until|closes?|expires?|latest|return|"
    r"send (?:it |this |them |your \w+ )?back|submit)\b",
    _I,
)
_OFFER = re.compile(r"\b(?:offer|accept|decision on the offer)\b", _I)
_START = re.compile(r"\bstart(?: date|ing on|s on| on)\b", _I)
_TAKE_HOME = re.compile(r"\b(?:take[- ]home|task|summary|exercise|case study|assignment)\b", _I)
_ASSESSMENT = re.compile(r"\b(?:assessment|test)\b", _I)
_REPLY = re.compile(r"\b(?:reply|respond|confirm|let (?:me|us) know|tell (?:me|us))\b", _I)
_INTERVIEW = re.compile(
    r"\b(?:interview|final round|round|on site|onsite|call|meet|video|conversation|"
    r"visit|chat|panel)\b",
    _I,
)
_LIST_LINE = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")
_REPLY_REQUEST = re.compile(
    r"\b(?:please (?:confirm|reply|respond|let (?:me|us) know)|let (?:me|us) know (?:which|"
    r"whether|if|by|your|you(?:'d| would) like)|tell (?:me|us) which|"
    r"reply to (?:this email )?to confirm|confirm by "
    r"replying|confirm your (?:availability|attendance)|which of these (?:works|suits))\b",
    _I,
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date that matters, with what it is and the words that say so."""

    kind: str  # interview, assessment, take_home, reply, offer_deadline, start_date
    at: datetime  # timezone-aware, UTC
    all_day: bool
    tentative: bool  # a slot offered or a time proposed, not yet agreed
    text: str  # the sentence it was found in
    start: int
    end: int


def _year_for(month: int, day: int, weekday: int | None, sent: date) -> date | None:
    """The year that puts day/month nearest after sending (and on the named weekday)."""
    candidates = []
    for year in (sent.year - 1, sent.year, sent.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if weekday is not None and any(c.weekday() == weekday for c in candidates):
        candidates = [c for c in candidates if c.weekday() == weekday]
    after = [c for c in candidates if c >= sent - timedelta(days=7)]
    return after[0] if after else (candidates[-1] if candidates else None)


def _next_weekday(weekday: int, sent: date, rel: str) -> date:
    ahead = (weekday - sent.weekday()) % 7 or 7
    if rel.lower() == "next" and ahead < 7:
        ahead += 7 if ahead <= 2 else 0
    return sent + timedelta(days=ahead)


def _day_of(match: re.Match[str], sent: date) -> date | None:
    groups = match.groupdict()
    if groups["iso"]:
        try:
            return date.fromisoformat(groups["iso"])
        except ValueError:
            return None
    if groups["wd3"] or groups["wd4"]:
        named = (groups["wd3"] or groups["wd4"]).lower()
        return _next_weekday(_WEEKDAYS[named], sent, groups["rel2"] or "")
    month = _MONTHS[(groups["mon"] or groups["mon2"]).lower().rstrip(".")]
    day = int(groups["day"] or groups["day2"])
    year = groups["year"] or groups["year2"]
    named = groups["wd"] or groups["wd2"]
    weekday = _WEEKDAYS[named.lower().rstrip(".")] if named else None
    if year:
        try:
            return date(int(year), month, day)
        except ValueError:
            return None
    return _year_for(month, day, weekday, sent)


def _time_near(text: str, match: re.Match[str]) -> tuple[time | None, str | None]:
    """A time written just after the date (or just before it), and a zone after that."""
    after = text[match.end() : match.end() + 80]
    cut = re.search(r"\n\s*\n|[.!?](?:\s|$)", after)
    window = after[: cut.start()] if cut else after
    found = _TIME.search(window)
    offset = match.end()
    if found is None:
        before = text[max(0, match.start() - 25) : match.start()]
        found = _TIME.search(before) if re.search(r"\bat\s+\S+\s+on\s*$", before) else None
        offset = max(0, match.start() - 25)
        window = before
    if found is None:
        return None, None
    groups = found.groupdict()
    if groups["noon"]:
        clock = time(12, 0)
    else:
        hour = int(groups["h"] or groups["h2"])
        minute = int(groups["m"] or groups["m2"] or 0)
        ampm = (groups["ampm"] or "").lower().replace(".", "")
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        if hour > 23:
            return None, None
        clock = time(hour, minute)
    zone = _ZONE.match(text[offset + found.end() : offset + found.end() + 20])
    if zone is None:  # "from 09:30 to 12:00 GMT": the zone after the range's end
        tail = re.match(r"\s*(?:-|–|to|until)\s*\S+", window[found.end() :])
        if tail:
            zone = _ZONE.match(window[found.end() + tail.end() : found.end() + tail.end() + 20])
    return clock, (zone.group("zone").lower() if zone else None)


def _sentence(text: str, start: int, end: int) -> tuple[str, int]:
    left = max(text.rfind(". ", 0, start), text.rfind("\n\n", 0, start), text.rfind("? ", 0, start))
    right_candidates = [
        i for i in (text.find(". ", end), text.find("\n\n", end), text.find("? ", end)) if i >= 0
    ]
    right = min(right_candidates) if right_candidates else len(text)
    begin = left + 2 if left >= 0 else 0
    return " ".join(text[begin : right + 1].split()), begin


def _kind(sentence: str, line: str, context: str) -> str | None:
    if _START.search(line):
        return "start_date"
    deadline = _DEADLINE.search(line) or _DEADLINE.search(sentence)
    if deadline:
        if context == "offer" or _OFFER.search(sentence):
            return "offer_deadline"
        if _TAKE_HOME.search(sentence) or context == "take_home":
            return "take_home"
        if _ASSESSMENT.search(sentence) or context == "assessment":
            return "assessment"
        if _REPLY.search(sentence):
            return "reply"
    if context in ("interview", "assessment", "take_home"):
        if _INTERVIEW.search(sentence) or context == "interview":
            return "interview" if not _ASSESSMENT.search(sentence) else "assessment"
        return context if context != "take_home" else "take_home"
    if _INTERVIEW.search(sentence) and re.search(
        r"\b(?:invite|join|attend|see you)\b", sentence, _I
    ):
        return "interview"
    return None


def find_dates(text: str, *, sent: datetime, zone: str, context: str) -> list[DateMention]:
    """The dates that matter in one email's new text; context is what the email is about.

    context: "interview", "assessment", "take_home", "offer", "rejection" or "other".
    """
    local_zone = ZoneInfo(zone)
    sent_local = sent.astimezone(local_zone)
    found: list[DateMention] = []
    for match in _DATE.finditer(text[:6000]):
        day = _day_of(match, sent_local.date())
        if day is None or day < sent_local.date():
            continue
        sentence, _ = _sentence(text, match.start(), match.end())
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if _PAST.search(sentence) and not _DEADLINE.search(line):
            continue
        kind = _kind(sentence, text[line_start : match.start()] or line, context)
        if kind is None:
            continue
        clock, zone_name = _time_near(text, match)
        where = ZoneInfo(_ZONES[zone_name]) if zone_name else local_zone
        moment = datetime.combine(day, clock or time(0), tzinfo=where).astimezone(UTC)
        if clock is not None and moment < sent:
            continue
        tentative = "?" in sentence[-3:] or bool(_LIST_LINE.match(line))
        found.append(
            DateMention(
                kind, moment, clock is None, tentative, sentence[:300], match.start(), match.end()
            )
        )
    return _one_per_moment(found)


def _one_per_moment(found: list[DateMention]) -> list[DateMention]:
    seen: set[tuple[str, datetime]] = set()
    kept = []
    for mention in found:
        if (mention.kind, mention.at) not in seen:
            seen.add((mention.kind, mention.at))
            kept.append(mention)
    return kept


def reply_requested(text: str) -> str | None:
    """The words asking the candidate to answer ("please confirm", "tell me which day")."""
    match = _REPLY_REQUEST.search(text[:6000])
    if not match:
        return None
    sentence, _ = _sentence(text, match.start(), match.end())
    return sentence[:300]
