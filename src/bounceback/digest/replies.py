"""Replies to the digest: "done 2" ticks off a next step; anything else goes in the diary.

A reply counts only when it answers one of the account's own digests (In-Reply-To is
that digest's Message-ID) and comes from the user (the account's or digest address).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bounceback.storage import digests
from bounceback.storage.models import Account, Message

# "done 2", "Done: 1, 3 and 4", "done #2", "2 done", "did 3"
_DONE = re.compile(
    r"(?im)^\s*(?:(?:done|did|finished|completed)\s*[:#-]?\s*"
    r"(?P<after>#?\d+(?:\s*(?:,|and|&|\+)\s*#?\d+)*)"
    r"|(?P<before>#?\d+(?:\s*(?:,|and|&)\s*#?\d+)*)\s+(?:is\s+)?done)\s*[.!]?\s*$"
)
_SIGN_OFF = re.compile(
    r"(?im)^\s*(?:--\s*|(?:thanks|thank you|cheers|best|regards|kind regards|sent from my)\b.*)$"
)
_MIN_DIARY_CHARS = 12


@dataclass(frozen=True, slots=True)
class Reply:
    """What a reply to the digest asked for."""

    done: tuple[int, ...]
    diary: str | None


def read_reply(text: str) -> Reply:
    """Step numbers marked done, and the rest of the text as a diary entry (if any is left)."""
    done: list[int] = []
    for match in _DONE.finditer(text):
        numbers = match.group("after") or match.group("before") or ""
        done.extend(int(n) for n in re.findall(r"\d+", numbers))
    rest = _DONE.sub("", text)
    sign_off = _SIGN_OFF.search(rest)
    if sign_off:
        rest = rest[: sign_off.start()]
    diary = "\n".join(line.rstrip() for line in rest.strip().splitlines()).strip()
    return Reply(
        done=tuple(sorted(set(done))),
        diary=diary if len(diary) >= _MIN_DIARY_CHARS else None,
    )


def is_own_digest(account: Account, message: Message, *, session: Session) -> bool:
    """Whether message is one of the digests bounceback sent to this account."""
    mid = message.header_message_id or ""
    return mid.endswith("@bounceback.invalid>") and (
        digests.digest_by_message_id(account.id, mid, session=session) is not None
    )


def handle_digest_reply(account: Account, message: Message, *, session: Session) -> bool:
    """If message is the user's reply to a digest, act on it and return True."""
    if not message.in_reply_to:
        return False
    sender = (message.sender_address or "").casefold()
    if sender not in {account.address.casefold(), account.digest_to.casefold()}:
        return False
    digest = None
    for candidate in re.findall(r"<[^<>\s]+>", message.in_reply_to):
        digest = digests.digest_by_message_id(account.id, candidate, session=session)
        if digest is not None:
            break
    if digest is None:
        return False
    reply = read_reply(message.analysed_text or message.body_text)
    for number in reply.done:
        digests.mark_step_done(digest.id, number, message.received_at, session=session)
    if reply.diary:
        digests.add_diary_entry(
            account.id, message.id, digest.id, reply.diary, message.received_at, session=session
        )
    return True
