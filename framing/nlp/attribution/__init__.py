"""Attribution: who stands behind each assertion, from quotes and the dependency parse.

One concern per module:

* ``quotes``: quote finding (tolerant of unbalanced and re-opened marks);
* ``cues``: the cue-verb lexicon and its stance, which tokens can be a cue (one test for training
  and run time), cue groups;
* ``hedges``: hedge adverbs and agentless passives (one helper for both paths);
* ``sources``: source typing and resolution (pronouns, surnames, acronyms, documents, "citing");
* ``content``: content spans (complement clauses, inverted clauses, "according to");
* ``turns``: transcript speaker turns, dash sign-offs, orphan quotes, datelines;
* ``extract``: the rules path, the learned path and :func:`extract_attributions`;
* ``tokens``: small helpers over the parse shared by all of them.

Word lists live in ``framing/resources/attribution/`` (see the resources README).
"""

from __future__ import annotations

from framing.nlp.attribution.cues import (
    cue_candidate,
    cue_lemmas,
    cue_stance,
    is_cue_candidate,
    is_cue_verb,
)
from framing.nlp.attribution.extract import (
    extract_attributions,
    extract_attributions_rules,
    head_info,
)
from framing.nlp.attribution.quotes import find_quotes
from framing.nlp.attribution.sources import classify_source, ents_within, source_nouns

__all__ = [
    "classify_source",
    "cue_candidate",
    "cue_lemmas",
    "cue_stance",
    "ents_within",
    "extract_attributions",
    "extract_attributions_rules",
    "find_quotes",
    "head_info",
    "is_cue_candidate",
    "is_cue_verb",
    "source_nouns",
]
