"""Warming spaCy's tokenizer cache word by word changes how fast documents come, not what."""

from __future__ import annotations

import spacy

from bounceback.nlp.tokencache import TokenizerWarmer

# Newlines and contractions are special cases: after the first, spaCy caches nothing more
# in that document, which is what the warmer works around.
TEXTS = [
    "thank you for applying\nwe're sorry: the role (ref. R-10442) is filled.\n\nlengthshort",
    "Don't worry, e.g. your C++/node.js work was great!!! see https://jobs.example/x?y=1",
    "we'll be in touch re: the data-engineer role :) \u00a0 ... £52k/yr, 9am–5pm\n- bullet",
    "applying\napplying applying, (applying) applying.\n\napplying's",
]


def tokens(texts: list[str], warm: bool) -> list[list[tuple[str, str, int]]]:
    model = spacy.blank("en")
    warmer = TokenizerWarmer(model)
    docs = []
    for _ in range(2):  # the second pass reads from the cache
        if warm:
            warmer.warm(texts)
        docs = [[(t.text, t.whitespace_, t.idx) for t in doc] for doc in model.pipe(texts)]
    return docs


def test_warmed_documents_are_the_same_documents() -> None:
    assert tokens(TEXTS, warm=True) == tokens(TEXTS, warm=False)


def test_warming_stops_at_its_limit() -> None:
    warmer = TokenizerWarmer(spacy.blank("en"), max_words=3)
    warmer.warm(["one two three four five"])
    warmer.warm(["six seven"])
    assert len(warmer._seen) == 5  # the first text is taken whole, then no more
