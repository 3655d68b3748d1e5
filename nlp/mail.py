"""Parse raw RFC 5322 bytes into a `ParsedEmail`; never raises, records what went wrong."""

from __future__ import annotations

import codecs
import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Final

from bounceback.nlp.htmltext import html_to_text
from bounceback.nlp.reading import reading_text
from bounceback.nlp.records import EmailText
from bounceback.nlp.signals import NO_SIGNALS, Signals, signals_from_headers
from bounceback.nlp.taxonomy import ParseStatus

__all__ = ["ParsedEmail", "header_message_id", "html_to_text", "parse_email"]

_WHITESPACE: Final = re.compile(r"\s+")
_SURROGATES: Final = re.compile("[\udc80-\udcff]")  # bytes the ASCII header parse escaped
# compat32 parses ~10x faster than policy.default, whose header objects cost milliseconds
# per message; headers are decoded here instead, with policy.default as the fallback.
_PARSER: Final = BytesParser(policy=policy.compat32)
#: Headers RFC 5322 allows once; a second copy is a sign of a broken or forged message.
_SINGLE_HEADERS: Final = ("Message-ID", "From", "Subject", "Date")


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    """The fields of one email that bounceback stores and analyses."""

    message_id: str | None  # as in the header, angle brackets kept
    subject: str
    from_header: str  # decoded display form, e.g. 'Acme Careers <jobs@acme.com>'
    sender_name: str | None
    sender_address: str | None  # lower-cased
    to: tuple[str, ...]
    date: datetime | None  # timezone-aware, UTC
    in_reply_to: str | None
    text: str  # the whole plain-text body
    new_text: str  # the analysed text (bounceback.nlp.reading.reading_text of the body)
    html: str | None  # the raw text/html part, if any
    status: ParseStatus
    defects: tuple[str, ...]
    signals: Signals = NO_SIGNALS  # what the headers say beside the words

    def email_text(self, id: str) -> EmailText:
        """The analyser's view of this email."""
        return EmailText(
            id=id,
            subject=self.subject,
            sender=self.from_header,
            body=self.new_text,
            html=self.html,
            signals=self.signals,
        )


class _Defects:
    """Collects defect descriptions and whether the parse had to fall back."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        if text not in self.items:
            self.items.append(text)

    def add_from(self, where: str, found: Iterable[object]) -> None:
        for defect in found:
            self.add(f"{where}: {type(defect).__name__}")


def _raw_headers(msg: Message) -> dict[str, str]:
    """First occurrence of each header, unmodified, keyed by lower-cased name."""
    found: dict[str, str] = {}
    for name, value in msg.raw_items():
        found.setdefault(name.lower(), str(value))
    return found


def _unescape_8bit(name: str, raw: str, defects: _Defects) -> str:
    """Raw 8-bit header bytes (not allowed by RFC 5322) as UTF-8 if they are, else cp1252."""
    if not _SURROGATES.search(raw):
        return raw
    defects.add(f"{name}: raw 8-bit header")
    data = raw.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _decode_words(name: str, text: str, defects: _Defects) -> str:
    """Decode RFC 2047 encoded words; policy.default is the fallback for damaged ones."""
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except Exception as exc:  # bad encoded words or charsets
        defects.add(f"{name}: {type(exc).__name__} in encoded words")
        with contextlib.suppress(Exception):
            return str(policy.default.header_factory(name, text))
    return text


def _decode_header(name: str, raw: str | None, defects: _Defects) -> str:
    """The decoded text of one raw header value ('' when absent), tolerant of damage."""
    if raw is None:
        return ""
    return _decode_words(name, _unescape_8bit(name, raw, defects), defects).replace("\x00", "")


def _single_line(value: str) -> str:
    # Every run of whitespace as one space, as reading.read_email does for JSON input.
    return " ".join(value.split())


def _message_id(value: str) -> str | None:
    value = _WHITESPACE.sub("", value)
    return value or None


def _parse_date(value: str, defects: _Defects) -> datetime | None:
    if not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.add("Date: unparseable")
        return None
    if parsed.tzinfo is None:  # RFC 5322 '-0000': the zone is unknown; read it as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _leaf_parts(part: Message) -> Iterator[tuple[Message, str]]:
    """Body leaves in order with their content type, never descending into attached mail."""
    kind = part.get_content_type()
    if kind.startswith("multipart/"):
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    yield from _leaf_parts(sub)
        return
    if kind.startswith("message/"):
        return  # a forwarded message/rfc822 never replaces the outer body
    yield part, kind


def _is_tnef(part: Message, kind: str) -> bool:
    """Outlook's rich-text wrapper, which hides the real body from other mail readers."""
    if kind in {"application/ms-tnef", "application/vnd.ms-tnef"}:
        return True
    if kind.startswith("text/"):
        return False
    with contextlib.suppress(Exception):  # a damaged filename parameter
        return (part.get_filename() or "").strip().lower() == "winmail.dat"
    return False


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip().lower()
    return disposition == "attachment"


