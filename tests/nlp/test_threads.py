"""Thread headers, forwarded senders and ids in links, subjects and bodies."""

from __future__ import annotations

from bounceback.nlp.threads import forwarded_senders, mail_refs, thread_headers


def test_thread_headers_order_the_ancestors_nearest_first() -> None:
    head = (
        b"Message-ID: <c@x>\r\nIn-Reply-To: <user-reply@mail.example>\r\n"
        b"References: <a@x>\r\n <b@x> <user-reply@mail.example>\r\nSubject: Re: hi\r\n"
    )
    found = thread_headers(head)
    assert found.message_id == "<c@x>"
    assert found.ancestors == ("<user-reply@mail.example>", "<b@x>", "<a@x>")
    assert thread_headers(b"\xff\xfe garbage").ancestors == ()


def test_forwarded_senders_come_from_attached_messages() -> None:
    raw = (
        b"From: agent@agency.example\r\nSubject: Fwd: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
        b"see below\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: Owen <Owen@Fernway.example>\r\n"
        b"Subject: decision\r\n\r\nbody\r\n--b--\r\n"
    )
    assert forwarded_senders(raw) == ("owen@fernway.example",)
    assert forwarded_senders(b"Subject: plain\r\n\r\nhello") == ()


def test_ids_in_ats_links_subjects_and_bodies() -> None:
    refs = {
        r.key
        for r in mail_refs(
            "Application received: Junior Product Analyst (ref QL-2291)",
            "Track it at https://boards.greenhouse.io/acme/jobs/4410 or\n"
            "https://acme.wd3.myworkdayjobs.com/en-US/careers/job/London/Analyst_R-10293\n"
            "Application ID: GDC-10477\nCandidate ID: 88120",
            '<a href="https://careers.example.com/apply?jobId=77812&candidate_id=55">apply</a>',
        )
    }
    assert "job:acme:4410" in refs
    assert "job:acme:r-10293" in refs
    assert "job::QL-2291" in refs
    assert "application::GDC-10477" in refs
    assert "candidate::88120" in refs
    assert "job:example:77812" in refs
    assert "candidate:example:55" in refs
    assert not any(key.endswith(":london") for key in refs)  # a path word is not an id


def test_words_and_years_are_not_ids() -> None:
    assert (
        mail_refs("Your application", "Thanks for your application. Reference letters welcome.")
        == ()
    )
