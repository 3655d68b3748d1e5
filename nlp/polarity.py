"""Polarity of a feedback sentence: is its only claim praise?

The gap model is a bag of words, so "Your Python and pandas work was tidy" looks like a
skill gap: it names a skill and reads like feedback, and word order and polarity are
invisible to it. :func:`praise_only` is the small rule layer on top: a sentence with a
praise cue ("was tidy", "impressed us", "really enjoyed") and *no* cue of a shortcoming,
contrast or requirement ("but", "however", "although", "would have liked", "lacked",
"not", "more", "needed"...) is praise and never a gap.

The rule is deliberately one-sided: it only ever removes a gap, and any hint of a
shortcoming leaves the decision to the model. A praise clause that the segmenter cut
off a contrast ("Your Python was strong," | "the SQL round showed gaps") is dropped,
while the other clause is still classified on its own.
"""

from __future__ import annotations

import re

__all__ = ["has_praise", "has_shortcoming", "praise_only"]

# Praise: evaluative words and phrases that, on their own, say something went well.
_PRAISE = re.compile(
    r"""\b(?:
        impress(?:ed|ive|ively)
      | excellent | outstanding | exceptional | superb | fantastic | brilliant | terrific
      | wonderful | great | lovely | faultless | flawless | exemplary | first[-\s]class
      | strong | strongest | solid | good | tidy | neat | neatly | polished | elegant
      | idiomatic | thoughtful | compelling | confident | confidently | fluent | thorough
      | methodical | meticulous | spot[-\s]on | top[-\s]notch | accomplished | nicely
      | beautifully | enjoy(?:ed|able) | loved | liked | appreciated | delighted | pleased
      | stood\s+out | stand[-\s]?out | highlights? | strengths? | asset | a\s+(?:big\s+)?plus
      | rated\s+(?:\w+\s+){0,3}highly | highly\s+rated
      | (?<!\bas\s)well[-\s]+(?:documented|structured|organi[sz]ed|prepared|presented
            |written|reasoned|paced|commented|tested|thought[-\s]out|explained|executed
            |designed|judged|pitched|received|crafted|argued|laid\s+out)
      # "went well", "did really well"; not "ran well over the time", "went well past"
      | (?:went|did|performed|interviewed|handled|answered|coped|worked)\s+(?:\w+\s+)?
            (?:really\s+|very\s+|extremely\s+)?well(?!\s+(?:over|beyond|past|outside))
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)

# Anything that points at a shortcoming, a contrast, a requirement or a comparison keeps
# the sentence with the model. The list is broad on purpose: a miss here only means the
# model decides, as it did before the rule existed.
_SHORTCOMING = re.compile(
    r"""(?:\b(?:
        but | however | although | though | while | whilst | whereas | yet | despite
      | except | unfortunately | nevertheless | nonetheless | only | just | alone
      | apart\ from | other\ than | that\ said | on\ the\ other\ hand | rather\ than
      | instead | outweigh\w* | edged | ahead | compared | comparison | relative\w*
      | not | no | nor | never | none | neither | nothing | without | cannot | unable
      | lack\w* | limited | little | few | fewer | less | least | insufficient\w*
      | missing | missed | miss | absent | weak\w* | poor\w* | gap | gaps | shallow
      | struggl\w* | difficult\w* | concern\w* | issue | issues | problem | problems
      | error | errors | mistake\w* | bug | bugs | wrong | incorrect\w* | inaccura\w*
      | unclear | vague | generic | superficial | basic | thin | light | slow | rushed
      | too | enough | more | further | deeper | stronger | better | broader | greater
      | additional | extra | most | other | another | successful\ candidate\w*
      | would | could | should | might | must | wish | wished | hoped | hoping
      | expect\w* | need | needs | needed | needing | require\w* | essential | necessary
      | desirable | ideally | looking\ for | seeking | want | wanted | prefer\w*
      | improv\w* | develop | developing | work\ on | room | focus | brush\w*
      | if | unless | whether | until | still
      | below | above | short | fell | falls | fall | failed | fail\w* | didn | doesn
      | wasn | weren | isn | aren | hadn | haven | hasn | couldn | wouldn | shouldn
      | appointed | chosen | selected | hired | priorit\w* | have\ (?:liked|loved|hoped)
    )\b | n't\b | n’t\b | \w['’]d\b | [?])""",
    re.IGNORECASE | re.VERBOSE,
)


def has_praise(sentence: str) -> bool:
    """True if the sentence contains a praise cue."""
    return _PRAISE.search(sentence) is not None


def has_shortcoming(sentence: str) -> bool:
    """True if the sentence contains any cue of a shortcoming, contrast or requirement."""
    return _SHORTCOMING.search(sentence) is not None


def praise_only(sentence: str) -> bool:
    """True if the sentence's only claim is praise: a praise cue and no shortcoming cue."""
    return has_praise(sentence) and not has_shortcoming(sentence)
