"""Keep spaCy's tokenizer cache useful for mail: warm it one word at a time.

The tokenizer caches how it split each whitespace-separated chunk, but only until the
first special case of a document (a newline, "don't", "e.g."): after one, spaCy 3.8
saves nothing more for that document. Every text the label model reads has a newline
after its subject, so without help nearly every body word goes through the prefix,
suffix and infix expressions again in every email, which is most of the tokenizer's
time. Tokenizing each new word once on its own fills the cache; the split of a chunk
never depends on its neighbours, so the documents come out the same, only faster.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["TokenizerWarmer"]

#: Words remembered at most; past this, new words are no longer warmed (spaCy's own cache
#: keeps growing either way, so this only bounds the extra memory of the set below).
MAX_WORDS = 500_000


class TokenizerWarmer:
    """Remembers which words a pipeline's tokenizer has cached, and caches new ones."""

    def __init__(self, model: Language, max_words: int = MAX_WORDS) -> None:
        from spacy.tokenizer import Tokenizer  # a model is loaded: spaCy is imported already

        # A custom tokenizer (not spaCy's rule-based one) has no such cache: nothing to warm.
        tokenizer = model.tokenizer
        self._tokenizer = tokenizer if isinstance(tokenizer, Tokenizer) else None
        self._seen: set[str] = set()
        self._max_words = max_words

    def warm(self, texts: Iterable[str]) -> None:
        """Tokenize, on its own, every chunk of ``texts`` this tokenizer has not seen."""
        seen = self._seen
        if self._tokenizer is None or len(seen) >= self._max_words:
            return
        new: list[str] = []
        for text in texts:
            for word in text.split():
                if word not in seen:
                    seen.add(word)
                    new.append(word)
        for _ in self._tokenizer.pipe(new):
            pass
