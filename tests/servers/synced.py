"""Helpers for the sync proofs against Dovecot: an account row, a poll, what was stored."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.analyse import parse_pending
from bounceback.flows.sync import FolderSyncReport, sync_folder
from bounceback.flows.sync_plan import SyncOptions
from bounceback.mail.imap import ImapEndpoint, ImapReader
from bounceback.storage import accounts, mailbox
from bounceback.storage.models import Folder, Message
from tests.servers.dovecot import DovecotAccount

PASSWORD_ENV = "BOUNCEBACK_TEST_IMAP_PASSWORD"


def add_account(sessions: sessionmaker[Session], account: DovecotAccount) -> int:
    """Save an account row for the Dovecot user; the INBOX folder's id."""
    with sessions.begin() as session:
        saved = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": account.user,
                "imap_host": account.host,
                "imap_port": account.port,
                "imap_security": "none",
                "secret_ref": f"env:{PASSWORD_ENV}",
                "digest_to": "alex@example.com",
                "allow_insecure_loopback": True,
            },
            ["INBOX"],
            session=session,
        )
        return mailbox.list_folders(saved.id, session=session)[0].id


def endpoint(account: DovecotAccount, timeout: float = 10) -> ImapEndpoint:
    """The loopback endpoint of a Dovecot user."""
    return ImapEndpoint(
        account.host,
        account.port,
        "none",
        account.user,
        allow_insecure_loopback=True,
        timeout=timeout,
    )


def poll(
    sessions: sessionmaker[Session],
    folder_id: int,
    account: DovecotAccount,
    options: SyncOptions | None = None,
    **kwargs: object,
) -> FolderSyncReport:
    """One poll of INBOX in this process."""
    with ImapReader(endpoint(account), account.password) as reader:
        return sync_folder(
            reader,
            folder_id,
            sessions=sessions,
            options=options or SyncOptions(chunk_size=4, retry_delays=(0.0,)),
            **kwargs,  # type: ignore[arg-type]
        )


def parse_bodies(sessions: sessionmaker[Session], folder_id: int) -> Counter[str]:
    """Parse what the sync stored as pending, as the analysis step does first; statuses."""
    with sessions.begin() as session:
        account_id = session.get_one(Folder, folder_id).account_id
    return parse_pending(account_id, sessions=sessions)


def stored_ids(sessions: sessionmaker[Session]) -> Counter[str | None]:
    """How often each Message-ID is stored."""
    with sessions.begin() as session:
        return Counter(session.scalars(select(Message.header_message_id)))


def cursor(sessions: sessionmaker[Session], folder_id: int) -> int:
    """The folder's stored last UID."""
    with sessions.begin() as session:
        return session.get_one(Folder, folder_id).last_uid
