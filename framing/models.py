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
    #: "title" (offsets into Article.title) or "body" (offsets into Article.text)
    part: str = "body"


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
    """Outlet profiles for one corpus (optionally one event), with run metadata."""

    event: str | None
    profiles: tuple[OutletProfile, ...]
    scores: tuple[ArticleScores, ...]
    run: RunMetadata
    extra: Mapping[str, Any] = field(default_factory=dict)