def _decode_part(part: Message, defects: _Defects) -> str:
    """The text of one text/* part, decoded by its charset, replacing what cannot be read."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return payload if isinstance(payload, str) else ""
    charset = (part.get_content_charset() or "").strip().strip("\"'") or None
    if charset is not None:
        try:
            codecs.lookup(charset)
        except LookupError:
            defects.add(f"unknown charset {charset[:40]!r}")
            charset = None
    if charset is None:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            defects.add("undeclared charset, not UTF-8")
            return payload.decode("cp1252", errors="replace")
    try:
        return payload.decode(charset)
    except UnicodeDecodeError:
        defects.add(f"bytes invalid in charset {charset!r}")
        return payload.decode(charset, errors="replace")


def _bodies(msg: Message, defects: _Defects) -> tuple[str | None, str | None]:
    """The first inline text/plain and text/html bodies of the outer message."""
    plain: str | None = None
    html: str | None = None
    for part, kind in _leaf_parts(msg):
        defects.add_from("body", getattr(part, "defects", ()))
        if _is_tnef(part, kind):
            defects.add("TNEF (winmail.dat) attachment: its content is not decoded")
        if kind not in {"text/plain", "text/html"} or _is_attachment(part):
            continue
        if kind == "text/plain" and plain is None:
            plain = _decode_part(part, defects)
        elif kind == "text/html" and html is None:
            html = _decode_part(part, defects)
    return plain, html


# The plain forms almost every header uses: `Name <a@b>`, `"Name" <a@b>` and `a@b`. Anything
# else (comments, groups, quoted commas, source routes) goes to email.utils.getaddresses,
# which is correct for all of them but costs as much as parsing the whole message.
_ADDR: Final = r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+"
_PLAIN_ADDRESS: Final = re.compile(
    rf'\s*(?:"([^"\\]*)"|([^"<>()\[\]\\,;:@]*?))\s*<({_ADDR})>\s*|\s*({_ADDR})\s*'
)


def _addresses(raw: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address-list header."""
    pairs: list[tuple[str, str]] = []
    for piece in raw.split(","):
        match = _PLAIN_ADDRESS.fullmatch(piece)
        if match is None:
            return getaddresses([raw])
        quoted, bare, bracketed, alone = match.groups()
        name = quoted if quoted is not None else " ".join((bare or "").split())
        pairs.append((name, bracketed or alone))
    return pairs


def _sender(raw: str | None, defects: _Defects) -> tuple[str | None, str | None]:
    """Display name and lower-cased address of the first sender."""
    pairs = _addresses(_unescape_8bit("From", raw, defects)) if raw else []
    if not pairs:
        return None, None
    name, address = pairs[0]
    name = _decode_words("From", name, defects)
    address = address.strip().lower() if "@" in address else ""
    return (_single_line(name) or None), (address or None)


def _recipients(raw: str | None) -> tuple[str, ...]:
    pairs = _addresses(raw) if raw else []
    return tuple(address.strip().lower() for _, address in pairs if "@" in address)


