"""Plain names of the features, for every place a researcher reads them (report, dashboard,
the ``finding`` sentences of the tables). The code (``author_voice_share``) stays in the CSV
columns and in tooltips; :data:`framing.scoring.FEATURES` has the full definitions.
"""

from __future__ import annotations

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
