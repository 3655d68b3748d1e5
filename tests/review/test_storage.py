"""The review queue and correction functions on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bounceback.storage import accounts, analyses, corrections, mailbox
from bounceback.storage import review as store
from bounceback.storage.models import Analysis, Correction, Gap, Message

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BODY = "Thank you for interviewing. Your SQL was not strong enough. We wish you well."


def _store(
    sessions: sessionmaker[Session], rows: list[tuple[list[str], str | None, float]]
) -> list[int]:
    """Messages with analyses (labels, company, one gap of this confidence) via storage."""
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": "alex",
                "imap_host": "127.0.0.1",
                "imap_port": 993,
                "imap_security": "ssl",
                "secret_ref": "env:PW",
                "digest_to": "alex@example.com",
            },
            ["INBOX"],
            session=session,
        )
        folder = mailbox.folder_for(account, "INBOX", session=session)
        batch = [
            mailbox.NewMessage(
                uid=n + 1,
                header_message_id=f"<m{n}@x>",
                in_reply_to=None,
                subject=f"Outcome {n}",
                from_header="Careers <jobs@acme.example>",
                sender_name="Careers",
                sender_address="jobs@acme.example",
                received_at=T0 + timedelta(days=n),
                size=100,
                content_hash=f"h{n}",
                raw=b"raw",
                body_text=BODY,
                analysed_text=BODY,
                html=None,
                parse_status="ok",
                defects=(),
            )
            for n in range(len(rows))
        ]
        mailbox.store_messages(folder, 1, batch, last_uid=len(rows), session=session)
        messages = list(session.scalars(select(Message).order_by(Message.uid)))
        start = BODY.index("Your SQL")
        for message, (labels, company, confidence) in zip(messages, rows, strict=True):
            gaps = [
                analyses.NewGap(
                    "skill", "Your SQL was not strong enough.", start, start + 31, "SQL", confidence
                )
            ]
            analyses.save_analysis(
                message,
                model_version="m1",
                labels=labels,
                scores={label: 0.9 for label in labels},
                company=company,
                role="Analyst",
                gaps=gaps if "feedback" in labels else [],
                postings=[],
                session=session,
            )
        ids = [m.id for m in messages]
    return ids


def test_queue_filters_pages_and_orders_least_sure_first(sessions: sessionmaker[Session]) -> None:
    ids = _store(
        sessions,
        [
            (["rejection", "feedback"], "Acme", 0.9),
            (["rejection", "feedback"], "Brightledger", 0.55),
            (["interview"], "Acme", 0.7),
            ([], None, 1.0),  # other mail: not in the default queue
        ],
    )
    with sessions.begin() as session:
        rows, total = store.review_queue(store.QueueFilter(), offset=0, limit=10, session=session)
        assert total == 3
        assert [r.message_id for r in rows] == [ids[1], ids[0], ids[2]]
        assert [r.gaps for r in rows] == [1, 1, 0]
        page, total = store.review_queue(store.QueueFilter(), offset=1, limit=1, session=session)
        assert [r.message_id for r in page] == [ids[0]] and total == 3
        feedback, _ = store.review_queue(
            store.QueueFilter(label="feedback"), offset=0, limit=10, session=session
        )
        assert {r.message_id for r in feedback} == {ids[0], ids[1]}
        acme, _ = store.review_queue(
            store.QueueFilter(company="Acme"), offset=0, limit=10, session=session
        )
        assert {r.message_id for r in acme} == {ids[0], ids[2]}
        other, _ = store.review_queue(
            store.QueueFilter(label="other"), offset=0, limit=10, session=session
        )
        assert [r.message_id for r in other] == [ids[3]]
        assert store.queue_neighbours(store.QueueFilter(), ids[0], session=session) == (
            ids[1],
            ids[2],
        )
        assert store.queue_neighbours(store.QueueFilter(), ids[1], session=session) == (
            None,
            ids[0],
        )
        assert store.review_companies(session=session) == ["Acme", "Brightledger"]


def test_every_change_is_a_correction_with_old_and_new(sessions: sessionmaker[Session]) -> None:
    (first, second) = _store(
        sessions, [(["rejection", "feedback"], "Acme", 0.6), (["rejection"], "Acme", 0.8)]
    )
    with sessions.begin() as session:
        found = store.message_for_review(first, session=session)
        assert found is not None
        message, analysis, (gap,) = found
        corrections.change_gap(
            gap, status="edited", category="experience", skill="", session=session
        )
        start = BODY.index("We wish")
        added = corrections.add_gap(
            message,
            analysis,
            category="motivation",
            span=(start, start + 16, BODY[start : start + 16]),
            skill=None,
            session=session,
        )
        new_gap = session.get_one(Gap, added.gap_id)
        corrections.change_gap(new_gap, status="dismissed", session=session)
        assert corrections.relabel(analysis, ["feedback", "rejection"], session=session) is None
        corrections.relabel(analysis, ["rejection"], session=session)
        corrections.set_company_role(analysis, "Acme Ltd", None, session=session)
        corrections.mark_reviewed(analysis, session=session)
    with sessions.begin() as session:
        log = store.list_corrections(session=session)
        kinds = [c.kind for c in log]
        assert kinds == ["gap_edit", "gap_add", "gap_dismiss", "labels", "company_role", "confirm"]
        edit = log[0]
        assert (edit.old["category"], edit.new["category"]) == ("skill", "experience")
        assert (edit.old["skill"], edit.new["skill"]) == ("SQL", None)
        assert edit.model_version == "m1" and edit.created_at.tzinfo is not None
        assert log[3].old == {"labels": ["feedback", "rejection"]}
        assert log[3].new == {"labels": ["rejection"]}
        analysis = session.scalars(select(Analysis).where(Analysis.message_id == first)).one()
        assert (analysis.review_status, analysis.label_key) == ("reviewed", " rejection ")
        gaps = session.scalars(select(Gap).where(Gap.message_id == first)).all()
        assert {g.company for g in gaps} == {"Acme Ltd"}
        corrected = store.corrected_messages(session=session)
        assert [m.id for m, _, _ in corrected] == [first]
        assert second not in {c.message_id for c in session.scalars(select(Correction))}
        rows, _ = store.review_queue(store.QueueFilter(), offset=0, limit=10, session=session)
        assert [r.message_id for r in rows] == [second], "reviewed mail leaves the to-do queue"
        weeks = store.gap_weeks(session=session)
        assert [(c, skill) for _, c, skill in weeks] == [("experience", None)], "no dismissed"


def test_forgetting_an_account_deletes_its_corrections(sessions: sessionmaker[Session]) -> None:
    (first,) = _store(sessions, [(["rejection", "feedback"], "Acme", 0.6)])
    with sessions.begin() as session:
        found = store.message_for_review(first, session=session)
        assert found is not None
        corrections.change_gap(found[2][0], status="dismissed", session=session)
        corrections.mark_reviewed(found[1], session=session)
    with sessions.begin() as session:
        assert len(store.list_corrections(session=session)) == 2
        account = accounts.get_account("alex@example.com", session=session)
        assert account is not None
        accounts.delete_account(account, session=session)
    with sessions.begin() as session:
        assert store.list_corrections(session=session) == []


def test_analyses_enter_the_queue_when_stored_and_old_ones_by_an_explicit_step(
    sessions: sessionmaker[Session],
) -> None:
    first, second = _store(
        sessions, [(["rejection", "feedback"], "Acme", 0.55), (["interview"], "Acme", 1.0)]
    )
    with sessions.begin() as session:
        indexed = {
            a.message_id: (a.review_priority, a.label_key)
            for a in session.scalars(select(Analysis))
        }
        assert indexed == {
            first: (0.55, " feedback rejection "),
            second: (0.9, " interview "),
        }
        # A database written before analyses were indexed on save:
        session.execute(update(Analysis).values(review_priority=None, label_key=None))
    with sessions.begin() as session:
        rows, total = store.review_queue(store.QueueFilter(), offset=0, limit=10, session=session)
        assert total == 0, "unindexed analyses are not in the queue"
        assert store.index_pending(1, session=session) == 1
        assert store.index_pending(10, session=session) == 1
        assert store.index_pending(10, session=session) == 0
        rows, total = store.review_queue(store.QueueFilter(), offset=0, limit=10, session=session)
        assert [r.message_id for r in rows] == [first, second]


def test_queue_filters_by_kind_of_gap_kept(sessions: sessionmaker[Session]) -> None:
    first, second, _ = _store(
        sessions,
        [
            (["rejection", "feedback"], "Acme", 0.8),
            (["rejection", "feedback"], "Acme", 0.8),
            (["interview"], "Acme", 1.0),
        ],
    )
    with sessions.begin() as session:
        found = store.message_for_review(second, session=session)
        assert found is not None
        corrections.change_gap(found[2][0], status="dismissed", session=session)
        skill = store.QueueFilter(status=None, category="skill")
        rows, total = store.review_queue(skill, offset=0, limit=10, session=session)
        assert [r.message_id for r in rows] == [first] and total == 1
        fit = store.QueueFilter(status=None, category="fit")
        assert store.review_queue(fit, offset=0, limit=10, session=session)[1] == 0


def test_a_change_that_changes_nothing_records_nothing(sessions: sessionmaker[Session]) -> None:
    (first,) = _store(sessions, [(["rejection", "feedback"], "Acme", 0.6)])
    with sessions.begin() as session:
        found = store.message_for_review(first, session=session)
        assert found is not None
        _, analysis, (gap,) = found
        assert corrections.change_gap(gap, status="accepted", session=session) is not None
        assert corrections.change_gap(gap, status="accepted", session=session) is None
        assert corrections.set_company_role(analysis, "Acme", "Analyst", session=session) is None
        assert [c.kind for c in corrections.mark_reviewed(analysis, session=session)] == ["confirm"]
        assert corrections.mark_reviewed(analysis, session=session) == []
    with sessions.begin() as session:
        assert [c.kind for c in store.list_corrections(session=session)] == [
            "gap_accept",
            "confirm",
        ]


def test_confirm_accepts_the_gaps_left_unchecked(sessions: sessionmaker[Session]) -> None:
    (first,) = _store(sessions, [(["rejection", "feedback"], "Acme", 0.6)])
    with sessions.begin() as session:
        found = store.message_for_review(first, session=session)
        assert found is not None
        message, analysis, _ = found
        start = BODY.index("Thank you")
        added = corrections.add_gap(
            message,
            analysis,
            category="fit",
            span=(start, start + 27, BODY[start : start + 27]),
            skill=None,
            session=session,
        )
        written = corrections.mark_reviewed(analysis, session=session)
        assert [c.kind for c in written] == ["gap_accept", "confirm"]
        assert store.gaps_added_by_user(first, session=session) == {added.gap_id}
        statuses = {g.id: g.status for g in session.scalars(select(Gap))}
        assert statuses[added.gap_id] == "edited", "the user's own gap keeps its status"
        assert sorted(statuses.values()) == ["accepted", "edited"]


def test_one_request_id_is_stored_once(sessions: sessionmaker[Session]) -> None:
    _store(sessions, [(["rejection", "feedback"], "Acme", 0.6)])
    with sessions.begin() as session:
        analysis = session.scalars(select(Analysis)).one()
        written = corrections.relabel(analysis, ["rejection"], session=session)
        assert corrections.claim_request([None, written], "req-1") is True
        assert corrections.claim_request([None], "req-2") is False
    with sessions.begin() as session:
        assert corrections.request_seen("req-1", session=session)
        assert not corrections.request_seen("req-2", session=session)
        assert session.scalars(select(Correction.request_id)).one() == "req-1"
    # Two transactions racing with the same id: the database keeps one.
    with pytest.raises(IntegrityError), sessions.begin() as session:
        analysis = session.scalars(select(Analysis)).one()
        again = corrections.relabel(analysis, ["feedback", "rejection"], session=session)
        corrections.claim_request([again], "req-1")
        session.flush()
    with sessions.begin() as session:
        assert len(store.list_corrections(session=session)) == 1
        assert session.scalars(select(Analysis.labels)).one() == ["rejection"]
