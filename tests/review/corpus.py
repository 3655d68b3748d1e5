"""Test data for the review page: bundled sample mail and an XSS corpus, stored for real."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bounceback.flows.analyse import analyse_pending, parse_pending
from bounceback.flows.link import link_pending
from bounceback.flows.sync import to_new_message
from bounceback.mail.imap_wire import RawMessage
from bounceback.nlp.analyzer import Analyzer
from bounceback.storage import accounts, analyses, mailbox
from bounceback.storage.models import Account, Analysis, Message

#: Sample emails (from the demo samples) that give the queue feedback gaps and plain mail.
SAMPLES = (
    "01-ack-brightledger",
    "04-rejection-harrowgate-energy",
    "06-interview-invite-brightledger",
    "08-rejection-feedback-tillerman",
    "17-rejection-feedback-corvid",
    "30-rejection-feedback-loomwell",
    "33-rejection-feedback-saltmarsh",
    "38-rejection-feedback-amberline",
    "40-rejection-tamsin-vale-html-only",
    "12-rejection-after-interview-brightledger",
    "23-interview-invite-loomwell",
    "27-feedback-followup-harrowgate",
)

#: Each payload would set window.__pwned or change the title if anything ran, or fetch
#: from 203.0.113.7 (TEST-NET-3) if anything loaded. Names say what they try.
XSS_PAYLOADS: dict[str, str] = {
    "script-tag": "<script>window.__pwned=1;document.title='pwned'</script><p>Thanks for applying.</p>",
    "script-src": '<script src="http://203.0.113.7/x.js"></script><p>Regards</p>',
    "img-onerror": "<img src=x onerror=\"window.__pwned=1;parent.__pwned=1;document.title='pwned'\">",
    "svg-onload": '<svg onload="parent.__pwned=1"><circle r="4"/></svg>',
    "svg-use": '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnJz48aW1hZ2UgaHJlZj0neCcgb25lcnJvcj0icGFyZW50Ll9fcHduZWQ9MSIvPjwvc3ZnPg==#x"/></svg>',
    "svg-animate": '<svg><a><animate attributeName="href" values="javascript:parent.__pwned=1"/><text y="20">click</text></a></svg>',
    "javascript-url": '<a href="javascript:parent.__pwned=1">open your portal</a><iframe src="javascript:parent.__pwned=1"></iframe>',
    "data-url": '<a href="data:text/html,<script>parent.__pwned=1</script>">view</a><object data="data:text/html,<script>parent.__pwned=1</script>"></object><embed src="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xPC9zY3JpcHQ+">',
    "css-background": '<div style="background:url(http://203.0.113.7/bg.png);width:50px;height:50px">bg</div><table background="http://203.0.113.7/t.png"><tr><td>cell</td></tr></table>',
    "css-import": '<style>@import url("http://203.0.113.7/a.css"); body{background-image:url(http://203.0.113.7/b.png)}</style><p>styled</p>',
    "css-escaped-url": '<p style="background-image: u\\72l(http://203.0.113.7/e.png)">escaped</p>',
    "tracking-pixel": '<img src="http://203.0.113.7/open.gif?u=alex" width="1" height="1"><img srcset="http://203.0.113.7/s.gif 1x">',
    "link-preload": '<link rel="stylesheet" href="http://203.0.113.7/l.css"><link rel="prefetch" href="http://203.0.113.7/p"><meta http-equiv="refresh" content="0;url=http://203.0.113.7/r">',
    "form-action": '<form action="http://203.0.113.7/f"><input name=q autofocus onfocus="parent.__pwned=1"><button>Go</button></form>',
    "base-href": '<base href="http://203.0.113.7/"><img src="relative.png"><a href="rel">rel</a>',
    # Roundcube CVE-2024-37383: an SVG animate on href with a spaced "javascript:" value.
    "roundcube-cve-2024-37383": '<svg><animate attributeName="href " values="javascript:parent.__pwned=1" href="#x"/><a id="x"><text y="20">x</text></a></svg>',
    # Roundcube CVE-2023-5631: an SVG <use> with a data: document and an event handler.
    "roundcube-cve-2023-5631": "<svg><use href=\"data:image/svg+xml,&lt;svg id='x' xmlns='http://www.w3.org/2000/svg'&gt;&lt;image href='1' onerror='parent.__pwned=1' /&gt;&lt;/svg&gt;#x\"></use></svg>",
    # Roundcube CVE-2020-35730-style: markup hidden in a plain-looking attribute.
    "attribute-breakout": '<p title="&quot;&gt;&lt;img src=x onerror=parent.__pwned=1&gt;">quoted</p><a title="</a><img src=x onerror=parent.__pwned=1>">t</a>',
    "meta-csp-override": '<meta http-equiv="Content-Security-Policy" content="default-src *"><img src="http://203.0.113.7/m.gif">',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;parent.__pwned=1&lt;/script&gt;"></iframe>',
    "details-ontoggle": '<details open ontoggle="parent.__pwned=1"><summary>more</summary>x</details>',
    "mathml-href": '<math><mtext><a href="javascript:parent.__pwned=1">m</a></mtext></math>',
    "font-face": "<style>@font-face{font-family:x;src:url(http://203.0.113.7/f.woff)} p{font-family:x}</style><p>font</p>",
}

SENT = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)

#: The email the journeys work on. Its analysis is stored as written here (not by the
#: model), so the tests do not depend on what a retrained model makes of it.
JOURNEY_BODY = """Hi Alex,

