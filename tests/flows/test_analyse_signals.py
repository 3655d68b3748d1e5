"""The poll reads a stored message's headers as `classify FILE.eml` does: one reading path."""

from __future__ import annotations

from bounceback.flows.analyse import email_text
from bounceback.nlp.mail import parse_email
from bounceback.nlp.signals import Signals
from bounceback.storage.models import Message

RAW = (
    b"From: Careers <no-reply@hire.lever.co>\r\n"
    b"Reply-To: jobs@quayforge.co.uk\r\n"
    b"Auto-Submitted: auto-generated\r\n"
    b"Subject: Your application\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Thank you for applying for the Stock Controller position.\r\n"
)


def test_a_stored_message_carries_the_signals_its_raw_headers_give() -> None:
    parsed = parse_email(RAW)
    stored = Message(
        id=7,
        subject=parsed.subject,
        from_header=parsed.from_header,
        analysed_text=parsed.new_text,
        html=parsed.html,
        raw=RAW,
    )
    email = email_text(stored)
    assert email.signals == parsed.signals == parse_email(RAW).email_text("7").signals
    assert email.signals == Signals(automated=True, reply_to="jobs@quayforge.co.uk")


def test_a_stored_message_without_raw_bytes_has_no_signals() -> None:
    stored = Message(id=8, subject="Hi", from_header="a@b.example", analysed_text="Hi", raw=None)
    assert email_text(stored).signals == Signals()
