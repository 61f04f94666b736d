"""Frozen dataclasses shared by every layer: the only cross-layer types.

All offsets are character offsets into ``Article.text`` (``start`` inclusive, ``end`` exclusive).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

SourceKind = Literal["named_person", "named_org", "official", "media", "anonymous", "vague", "none"]
AttributionKind = Literal[
    "direct_quote", "reported", "according_to", "chain", "agentless_passive", "hedged"
]
Voice = Literal["author", "attributed", "vague", "question", "other"]

SOURCE_KINDS: tuple[str, ...] = (
    "named_person",
    "named_org",
    "official",
    "media",
    "anonymous",
    "vague",
    "none",
)
ATTRIBUTION_KINDS: tuple[str, ...] = (
    "direct_quote",
    "reported",
    "according_to",
    "chain",
    "agentless_passive",
    "hedged",
)
VOICES: tuple[str, ...] = ("author", "attributed", "vague", "question", "other")
#: The outlet group of articles that name none (``Article.group`` is None).
NO_GROUP = "(no group)"
#: Source kinds whose holder cannot be identified by the reader.
UNIDENTIFIED_SOURCE_KINDS: frozenset[str] = frozenset({"anonymous", "vague", "none"})


@dataclass(frozen=True)
class Article:
    """One news article as ingested."""

    id: str
    outlet: str
    text: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    #: ISO 639-1 code: the detected language (``framing.ingest.language``), else the declared one.
    language: str | None = None
    event: str | None = None
    group: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into an article's text."""

    start: int
    end: int
    label: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end})")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class Source:
    """Who an assertion is credited to."""

    name: str
    kind: str  # one of SOURCE_KINDS
    span: Span | None = None
    role: str | None = None  # title or role when given ("Military analyst")


@dataclass(frozen=True)
class Attribution:
    """An assertion (``content``) credited to a ``source`` through a ``cue``."""

    kind: str  # one of ATTRIBUTION_KINDS
    content: Span
    source: Source
    cue: Span | None = None
    cue_lemma: str | None = None
    cue_stance: str | None = None  # of the cue lemma: "neutral", "evaluative" or "epistemic"
    parent: Attribution | None = None  # for chains: the attribution this one is cited within


@dataclass(frozen=True)
class LoadedSpan:
    """A loaded-language span with a score in [0, 1], charged to its speaker."""

    span: Span
    text: str
    score: float
    categories: tuple[str, ...]
    #: Whoever chose the words: a source's name only inside quotation marks credited to it
    #: (direct quotes, quoted fragments); paraphrase, the cue verb and the rest are "author".
    speaker: str
    #: The source whose claim the span sits in when the words are the outlet's paraphrase of it
    #: (reported speech, according to, chains), else None.
    reported_for: str | None = None


@dataclass(frozen=True)
class SentenceAnalysis:
    """Everything measured on one sentence."""

    index: int
    span: Span
    text: str
    voice: str  # one of VOICES
    attributions: tuple[Attribution, ...] = ()
    loaded: tuple[LoadedSpan, ...] = ()
    hedges: tuple[Span, ...] = ()
    n_words: int = 0
    is_assertion: bool = True
    bias_probability: float | None = None
    #: Expected number of loaded words: the sum of the model's calibrated word probabilities
    #: (None in lexicon-only mode).
    loaded_expected: float | None = None
    #: The part of ``loaded_expected`` in words the outlet chose (outside quotation marks, its
    #: paraphrase of sources included; :func:`framing.nlp.voice.charge`).
    loaded_expected_author: float | None = None
    #: "title" (offsets into Article.title) or "body" (offsets into Article.text)
    part: str = "body"
    #: The article's quotation-mark regions inside this sentence (a quotation opened in an
    #: earlier sentence or paragraph included): whose words a loaded span is.
    quoted: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Entity:
    """A named entity mention."""

    span: Span
    text: str
    label: str


@dataclass(frozen=True)
class AnalyzedArticle:
    """An article with its sentence-level analysis."""

    article: Article
    sentences: tuple[SentenceAnalysis, ...]
    entities: tuple[Entity, ...]
    pipeline_version: str


@dataclass(frozen=True)
class ArticleScores:
    """Per-article features; names come from ``framing.scoring.FEATURES``."""

    article_id: str
    outlet: str
    event: str | None
    group: str | None
    features: Mapping[str, float]

    def unit(self, by: str = "outlet") -> str:
        """The outlet (``by="outlet"``) or outlet group (``by="group"``) this article counts in."""
        return self.outlet if by == "outlet" else (self.group or NO_GROUP)


@dataclass(frozen=True)
class Rejection:
    """An input record that was not analysed, and why."""

    record: str  # "path:line" or "path" naming the record
    reason: str
    id: str | None = None
    #: Set for an article left out for its language (so coverage can be counted per outlet).
    outlet: str | None = None
    #: ISO 639-1 code of an article left out for its language.
    language: str | None = None


@dataclass(frozen=True)
class Flag:
    """A note on an accepted article (near-duplicate, non-English, ...)."""

    article_id: str
    kind: str
    detail: str


@dataclass(frozen=True)
class IngestResult:
    """Accepted articles plus the accounting of everything that was read."""

    articles: tuple[Article, ...]
    rejections: tuple[Rejection, ...]
    flags: tuple[Flag, ...]
    n_read: int


@dataclass(frozen=True)
class Estimate:
    """A mean with a 95% bootstrap interval; ``low``/``high`` are None when not estimable."""

    mean: float | None
    low: float | None
    high: float | None
    n: int
    note: str = ""