def _parse(raw: bytes, defects: _Defects) -> ParsedEmail:
    msg = _PARSER.parsebytes(raw)
    defects.add_from("message", msg.defects)
    headers = _raw_headers(msg)
    for name in _SINGLE_HEADERS:
        count = len(msg.get_all(name) or ())
        if count > 1:
            defects.add(f"{name}: {count} headers, the first is used")

    def header(name: str) -> str:
        return _decode_header(name, headers.get(name.lower()), defects)

    from_header = _single_line(header("From"))
    try:
        sender_name, sender_address = _sender(headers.get("from"), defects)
    except Exception as exc:
        defects.add(f"From: {type(exc).__name__}")
        sender_name, sender_address = None, None
    plain, html = _bodies(msg, defects)
    if plain is not None and plain.strip():
        text = plain
    elif html is not None:
        text = html_to_text(html)
    else:
        text = plain or ""
    text = text.replace("\r\n", "\n").replace("\x00", "")  # NUL: no database stores it
    return ParsedEmail(
        message_id=_message_id(header("Message-ID")),
        subject=_single_line(header("Subject")),
        from_header=from_header,
        sender_name=sender_name,
        sender_address=sender_address,
        to=_recipients(headers.get("to")),
        date=_parse_date(header("Date"), defects),
        in_reply_to=_message_id(header("In-Reply-To")),
        text=text,
        new_text=reading_text(plain if plain is not None and plain.strip() else None, html),
        html=html,
        status=ParseStatus.DEGRADED if defects.items else ParseStatus.OK,
        defects=tuple(defects.items),
        signals=signals_from_headers(headers, raw),
    )


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse one raw message; any failure yields status FAILED with the reason in `defects`."""
    defects = _Defects()
    try:
        return _parse(raw, defects)
    except Exception as exc:  # malformed mail must never crash a run
        defects.add(f"parse failed: {type(exc).__name__}: {str(exc)[:200]}")
        return _failed(raw, defects)


def _failed(raw: bytes, defects: _Defects) -> ParsedEmail:
    """A FAILED result keeping whatever headers a headers-only parse can still read."""
    subject = from_header = ""
    try:
        headers = _raw_headers(_PARSER.parsebytes(raw, headersonly=True))
        subject = _single_line(_decode_header("Subject", headers.get("subject"), defects))
        from_header = _single_line(_decode_header("From", headers.get("from"), defects))
    except Exception:
        pass
    return ParsedEmail(
        message_id=None,
        subject=subject,
        from_header=from_header,
        sender_name=None,
        sender_address=None,
        to=(),
        date=None,
        in_reply_to=None,
        text="",
        new_text="",
        html=None,
        status=ParseStatus.FAILED,
        defects=tuple(defects.items),
    )


# The header section ends at the first empty line, or at the first line that is neither a
# field ("Name:"), a continuation nor an mbox "From " line, as in the email package's parser.
_NOT_HEADER: Final = re.compile(rb"^(?:$|(?![ \t]|From |[\041-\071\073-\176]*:))", re.MULTILINE)
_MESSAGE_ID_FIELD: Final = re.compile(
    rb"^message-id:[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)", re.MULTILINE | re.IGNORECASE
)


def header_message_id(raw: bytes) -> str | None:
    """The Message-ID of raw mail, read from its header alone (as `parse_email` reads it).

    A sync needs only this (with a hash of the bytes) to recognise mail it has already
    stored; everything else is parsed later, before analysis. Never raises.
    """
    try:
        ends = [at for at in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if at >= 0]
        block = raw[: min(ends) + 1] if ends else raw
        block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        stop = _NOT_HEADER.search(block)
        if stop is not None:
            block = block[: stop.start()]
        match = _MESSAGE_ID_FIELD.search(block)
        if match is None:
            return None
        value = match.group(1).decode("ascii", errors="surrogateescape")
        return _message_id(_decode_header("Message-ID", value, _Defects()))
    except Exception:  # malformed mail must never crash a sync; the content hash remains
        return None
