"""Hand-written analysed articles (no spaCy): the dashboard, store and report tests share them.

Each sentence is written out with its annotations, and offsets are found with ``str.find`` so the
expected values stay readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from framing.models import (
    AnalyzedArticle,
    Article,
    Attribution,
    Comparison,
    Entity,
    IngestResult,
    LoadedSpan,
    Rejection,
    RunMetadata,
    SentenceAnalysis,
    Source,
    Span,
)
from framing.nlp.pipeline import PIPELINE_VERSION

HOSTILE_OUTLET = "<script>window.__pwned=1</script>Evil Times"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=2">Headline'
HOSTILE_TEXT_PAYLOAD = '<img src=x onerror="window.__pwned=3">'


@dataclass
class Sent:
    """One sentence: text, voice, loaded words (word, speaker) and an optional attribution."""

    text: str
    voice: str = "author"
    loaded: Sequence[tuple[str, str, float, tuple[str, ...]]] = ()
    source: tuple[str, str] | None = None  # (source phrase, source kind)
    cue: str | None = None
    content: str | None = None
    kind: str = "reported"
    extra: dict[str, object] = field(default_factory=dict)


def build(article: Article, sents: Sequence[Sent]) -> AnalyzedArticle:
    """An AnalyzedArticle whose text is the sentences joined by single spaces."""
    out: list[SentenceAnalysis] = []
    pos = 0
    text = article.text
    for i, s in enumerate(sents):
        start = text.index(s.text, pos)
        end = start + len(s.text)
        pos = end
        attrs: tuple[Attribution, ...] = ()
        if s.source is not None:
            src_text, src_kind = s.source
            ss = text.index(src_text, start)
            cue = None
            if s.cue is not None:
                cs = text.index(s.cue, start)
                cue = Span(cs, cs + len(s.cue))
            content = s.content or s.text
            co = text.index(content, start)
            attrs = (
                Attribution(
                    s.kind,
                    Span(co, co + len(content)),
                    Source(src_text, src_kind, Span(ss, ss + len(src_text))),
                    cue,
                    s.cue,
                ),
            )
        loaded = []
        for word, speaker, score, cats in s.loaded:
            ws = text.index(word, start)
            loaded.append(LoadedSpan(Span(ws, ws + len(word)), word, score, cats, speaker))
        out.append(
            SentenceAnalysis(
                i,
                Span(start, end),
                s.text,
                s.voice,
                attrs,
                tuple(loaded),
                (),
                len(s.text.split()),
                s.voice != "question",
                None,
            )
        )
    ents = (Entity(Span(0, 4), text[0:4], "ORG"),)
    return AnalyzedArticle(article, tuple(out), ents, PIPELINE_VERSION)


def _art(
    aid: str, outlet: str, sents: Sequence[Sent], title: str, event: str = "ev-1"
) -> AnalyzedArticle:
    text = " ".join(s.text for s in sents)
    article = Article(aid, outlet, text, title=title, event=event, group=outlet.split()[0])
    return build(article, sents)


def tiny_corpus() -> tuple[IngestResult, list[AnalyzedArticle]]:
    """Five articles from three outlets (one hostile) in one event, plus one rejection."""
    analyzed = [
        _art(
            "a-1",
            "Alpha News",
            [
                Sent(
                    "The cowardly attack exposes the regime's lies.",
                    loaded=[("cowardly", "author", 0.9, ("evaluative",))],
                ),
                Sent(
                    "Police chief Ann Lee said the suspects fled.",
                    voice="attributed",
                    source=("Police chief Ann Lee", "named_person"),
                    cue="said",
                    content="the suspects fled",
                ),
            ],
            "Alpha one",
        ),
        _art(
            "a-2",
            "Alpha News",
            [
                Sent(
                    "Officials said the terrorists were brutal.",
                    voice="vague",
                    loaded=[("brutal", "Officials", 0.8, ("intensifier",))],
                    source=("Officials", "vague"),
                    cue="said",
                    content="the terrorists were brutal",
                ),
                Sent("Markets opened on time."),
            ],
            "Alpha two",
        ),
        _art(
            "b-1",
            "Beta Wire",
            [
                Sent("The militants left the city."),
                Sent(
                    "According to the ministry, two people died.",
                    voice="attributed",
                    source=("the ministry", "official"),
                    cue="According to",
                    content="two people died",
                    kind="according_to",
                ),
            ],
            "Beta one",
        ),
        _art(
            "b-2",
            "Beta Wire",
            [Sent("Rescue teams arrived after dawn."), Sent("Who is to blame?", voice="question")],
            "Beta two",
        ),
        _art(
            "h-1",
            HOSTILE_OUTLET,
            [
                Sent(
                    f"The shameful {HOSTILE_TEXT_PAYLOAD} cover-up continues.",
                    loaded=[("shameful", "author", 0.7, ("evaluative",))],
                ),
            ],
            HOSTILE_TITLE,
        ),
    ]
    ingest = IngestResult(
        tuple(a.article for a in analyzed),
        (Rejection("upload.jsonl:7", "missing outlet <b>bold</b>"),),
        (),
        6,
    )
    return ingest, analyzed


def run_meta() -> RunMetadata:
    return RunMetadata("0.1.0", PIPELINE_VERSION, {"spacy_model": "test"}, {"seed": 1}, "abc123", 1)


def comparisons(
    analyzed: Sequence[AnalyzedArticle], bootstrap_samples: int = 200
) -> list[Comparison]:
    """Outlet and group profiles per event, as api.compare builds them, without the cross-outlet
    tables (those need the sentence encoder; the dashboard reads them from CSV files)."""
    from framing.compare.profiles import build_profiles
    from framing.scoring import FEATURES, score_articles

    out = []
    for event in sorted({a.article.event for a in analyzed}, key=lambda e: e or ""):
        arts = [a for a in analyzed if a.article.event == event]
        scores = score_articles(arts)
        profiles = build_profiles(scores, list(FEATURES), bootstrap_samples, 0.95, 1)
        groups = build_profiles(scores, list(FEATURES), bootstrap_samples, 0.95, 1, by="group")
        out.append(
            Comparison(event, tuple(profiles), tuple(scores), run_meta(),
                       group_profiles=tuple(groups))
        )
    return out


def demo_over_events(path: Path, n_events: int, event_name: str = "event {k:02d}") -> Path:
    """The demo articles spread over ``n_events`` events, two articles each (copies get new
    ids), written to ``path`` as JSONL; ``event_name`` is formatted with ``k``."""
    import json

    from framing.api import demo_corpus_path

    rows = [json.loads(line) for line in
            demo_corpus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for k in range(n_events):
        for j in range(2):
            r = dict(rows[(2 * k + j) % len(rows)])
            r["id"] = f"{r['id']}-{k}-{j}"
            r["event"] = event_name.format(k=k)
            out.append(r)
    path.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    return path