Thanks again for spending Thursday afternoon with the team. We enjoyed hearing about
your dissertation project, and the panel agreed you were easy to talk to.

We have decided to offer the role to another candidate. The deciding factor was
hands-on Airflow: you hadn't scheduled or monitored a production pipeline yet, and the
person we chose had run several. Your answer on data modelling also wandered before it
got to the point.

If you build a small orchestrated project over the next few months, we would be glad
to hear from you again.

All the best,
Priya Raman
Data Platform Lead, Harbourline
"""
JOURNEY_GAPS = (
    (
        "skill",
        "The deciding factor was\nhands-on Airflow: you hadn't scheduled or monitored a "
        "production pipeline yet, and the\nperson we chose had run several.",
        "Airflow",
        0.62,
    ),
    (
        "preparation",
        "Your answer on data modelling also wandered before it\ngot to the point.",
        None,
        0.58,
    ),
)
JOURNEY_MISSED = (
    "If you build a small orchestrated project over the next few months, we would be glad\n"
    "to hear from you again."
)


def journey_email() -> bytes:
    """A rejection with feedback from a (fictional) data platform team."""
    message = EmailMessage()
    message["From"] = "Priya Raman <priya.raman@harbourline.example>"
    message["To"] = "alex@example.com"
    message["Subject"] = "Your interview for Junior Data Engineer"
    message["Date"] = format_datetime(SENT + timedelta(days=1))
    message["Message-ID"] = "<journey-1@harbourline.example>"
    message.set_content(JOURNEY_BODY)
    return bytes(message)


def sample_bytes(name: str) -> bytes:
    """The raw bytes of one bundled sample email."""
    return (files("bounceback.demo") / "samples" / f"{name}.eml").read_bytes()


def xss_email(name: str, payload: str, when: datetime) -> bytes:
    """A rejection with feedback whose HTML part carries ``payload`` (and whose headers try too)."""
    message = EmailMessage()
    message["From"] = f'"<img src=x onerror=parent.__pwned=1>" <careers@{name}.example>'
    message["To"] = "alex@example.com"
    message["Subject"] = f"Your application <script>window.__pwned=1</script> [{name}]"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = f"<{name}@xss.example>"
    text = (
        "Hello Alex,\n\nThank you for interviewing with us. We have decided not to move "
        "forward.\nThe panel felt your SQL skills were not yet strong enough for the role.\n"
        f"<script>window.__pwned=1</script> <b onmouseover=alert(1)>{name}</b>\n\nBest,\nMara\n"
    )
    message.set_content(text)
    message.add_alternative(f"<html><body>{payload}<p>{name}</p></body></html>", subtype="html")
    return bytes(message)


def store_raw(
    sessions: sessionmaker[Session], account_id: int, raws: list[bytes], first_uid: int
) -> list[int]:
    """Store raw emails as the sync does, then parse them as the analysis step does first."""
    with sessions.begin() as session:
        account = session.get_one(Account, account_id)
        folder = mailbox.folder_for(account, "INBOX", session=session)
        batch = [
            to_new_message(RawMessage(first_uid + n, len(raw), raw), SENT)
            for n, raw in enumerate(raws)
        ]
        mailbox.store_messages(
            folder, 1, batch, last_uid=first_uid + len(raws) - 1, session=session
        )
        session.flush()
        ids = session.scalars(
            select(Message.id)
            .where(Message.uid >= first_uid, Message.uid < first_uid + len(raws))
            .order_by(Message.uid)
        )
        stored = list(ids)
    parse_pending(account_id, sessions=sessions)
    return stored


def find_text(body: str, text: str) -> tuple[int, int]:
    """Where ``text`` reads in ``body``, runs of whitespace compared as one space."""
    found = re.search(r"\s+".join(re.escape(word) for word in text.split()), body)
    assert found is not None, text
    return found.start(), found.end()


def populate(sessions: sessionmaker[Session], analyzer: Analyzer, *, xss: bool) -> dict[str, int]:
    """An account with the samples (analysed by the real model) and, optionally, XSS mail.

    Returns message ids by sample/payload name. The XSS emails get their analysis from
    the storage function directly, with a gap on their feedback sentence, so they are
    in the queue whatever the model makes of them.
    """
    with sessions.begin() as session:
        account = accounts.save_account(
            {
                "address": "alex@example.com",
                "username": "alex",
                "imap_host": "127.0.0.1",
                "imap_port": 993,
                "imap_security": "ssl",
                "smtp_host": "127.0.0.1",
                "smtp_port": 465,
                "smtp_security": "ssl",
                "secret_ref": "env:PW",
                "digest_to": "alex@example.com",
            },
            ["INBOX"],
            session=session,
        )
        account_id = account.id
    ids = dict(
        zip(
            SAMPLES,
            store_raw(sessions, account_id, [sample_bytes(n) for n in SAMPLES], 1),
            strict=True,
        )
    )
    analyse_pending(account_id, analyzer, sessions=sessions)
    (ids["journey"],) = store_raw(sessions, account_id, [journey_email()], 500)
    with sessions.begin() as session:
        message = session.get_one(Message, ids["journey"])
        body = message.analysed_text
        analyses.save_analysis(
            message,
            model_version="test",
            labels=["rejection"],
            scores={"rejection": 0.93, "feedback": 0.48},
            company="Harbourline",
            role=None,
            gaps=[
                analyses.NewGap(category, body[start:end], start, end, skill, confidence)
                for category, text, skill, confidence in JOURNEY_GAPS
                # The analysed text joins hard-wrapped lines (nlp.reading), so the
                # gap is found with any run of whitespace matching any other.
                for start, end in [find_text(body, text)]
            ],
            postings=[],
            session=session,
        )
    if xss:
        names = list(XSS_PAYLOADS)
        raws = [
            xss_email(name, XSS_PAYLOADS[name], SENT - timedelta(days=n))
            for n, name in enumerate(names)
        ]
        xss_ids = store_raw(sessions, account_id, raws, 1000)
        with sessions.begin() as session:
            for name, message_id in zip(names, xss_ids, strict=True):
                message = session.get_one(Message, message_id)
                body = message.analysed_text
                sentence = "The panel felt your SQL skills were not yet strong enough for the role."
                start = body.index(sentence)
                analyses.save_analysis(
                    message,
                    model_version="test",
                    labels=["rejection", "feedback"],
                    scores={"rejection": 0.9, "feedback": 0.55},
                    company=f"<i>{name}</i>",
                    role=None,
                    gaps=[
                        analyses.NewGap("skill", sentence, start, start + len(sentence), "SQL", 0.6)
                    ],
                    postings=[],
                    session=session,
                )
                ids[name] = message_id
    link_pending(account_id, sessions=sessions)  # the applications view, as a poll leaves it
    # These tests are about the page, not the model: the walk through the queue starts
    # with the journey email, then the Brightledger acknowledgement, whatever a retrained
    # model happens to be least sure of.
    with sessions.begin() as session:
        for rank, name in enumerate(("journey", "01-ack-brightledger")):
            session.execute(
                update(Analysis)
                .where(Analysis.message_id == ids[name])
                .values(review_priority=rank / 100)
            )
    return ids


def artifacts_dir() -> Path:
    """Where browser screenshots are kept (gitignored)."""
    path = Path(__file__).resolve().parents[2] / "test-artifacts" / "review"
    path.mkdir(parents=True, exist_ok=True)
    return path
