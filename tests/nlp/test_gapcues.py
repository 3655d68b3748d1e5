"""The gap model's category cues: one token per phrase that tells categories apart."""

from __future__ import annotations

import pytest

from bounceback.nlp.analyzer import gap_text
from bounceback.nlp.gapcues import category_cues


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("You haven't run a kitchen pass on your own before.", "cuenotdone"),
        ("You've only flown the type in the simulator.", "cuenotdone"),
        ("You said sales went up but couldn't say by how much.", "cuenoresult"),
        ("None of your examples had any figures for the savings.", "cuenoresult"),
        ("You weren't aware of our merger last spring.", "cueemployer"),
        ("Your answers were hard to follow.", "cuedelivery"),
        ("The post needs a full driving licence.", "cuelogistics"),
        ("What held us back was your forecasting.", "cueverdict"),
    ],
)
def test_a_cue_fires_on_its_phrase(sentence: str, cue: str) -> None:
    assert cue in category_cues(sentence)
    assert cue in gap_text(sentence).split()


def test_plain_praise_and_logistics_free_text_carry_no_cue() -> None:
    assert category_cues("Thank you for coming in on Tuesday.") == []
    assert category_cues("Your SQL was accurate and well laid out.") == []


def test_the_quick_key_test_never_hides_a_cue() -> None:
    from bounceback.nlp.gapcues import CATEGORY_CUES
    from bounceback.nlp.scoring import CORPUS_DIR, load_jsonl

    sentences = [
        record["text"]
        for name in ("gaps.train.jsonl", "gaps.dev.jsonl")
        for record in load_jsonl(CORPUS_DIR / name)
    ]
    full = [[name for name, cue in CATEGORY_CUES if cue.search(s)] for s in sentences]
    assert sum(map(len, full)) > 300  # the cues do fire on the corpus
    assert [category_cues(s) for s in sentences] == full
