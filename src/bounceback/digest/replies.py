"""Replies to the digest: "done 2" ticks off a next step; anything else goes in the diary.

A reply counts only when it answers one of the account's own digests (In-Reply-To is
that digest's Message-ID) and comes from the user (the account's or digest address).
"pause" and "resume" from the user, as a reply or as the subject the digest's
List-Unsubscribe link writes, stop and restart the scheduled digests.
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
#: A subject or a reply's first line asking to pause or resume the scheduled digests.
_SWITCH = re.compile(r"(?i)^\s*(?:(?:re|fwd?|aw)\s*:\s*)*(pause|resume)\b[\s.!]*$")


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


def pause_switch(subject: str, text: str) -> str | None:
    """ "pause" or "resume" when the subject, or the text's first line, is just that word."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    for candidate in (subject, first):
        found = _SWITCH.match(candidate or "")
        if found:
            return found.group(1).lower()
    return None


def _from_user(account: Account, message: Message) -> bool:
    sender = (message.sender_address or "").casefold()
    return sender in {account.address.casefold(), account.digest_to.casefold()}


def handle_pause_request(account: Account, message: Message) -> bool:
    """If the user wrote "pause" or "resume" (subject or first line), switch and return True.

    The latest request wins, so mail read out of order cannot undo a newer one.
    """
    if not _from_user(account, message):
        return False
    switch = pause_switch(message.subject or "", message.analysed_text or message.body_text)
    if switch is None:
        return False
    asked, last = message.received_at, account.digest_switched_at
    if last is not None and asked is not None and asked < last:
        return True  # an older request, read late: the newer one stands
    account.digest_paused = switch == "pause"
    account.digest_switched_at = asked
    return True


def handle_digest_reply(account: Account, message: Message, *, session: Session) -> bool:
    """If message is the user's reply to a digest, act on it and return True."""
    if not message.in_reply_to or not _from_user(account, message):
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
