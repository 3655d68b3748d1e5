"""Layout never changes what is read: wrapped dashes, HTML line breaks, footers in one block."""

from __future__ import annotations

from bounceback.nlp.analyzer import label_text
from bounceback.nlp.htmltext import html_to_text
from bounceback.nlp.mailsets import PERTURBATIONS, as_html
from bounceback.nlp.reading import drop_disclaimers, reading_text, unwrap
from bounceback.nlp.records import EmailText

POINT = (
    "The main thing was that you did not know our core range well enough to sell it - you "
    "mixed up the two lagers more than once and could not say which pubs stock the stout."
)


def test_a_dash_moved_to_a_line_start_by_a_wrap_stays_in_its_sentence() -> None:
    wrapped = (
        "The main thing was that you did not know our core range well enough to sell it\n"
        "- you mixed up the two lagers more than once and could not say which pubs\n"
        "stock the stout."
    )
    assert reading_text(wrapped) == POINT
    for width in ("wrapped at 72", "wrapped at 78", "wrapped at 72 + CRLF"):
        assert reading_text(PERTURBATIONS[width](POINT)) == POINT, width


def test_real_bullets_keep_their_breaks() -> None:
    text = "Two things held you back:\n- your SQL was slow\n- the take-home had no tests"
    assert unwrap(text) == text
    short = "Notes from the panel\n- lacked depth in pricing\n- vague on timelines"
    assert unwrap(short) == short


def test_only_short_field_names_start_a_new_line() -> None:
    assert unwrap("Interview date: Tuesday 9 June\nLocation: Leeds") == (
        "Interview date: Tuesday 9 June\nLocation: Leeds"
    )
    wrapped = (
        "We were impressed by much of what you showed us, and there is one area we would\n"
        "Where we would like to see growth: managing managers at this scale."
    )
    assert "\n" not in unwrap(wrapped)


def test_two_html_line_breaks_end_a_paragraph() -> None:
    html = "<div>Dear Sam,<br><br>Thank you for applying.<br>Kind regards,<br>Jo</div>"
    assert html_to_text(html) == "Dear Sam,\n\nThank you for applying.\nKind regards,\nJo"


def test_a_footer_in_the_same_block_as_the_letter_drops_only_the_footer() -> None:
    block = (
        "Dear Ciara,\nWe regret to tell you that you were not successful on this occasion.\n"
        "Ambrose Wealth is regulated by the Central Bank. Registered office: 40 Quay Street. Company number 611872."
    )
    assert drop_disclaimers(block) == (
        "Dear Ciara,\nWe regret to tell you that you were not successful on this occasion."
    )
    footer = (
        "This email is confidential and meant for the addressee only.\n"
        "If it reached you in error, tell the sender and delete it."
    )
    assert drop_disclaimers(f"Thanks,\nJo\n\n{footer}") == "Thanks,\nJo"


def test_html_only_mail_reads_like_the_plain_text_it_carries() -> None:
    letter = (
        "Dear Sam,\n\nThank you for interviewing with us for the Data Analyst role. We have "
        "decided not to take your application further.\n\nYour SQL exercise was strong, but "
        "the panel wanted more experience with stakeholders.\n\nBest wishes,\nJo"
    )
    from_html = reading_text(None, as_html(letter))
    assert "not to take your application further" in from_html
    assert "experience with stakeholders" in from_html


def test_the_label_model_reads_words_not_line_breaks() -> None:
    body = "Thank you for applying for the Data Analyst role.\nWe will be in touch."
    one = EmailText("a", "Your application", "Jobs <jobs@acme.test>", body)
    other = EmailText("a", "Your application", "Jobs <jobs@acme.test>", body.replace("\n", " "))
    assert label_text(one) == label_text(other)
    assert "\n" not in label_text(one).split("\n", 2)[2].rsplit("\n", 1)[0]


def test_the_gap_model_reads_a_wrapped_sentence_as_one_run_of_words() -> None:
    from bounceback.nlp.modeltext import gap_text

    one = "She noted you weren't aware that we only lend in England and Wales."
    wrapped = "She noted you weren't aware\nthat we only lend in England\r\nand Wales."
    assert gap_text(wrapped) == gap_text(one)
