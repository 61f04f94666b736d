"""How often real news uses a verb as a speech or thought cue, by frame (PolNeAR's cue rates).

Counted by :mod:`framing.evaluation.cue_rates` (``framing train cue-rates``) from PolNeAR train
(Newell et al. 2018) and shipped as counts in ``resources/attribution/cue_rates.tsv``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from framing.resources import read_table

if TYPE_CHECKING:
    from spacy.tokens import Token

#: A verb whose occurrences of the same frame (with a clause or quotation, or without) were
#: PolNeAR cues less often than this is an act, not speech, in that frame ("raised $58 million",
#: "is looking to", "endorsed Clinton"). Chosen on real-train (see the README's accuracy table).
MIN_CUE_RATE_CLAUSE = 0.35
MIN_CUE_RATE_BARE = 0.66
#: Occurrences below which a lemma's rate is not trusted (the lexicon decides).
MIN_CUE_RATE_COUNT = 5


#: Prepositions that make a phrasal verb of their own ("call for", "weigh in on").
PHRASAL_PREPS = frozenset({"for", "on"})


def frame_lemma(tok: Token) -> str:
    """The verb's lemma, with a preposition right after it that forms a phrasal verb ("call
    for" is a demand, "call" alone mostly naming or telephoning)."""
    lemma = tok.lemma_.lower()
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.dep_ == "prep" and nxt.head.i == tok.i and (
            nxt.lower_ in PHRASAL_PREPS):
        return f"{lemma} {nxt.lower_}"
    return lemma


@cache
def cue_rates() -> dict[str, tuple[float, float]]:
    """Per verb lemma, how often it was a gold cue in PolNeAR train, with a clause or quotation and
    without (Laplace-smoothed; NaN where it was seen fewer than :data:`MIN_CUE_RATE_COUNT`
    times). Learned by :mod:`framing.evaluation.cue_rates`."""
    out: dict[str, tuple[float, float]] = {}
    for row in read_table("attribution/cue_rates.tsv"):
        n_c, k_c, n_b, k_b = (int(row[k]) for k in ("clause", "clause_cue", "bare", "bare_cue"))
        out[row["lemma"]] = (
            (k_c + 1) / (n_c + 2) if n_c >= MIN_CUE_RATE_COUNT else float("nan"),
            (k_b + 1) / (n_b + 2) if n_b >= MIN_CUE_RATE_COUNT else float("nan"),
        )
    return out


def rarely_speech(lemma: str, with_content: bool) -> bool:
    """Real news rarely uses ``lemma`` (a verb, or a phrasal verb such as "call for") as a speech
    or thought cue in this frame (PolNeAR)."""
    rates = cue_rates().get(lemma)
    if rates is None:
        return False
    rate = rates[0] if with_content else rates[1]
    limit = MIN_CUE_RATE_CLAUSE if with_content else MIN_CUE_RATE_BARE
    return rate == rate and rate < limit  # NaN (too few occurrences): no verdict


