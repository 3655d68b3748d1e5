"""A generated corpus of malformed and hostile mail (nothing here is checked in as .eml).

Each case is raw bytes plus what parsing must make of it. The generator is deterministic,
so a failure names the case that broke.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field

from bounceback.nlp.mail import ParsedEmail

HEAD = b"From: Talent Team <talent@acme.test>\r\nTo: alex@example.com\r\n"


@dataclass(frozen=True)
class Case:
    """One malformed message and the checks its parse must pass."""

    name: str
    raw: bytes
    statuses: frozenset[str] = frozenset({"ok", "degraded", "failed"})
    checks: tuple[Callable[[ParsedEmail], bool], ...] = field(default=())


def _multipart(parts: list[bytes], boundary: bytes = b"BOUND", kind: bytes = b"mixed") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return (
        b"MIME-Version: 1.0\r\nContent-Type: multipart/" + kind + b"; boundary=" + boundary
        + b"\r\n\r\n" + body + b"--" + boundary + b"--\r\n"
    )  # fmt: skip


def _text(body: bytes, charset: bytes = b"utf-8", subtype: bytes = b"plain") -> bytes:
    return b"Content-Type: text/" + subtype + b"; charset=" + charset + b"\r\n\r\n" + body


def deep_nesting(depth: int) -> bytes:
    """multipart inside multipart, depth levels down, with one text part at the bottom."""
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
        for i in range(depth - 1)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    return (
        HEAD + b"Subject: deep\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n" + opening
        + b"--b%d\r\nContent-Type: text/plain\r\n\r\nat the bottom\r\n" % (depth - 1) + closing
    )  # fmt: skip


def many_parts(count: int) -> bytes:
    """One multipart with count small text attachments after a real body."""
    parts = [_text(b"The real body comes first.")] + [
        b"Content-Type: text/plain\r\nContent-Disposition: attachment; filename=p%d.txt\r\n\r\n"
        b"part %d" % (i, i)
        for i in range(count)
    ]
    return HEAD + b"Subject: many parts\r\n" + _multipart(parts)


def tnef() -> bytes:
    blob = base64.encodebytes(b"\x78\x9f\x3e\x22" + bytes(range(256)) * 4)
    return (
        HEAD + b"Subject: Outlook rich text\r\nMessage-ID: <tnef@acme.test>\r\n"
        + _multipart([
            _text(b"Please see the attached file."),
            b"Content-Type: application/ms-tnef; name=winmail.dat\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=winmail.dat\r\n\r\n" + blob,
        ])
    )  # fmt: skip


def forwarded(outer: bytes | None) -> bytes:
    inner = (
        b"From: hr@other.test\r\nSubject: Your application\r\n\r\n"
        b"INNER: we will not be moving forward with your application.\r\n"
    )
    parts = [_text(outer)] if outer is not None else []
    parts.append(b"Content-Type: message/rfc822\r\n\r\n" + inner)
    return HEAD + b"Subject: Fwd: Your application\r\n" + _multipart(parts)


def build() -> list[Case]:
    """Every case of the corpus."""
    not_inner = (lambda p: "INNER" not in p.text,)
    return [
        Case("empty", b""),
        Case("garbage", bytes(range(256)) * 40),
        Case("headers only", HEAD + b"Subject: no body"),
        Case("nul bytes", HEAD + b"Subject: a\x00b\r\n\r\nbody\x00with nul\r\n",
             checks=(lambda p: "\x00" not in p.text + p.subject,)),
        Case("deep nesting 60", deep_nesting(60), checks=(lambda p: "bottom" in p.text,)),
        Case("deep nesting 5000", deep_nesting(5000)),
        Case("100k parts", many_parts(100_000), checks=(lambda p: "real body" in p.text,)),
        Case("megabyte subject", HEAD + b"Subject: " + b"long " * 220_000 + b"\r\n\r\nbody\r\n",
             checks=(lambda p: len(p.subject) > 1_000_000,)),
        Case("20k headers", HEAD + b"".join(b"X-Trace-%d: hop\r\n" % i for i in range(20_000))
             + b"Subject: many headers\r\n\r\nstill here\r\n",
             checks=(lambda p: "still here" in p.text,)),
        Case("encoded-word flood",
             HEAD + b"Subject: " + b" ".join([b"=?utf-8?B?w6nDqcOp?="] * 40_000) + b"\r\n\r\nx\r\n",
             checks=(lambda p: p.subject.startswith("\u00e9\u00e9\u00e9"),)),
        Case("broken encoded words", HEAD + b"Subject: =?utf-8?B?////?= =?x-nope?Q?a?= =?utf-8?Q?\r\n\r\nx\r\n"),
        Case("unknown charset", HEAD + b"Subject: x\r\n" + _text(b"caf\xe9", b"x-no-such-charset"),
             statuses=frozenset({"degraded"}),
             checks=(lambda p: "caf" in p.text, lambda p: any("charset" in d for d in p.defects))),
        Case("bytes invalid in charset", HEAD + b"Subject: x\r\n" + _text(b"ok \xff\xfe\xfd", b"utf-8"),
             statuses=frozenset({"degraded"}), checks=(lambda p: "ok" in p.text,)),
        Case("quoted garbage charset", HEAD + b"Subject: x\r\n" + _text(b"hello", b'"\'";;=='),
             checks=(lambda p: "hello" in p.text,)),
        Case("utf-7 charset", HEAD + b"Subject: x\r\n" + _text(b"Hi +AOk-", b"utf-7")),
        Case("8-bit headers", HEAD.replace(b"Talent", b"T\xe4lent") + b"Subject: R\xc3\xa9sum\xc3\xa9\r\n\r\nx\r\n",
             checks=(lambda p: p.subject == "R\u00e9sum\u00e9",)),
        Case("tnef", tnef(), statuses=frozenset({"degraded"}),
             checks=(lambda p: any("TNEF" in d for d in p.defects),
                     lambda p: "attached file" in p.text)),
        Case("missing message-id", HEAD + b"Subject: x\r\n\r\nbody\r\n",
             checks=(lambda p: p.message_id is None,)),
        Case("duplicate message-id", HEAD + b"Message-ID: <one@acme.test>\r\n"
             b"Message-ID: <two@acme.test>\r\nSubject: x\r\n\r\nbody\r\n",
             statuses=frozenset({"degraded"}),
             checks=(lambda p: p.message_id == "<one@acme.test>",)),
        Case("bare CR and LF in headers", b"From: a@b.test\rSubject: cr only\r\nX-A: 1\nX-B: 2\n\nbody\r\n"),
        Case("header injection", HEAD + b"Subject: hi\r\n\tBcc: evil@x.test\r\n\r\nbody\r\n",
             checks=(lambda p: "\n" not in p.subject and "\r" not in p.subject,)),
        Case("forwarded after a note", forwarded(b"Fyi, see below."),
             checks=(lambda p: "Fyi" in p.text, *not_inner)),
        Case("forwarded with no note", forwarded(None), checks=not_inner),
        Case("html only", HEAD + b"Subject: x\r\n" + _text(
            b"<html><head><style>p{color:red}</style></head><body><p>Thank you for "
            b"applying.</p><script>alert(1)</script><div style='display:none'>hidden</div>"
            b"<p>Kind&nbsp;regards</p></body></html>", subtype=b"html"),
             checks=(lambda p: "Thank you for applying." in p.text,
                     lambda p: "<" not in p.text and "alert" not in p.text,
                     lambda p: "color:red" not in p.text)),
        Case("truncated multipart", HEAD + b"Subject: x\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=ZZ\r\n\r\n--ZZ\r\nContent-Type: text/plain\r\n\r\ncut"),
        Case("missing boundary", HEAD + b"Subject: x\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed\r\n\r\n--?\r\nplain\r\n"),
        Case("bad base64", HEAD + b"Subject: x\r\nContent-Type: text/plain\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64===\r\nSGVsbG8\r\n"),
        Case("bad quoted-printable", HEAD + b"Subject: x\r\nContent-Type: text/plain\r\n"
             b"Content-Transfer-Encoding: quoted-printable\r\n\r\nbroken =ZZ soft=\r\nbreak =\r\n"),
        Case("unparseable date", HEAD + b"Subject: x\r\nDate: the day after tomorrow\r\n\r\nx\r\n",
             statuses=frozenset({"degraded"}), checks=(lambda p: p.date is None,)),
        Case("huge from list", b"From: " + b", ".join(b"p%d@x.test" % i for i in range(20_000))
             + b"\r\nSubject: x\r\n\r\nx\r\n", checks=(lambda p: p.sender_address == "p0@x.test",)),
    ]  # fmt: skip
