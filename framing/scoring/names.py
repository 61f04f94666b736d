"""Plain names of the features, for every place a researcher reads them (report, dashboard,
the ``finding`` sentences of the tables). The code (``author_voice_share``) stays in the CSV
columns and in tooltips; :data:`framing.scoring.FEATURES` has the full definitions.
"""

from __future__ import annotations

import re

from framing.scoring.features import FEATURES

#: Feature code -> short plain name (a noun phrase that reads in "Fox's <name> is higher").
FEATURE_NAMES: dict[str, str] = {
    "n_sentences": "number of sentences per article",
    "n_words": "number of words per article",
    "n_assertions": "number of assertions per article",
    "author_voice_share": "share of assertions in its own voice",
    "attributed_share": "share of assertions credited to a named source",
    "vague_voice_share": "share of assertions resting on vague sources, hedges or agentless "
    "passives",
    "evaluative_author_claims": "evaluative claims in its own voice per article",
    "loaded_density_author": "loaded words per 100 words of its own wording",
    "loaded_density_paraphrase": "loaded words per 100 words of its paraphrase of sources",
    "loaded_density_quoted": "loaded words per 100 quoted words",
    "loaded_expected_per100": "expected loaded words per 100 words",
    "loaded_expected_author_per100": "expected loaded words per 100 words of its own wording",
    "loaded_score_mean": "mean score of its loaded words",
    "hedging_rate": "hedges per 100 words",
    "n_attributions": "number of attributions per article",
    "direct_quote_share": "share of attributions that are direct quotes",
    "vague_source_share": "share of attributions to anonymous, vague or no sources",
    "anonymous_source_share": "share of attributions to anonymous sources",
    "chain_count": "number of attribution chains per article",
    "agentless_passive_count": "number of agentless passives ('is accused of') per article",
    "evaluative_cue_share": "share of speech verbs that judge what was said ('claimed')",
    "question_count": "number of questions per article",
    "bias_probability_mean": "mean sentence bias probability",
    "sources_named_person": "number of attributions to named people per article",
    "sources_named_org": "number of attributions to named organisations per article",
    "sources_official": "number of attributions to officials per article",
    "sources_media": "number of attributions to media per article",
    "sources_anonymous": "number of attributions to anonymous sources per article",
    "sources_vague": "number of attributions to vague sources per article",
    "sources_none": "number of attributions credited to nobody per article",
}

#: Features whose values are shares (0-1), shown as percentages.
SHARE_FEATURES = frozenset(k for k in FEATURES if k.endswith("_share"))


def feature_name(code: str) -> str:
    """The plain name of a feature code; the code itself when it has none."""
    return FEATURE_NAMES.get(code, code)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 article', '2 articles', '0 articles' ('1 query', '3 queries' with ``many``)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


#: Column code of a table (CSV header) -> the plain name a researcher reads above it. The CSV
#: files keep the codes; the dashboard and the report show these names (the code in a tooltip).
COLUMN_NAMES: dict[str, str] = {
    "event": "event",
    "outlet": "outlet",
    "group": "outlet group",
    "level": "compared",
    "source": "source",
    "kind": "kind",
    "role": "role",
    "n": "attributions",
    "n_attributions": "attributions",
    "n_direct_quotes": "direct quotes",
    "n_reported": "reported speech",
    "n_chain_origin": "first in a chain",
    "n_articles": "articles",
    "n_outlets": "outlets",
    "only_this_outlet": "only this outlet",
    "n_outlets_mentioning": "outlets mentioning it",
    "label_kind": "name or description",
    "identified": "identified",
    "actor": "actor",
    "actor_type": "kind of actor",
    "actor_mentions": "mentions (all outlets)",
    "label": "word used",
    "count": "times used",
    "share_of_outlet_mentions": "share of the outlet's mentions",
    "grouped_by": "grouped by",
    "example_1": "example",
    "example_2": "second example",
    "rank": "rank",
    "term": "term",
    "n_words": "words",
    "count_others": "times used by the others",
    "per_1000_words": "per 1,000 words",
    "log_odds": "log-odds ratio",
    "z": "z-score",
    "claim_id": "claim",
    "claim": "claim (representative sentence)",
    "lead": "in a headline or lead",
    "n_independent": "outlets in their own words",
    "carried_by": "carried by",
    "omitted_by": "not carried by",
    "carried_via_copy": "carried only via a copy",
    "carried_elsewhere_by": "carried in a sentence of another claim by",
    "speaker": "credited to",
    "carries": "carries it",
    "n_sentences": "sentences",
    "article_ids": "articles",
    "sentences": "sentences",
    "a": "first",
    "b": "second",
    "feature": "feature",
    "measures": "what it measures",
    "n_a": "articles (first)",
    "n_b": "articles (second)",
    "mean_a": "mean (first)",
    "mean_b": "mean (second)",
    "difference": "difference",
    "difference_low": "difference, low end",
    "difference_high": "difference, high end",
    "p_value": "p (permutation test)",
    "p_adjusted_bh": "p adjusted for many tests",
    "hedges_g": "effect size (Hedges' g)",
    "cliffs_delta": "effect size (Cliff's delta)",
    "holds": "difference holds",
    "note": "note",
    "notes": "notes",
    "week": "week of",
    "mean": "mean",
    "low": "low end",
    "high": "high end",
    "record": "record",
    "status": "status",
    "reason": "reason",
    "part": "part",
    "source kind": "kind of source",
    "cue": "cue",
    "content": "content",
    "via": "via",
    "article_id": "article",
    "title": "headline",
    "published": "published",
    "language": "language",
    "flags": "flags",
}

#: Statistics of the side-by-side table's per-outlet columns ("Alpha: mean").
_STAT_NAMES = {"mean": "mean", "low": "low end", "high": "high end", "articles": "articles"}


def column_name(code: str) -> str:
    """The plain name of a table column: a feature's name, a column's name, 'Alpha: low end'
    for the side-by-side table's 'Alpha: low'; the code itself when it has none."""
    if code in COLUMN_NAMES:
        return COLUMN_NAMES[code]
    if code in FEATURE_NAMES:
        return FEATURE_NAMES[code]
    if ": " in code:
        outlet, stat = code.rsplit(": ", 1)
        if stat in _STAT_NAMES:
            return f"{outlet}: {_STAT_NAMES[stat]}"
    return code


#: Kinds of flag an article can carry (framing.ingest) -> what they mean, in words.
FLAG_NAMES: dict[str, str] = {
    "exact_duplicate": "same text as another article",
    "near_duplicate": "nearly the same text as another article",
    "sanitized": "text cleaned on reading",
    "language_unknown": "language not detected",
    "language_uncertain": "language uncertain",
    "language_mismatch": "language differs from the one declared",
    "many_quotes": "too many quotation marks to read quotes",
}


def flag_name(kind: str) -> str:
    """The plain name of a flag kind; the kind with spaces for underscores when it has none."""
    return FLAG_NAMES.get(kind, kind.replace("_", " "))


_SIMILARITY = re.compile(r"\b(\d(?:\.\d+)?) with ")


def flag_detail(detail: str) -> str:
    """A flag's detail in words: 'shingle Jaccard 0.92 with a7 (Dawn), 0.71 with b2 (Wire)'
    reads '92% of five-word sequences shared with a7 (Dawn), 71% with b2 (Wire)'."""
    if not detail.startswith("shingle Jaccard "):
        return detail
    rest = _SIMILARITY.sub(lambda m: f"{float(m[1]) * 100:.0f}% with ", detail[16:])
    return rest.replace(" with ", " of five-word sequences shared with ", 1)
