"""Plain names of the features, for every place a researcher reads them (report, dashboard,
the ``finding`` sentences of the tables). The code (``author_voice_share``) stays in the CSV
columns and in tooltips; :data:`framing.scoring.FEATURES` has the full definitions.
"""

from __future__ import annotations

from framing.scoring.features import FEATURES

#: Feature code -> short plain name (a noun phrase that reads in "Fox's <name> is higher").
FEATURE_NAMES: dict[str, str] = {
    "n_sentences": "sentences",
    "n_words": "words",
    "n_assertions": "assertions",
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
    "n_attributions": "attributions",
    "direct_quote_share": "share of attributions that are direct quotes",
    "vague_source_share": "share of attributions to anonymous, vague or no sources",
    "anonymous_source_share": "share of attributions to anonymous sources",
    "chain_count": "attribution chains",
    "agentless_passive_count": "agentless passives ('is accused of')",
    "evaluative_cue_share": "share of speech verbs that judge what was said ('claimed')",
    "question_count": "questions",
    "bias_probability_mean": "mean sentence bias probability",
    "sources_named_person": "attributions to named people",
    "sources_named_org": "attributions to named organisations",
    "sources_official": "attributions to officials",
    "sources_media": "attributions to media",
    "sources_anonymous": "attributions to anonymous sources",
    "sources_vague": "attributions to vague sources",
    "sources_none": "assertions credited to nobody",
}

#: Features whose values are shares (0-1), shown as percentages.
SHARE_FEATURES = frozenset(k for k in FEATURES if k.endswith("_share"))


def feature_name(code: str) -> str:
    """The plain name of a feature code; the code itself when it has none."""
    return FEATURE_NAMES.get(code, code)
