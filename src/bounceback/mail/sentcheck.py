"""Was a digest already delivered? Look for its Message-ID in the account's Sent folder.

This closes the window RFC 1047 describes: the server has the whole message after the
final "." but the run dies (or the connection drops) before its reply is recorded.
Most providers file a copy of every submitted message in the Sent folder, so finding
the deterministic Message-ID there means the digest went out. The search is read-only
(EXAMINE and UID SEARCH); nothing on the server changes.
"""

from __future__ import annotations

import imaplib
import logging
import re
from collections.abc import Iterable

from bounceback.errors import MailServerError
from bounceback.mail.imap import ImapEndpoint, ImapReader

log = logging.getLogger(__name__)

# Names providers give the Sent folder: Gmail, Outlook, iCloud, Dovecot, Yahoo and others.
_SENT = re.compile(
    r"(?:^|[/.])(?:sent|sent items|sent messages|sent mail|gesendet|envoy[ée]s|enviados|inviata)$",
    re.IGNORECASE,
)


def sent_folders(names: Iterable[str]) -> list[str]:
    """The folders that look like a Sent folder, in the server's order."""
    return [name for name in names if _SENT.search(name.strip())]


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def already_delivered(
    endpoint: ImapEndpoint, password: str, message_id: str, *, check_inbox: bool
) -> bool:
    """True if a message with this Message-ID is in the Sent folder (or the inbox, if asked).

    `check_inbox` is for digests sent to the account's own address: the delivered copy
    lands in its inbox. Raises `MailServerError` when the mailbox cannot be searched,
    because resending without knowing could deliver a second copy.
    """
    if any(ch in message_id for ch in '\r\n"'):
        raise ValueError("a Message-ID never contains quotes or line breaks")
    with ImapReader(endpoint, password) as reader:
        folders = sent_folders(reader.folders())
        if check_inbox:
            folders.append("INBOX")
        for name in folders:
            reader.examine(name)
            # ImapReader has no header search of its own; the raw client is read-only here.
            client = reader._client_or_fail
            try:
                typ, data = client.uid("SEARCH", "HEADER", "Message-ID", _quoted(message_id))
            except (OSError, imaplib.IMAP4.error) as exc:
                raise MailServerError(f"searching {name!r} for the digest failed: {exc}") from None
            if typ == "OK" and any(part.strip() for part in data if part):
                log.info("the digest was found in %s: it was delivered before", name)
                return True
    return False