@dataclass(frozen=True)
class OutletProfile:
    """One outlet's (or outlet group's) features with uncertainty."""

    outlet: str
    n_articles: int
    features: Mapping[str, Estimate]


@dataclass(frozen=True)
class Contrast:
    """``a`` minus ``b`` on one feature; None where not estimable (see ``note``)."""

    event: str | None
    level: str  # "outlet" or "group"
    a: str
    b: str
    feature: str
    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    p_adjusted: float | None
    hedges_g: float | None
    cliffs_delta: float | None
    note: str = ""


@dataclass(frozen=True)
class Term:
    """One distinctive term of an outlet."""

    outlet: str
    term: str
    n_words: int
    count: int
    count_others: int
    per_1000: float  # occurrences per 1,000 tokens of the outlet
    log_odds: float
    z: float
    rank: int


@dataclass(frozen=True)
class LabelRow:
    """How often one outlet uses one label for one actor, with example sentences."""

    event: str | None
    actor: str
    actor_type: str
    actor_mentions: int
    outlet: str
    label: str
    count: int
    share: float  # of this outlet's mentions of this actor
    link: str
    examples: tuple[str, ...]
    #: "name": a name variant of the actor ("Strzok" / "Peter Strzok"); "description": words
    #: beside a name that describe it ("a former FBI lawyer"), ``link`` saying how they stand
    kind: str = "name"


@dataclass(frozen=True)
class ClaimSentence:
    """One candidate sentence."""

    outlet: str
    article_id: str
    index: int
    part: str  # "title" or "body"
    text: str
    #: Who asserts it: the identified source the sentence is credited to (None: the outlet's
    #: own voice, or a source nobody can identify).
    speaker: str | None = None
    #: The factual core the sentence is compared on (None: its text): the outlet's loaded words
    #: and evaluative modifiers dropped, a closing "..., police said" cut, numbers normalised
    #: (:func:`framing.compare.claims.core_text`).
    core: str | None = None
    #: In the headline or the first sentences of the body (None: judged by ``index``).
    lead: bool | None = None


@dataclass(frozen=True)
class Claim:
    """A cluster of sentences making (about) the same assertion."""

    claim_id: int  # 1-based, in rank order
    representative: ClaimSentence  # the medoid sentence
    sentences: tuple[ClaimSentence, ...]
    outlets: tuple[str, ...]  # outlets carrying the claim, sorted
    omitted_by: tuple[str, ...]  # outlets of the event none of whose sentences carries it, sorted
    is_lead: bool
    first_index: int  # smallest sentence index among the claim's sentences
    #: outlets carrying the claim only through copies of another carrying outlet's article
    via_copy: tuple[str, ...] = ()
    #: The identified speaker of its sentences (None: the outlets' own voice or unidentified)
    speaker: str | None = None
    #: Outlets without a sentence in the claim whose sentences elsewhere carry it (a lead that
    #: states several facts at once): not among ``omitted_by``
    carried_elsewhere: tuple[str, ...] = ()

    @property
    def n_independent(self) -> int:
        """Outlets carrying the claim in their own (not syndicated) articles."""
        return len(self.outlets) - len(self.via_copy)


@dataclass(frozen=True)
class SourceCount:
    """One identified source as cited by one outlet for one event."""

    event: str | None
    outlet: str
    source: str
    kind: str
    role: str | None
    n_attributions: int
    n_direct_quotes: int
    n_reported: int
    n_chain_origin: int
    n_articles: int
    n_outlets: int
    only_this_outlet: bool
    identified: bool = True
    #: The person or organisation the source is (:mod:`framing.compare.actors`), named the same
    #: way for every outlet of the event ("" for a source that is not a name: "some analysts")
    actor: str = ""
    #: Outlets of the event whose articles mention the source at all (cite it or name it);
    #: ``only_this_outlet`` is true when that is this outlet alone. None when not counted.
    n_outlets_mentioning: int | None = None


@dataclass(frozen=True)
class WeekRow:
    """One outlet's figure for one week of an event."""

    event: str | None
    outlet: str
    week: str  # Monday of the ISO week, YYYY-MM-DD
    n_articles: int
    feature: str
    mean: float | None
    low: float | None
    high: float | None
    note: str = ""


@dataclass(frozen=True)
class RunMetadata:
    """Versions, models and settings attached to every output."""

    package_version: str
    pipeline_version: str
    models: Mapping[str, str]
    settings: Mapping[str, Any]
    settings_hash: str
    seed: int


@dataclass(frozen=True)
class Comparison:
    """One event's outlet profiles and cross-outlet tables, with run metadata.

    The tables are empty where a step has nothing to compare (one outlet, one group, one week).
    """

    event: str | None
    profiles: tuple[OutletProfile, ...]
    scores: tuple[ArticleScores, ...]
    run: RunMetadata
    #: Profiles of outlet groups (``Article.group``; one NO_GROUP profile when none is given).
    group_profiles: tuple[OutletProfile, ...] = ()
    #: Every pair of outlets on every feature (``level == "outlet"``).
    contrasts: tuple[Contrast, ...] = ()
    #: Every pair of groups on every feature; empty unless the event has two or more groups.
    group_contrasts: tuple[Contrast, ...] = ()
    terms: tuple[Term, ...] = ()
    labels: tuple[LabelRow, ...] = ()
    #: Claims aligned across outlets; None when they were not aligned (``claims_note`` says why).
    claims: tuple[Claim, ...] | None = None
    claims_note: str = ""
    sources: tuple[SourceCount, ...] = ()
    #: Per outlet and week; empty unless some outlet's articles span more than a week.
    over_time: tuple[WeekRow, ...] = ()
