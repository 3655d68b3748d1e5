"""A poison corpus: mail whose header values no database column was sized for (issue 16)."""

from __future__ import annotations

from tests.support.mail import make_mail


def _mail(headers: list[tuple[str, str]], body: str = "Hello,\n\nA message.\n") -> bytes:
    lines = [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


def _base(number: int, **overrides: str) -> list[tuple[str, str]]:
    headers = {
        "From": "Hiring Team <jobs@poison.test>",
        "To": "alex@example.com",
        "Subject": f"About your application ({number})",
        "Date": "Mon, 16 Nov 2026 09:00:00 +0000",
        "Message-ID": f"<poison-{number}@poison.test>",
    }
    headers.update(overrides)
    return list(headers.items())


def poison_corpus() -> list[bytes]:
    """The four values from the issue, each in its own message, plus NUL and 8-bit bytes."""
    long_id = "<" + "m" * (5004 - len("<@poison.test>")) + "@poison.test>"
    long_reply = "<" + "r" * (5004 - len("<@poison.test>")) + "@poison.test>"
    long_name = "N" * 2000
    long_address = "a" * (809 - len("@poison.test")) + "@poison.test"
    assert len(long_id) == len(long_reply) == 5004 and len(long_address) == 809
    return [
        _mail(_base(1, **{"Message-ID": long_id})),
        _mail(_base(2, From=f'"{long_name}" <jobs@poison.test>')),
        _mail(_base(3, From=f"Recruiter <{long_address}>")),
        _mail(_base(4, **{"In-Reply-To": long_reply, "References": long_reply})),
        _mail(_base(5, Subject="=?utf-8?Q?Your_offer=00_letter?=")),
        _mail(_base(6)).replace(b"<poison-6@", b"<poison-\xff\xfe-6@"),
    ]


def ordinary_mail(count: int, start: int = 1000) -> list[bytes]:
    """count well-formed messages with unique Message-IDs."""
    return [make_mail(number) for number in range(start, start + count)]
