"""framing eval basil: alignment, charge, densities and floors on a hand-written BASIL-shaped
fixture (2 invented events x 3 outlets); the real folder only when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.evaluation.basil import (
    PredSpan,
    align_phrase,
    charge_counts,
    gold_density,
    lexicon_prediction,
    load_basil,
    load_mpqa_strong,
    most_loaded_accuracy,
    n_words,
    quote_rule_counts,
    score_basil,
    score_predictions,
    token_prf,
)
from framing.models import AnalyzedArticle, LoadedSpan, SentenceAnalysis, Span

# (event, n, outlet, title, paragraphs, lex spans as (sentence index: 0 = title, then body
# sentences in order; phrase; quote))
ARTICLES = [
    ("ev-a", 1, "fox", "Senator slams reckless ferry plan",
     [["The senator attacked the ferry plan on Monday.",
       "She called it \u201ca disgraceful giveaway\u201d to donors."],
      ["The vote is set for Friday."]],
     [(0, "slams", "no"), (1, "attacked", "no"), (2, "disgraceful giveaway", "yes")]),
    ("ev-a", 2, "NYT", "Senate weighs ferry plan",
     [["Lawmakers debated the ferry plan on Monday."], ["A vote is expected Friday."]],
     []),
    ("ev-a", 3, "hpo", "Senator throws a tantrum over ferry plan",
     [["The senator threw a tantrum about the plan."],
      ["Aides said she was \u201cdeeply frustrated\u201d by the delay.", "The vote is Friday."]],
     [(0, "tantrum", "no"), (1, "tantrum", "no"), (2, "deeply frustrated", "yes")]),
    ("ev-b", 1, "fox", "Mayor unveils harbour budget",
     [["The mayor presented the budget on Tuesday."], ["It adds two ferries."]],
     []),
    ("ev-b", 2, "nyt", "Mayor's bloated budget draws fire",
     [["The mayor unveiled a bloated budget on Tuesday.", "Critics were not amused."]],
     [(0, "bloated", "no"), (1, "bloated", "no")]),
    ("ev-b", 3, "hpo", "Harbour budget unveiled",
     [["The budget, which the mayor called \u201cbold\u201d, adds two ferries."]],
     [(1, "bold", "yes")]),
]

MPQA = (
    "type=strongsubj len=1 word1=disgraceful pos1=adj stemmed1=n priorpolarity=negative\n"
    "type=strongsubj len=1 word1=reckless pos1=adj stemmed1=n priorpolarity=negative\n"
    "type=strongsubj len=1 word1=attack pos1=verb stemmed1=y priorpolarity=negative\n"
    "type=weaksubj len=1 word1=plan pos1=noun stemmed1=n priorpolarity=neutral\n"
)


def _sentences(title: str, paragraphs: list[list[str]]) -> list[str]:
    return [title] + [s for p in paragraphs for s in p]


def write_basil(root: Path) -> Path:
    """The fixture as BASIL lays it out, under ``root/basil``; MPQA under ``root/lexicons``."""
    for event, n, outlet, title, paras, lex in ARTICLES:
        uuid = f"{event}-0000"
        sents = _sentences(title, paras)
        rows = []
        for k, (i, phrase, quote) in enumerate(lex):
            at = sents[i].index(phrase)
            rows.append({"id": f"p{k}", "bias": "lex", "quote": quote, "txt": phrase,
                         "start": at, "end": at + len(phrase), "speaker": "", "aim": "dir",
                         "polarity": "neg", "target": "x", "notes": ""})
        rows.append({"id": "p99", "bias": "inf", "quote": "no", "txt": sents[-1],
                     "start": 0, "end": len(sents[-1])})
        art = root / "basil" / "articles" / "2010"
        ann = root / "basil" / "annotations" / "2010"
        art.mkdir(parents=True, exist_ok=True)
        ann.mkdir(parents=True, exist_ok=True)
        (art / f"{uuid}_{n}.json").write_text(json.dumps({
            "title": title, "source": outlet, "triplet-uuid": event, "date": "2010-01-01",
            "main-event": "x", "main-entities": [], "body-paragraphs": paras}))
        (ann / f"{uuid}_{n}_ann.json").write_text(json.dumps({
            "phrase-level-annotations": rows, "article-level-annotations": {}}))
    (root / "lexicons").mkdir(exist_ok=True)
    (root / "lexicons" / "mpqa_subjclueslen1-HLTEMNLP05.tff.txt").write_text(MPQA)
    return root


def test_alignment_puts_each_lex_span_in_its_part(tmp_path: Path) -> None:
    items = load_basil(write_basil(tmp_path))
    assert [i.outlet for i in items] == ["fox", "nyt", "hpo", "fox", "nyt", "hpo"]
    assert [i.event for i in items][:3] == ["ev-a"] * 3
    first = items[0]
    assert first.article.title == "Senator slams reckless ferry plan"
    assert first.article.text == ("The senator attacked the ferry plan on Monday. She called it "
                                  "\u201ca disgraceful giveaway\u201d to donors.\n\n"
                                  "The vote is set for Friday.")
    assert first.file == "basil/articles/2010/ev-a-0000_1.json"
    slams, attacked, giveaway = first.lex
    assert (slams.part, slams.span) == ("title", Span(8, 13))
    assert (attacked.part, attacked.span) == ("body", Span(12, 20))
    assert giveaway.part == "body" and giveaway.quoted
    assert first.article.text[giveaway.span.start:giveaway.span.end] == "disgraceful giveaway"
    # "tantrum" in title and body: each lands in its own sentence, not the first hit
    hpo = items[2]
    assert [(g.part, g.span.start) for g in hpo.lex[:2]] == [("title", 17), ("body", 20)]
    for item in items:
        for g in item.lex:
            text = item.article.title if g.part == "title" else item.article.text
            assert text is not None and text[g.span.start:g.span.end] == g.text
    assert len(load_basil(tmp_path, limit=1)) == 3


def test_align_falls_back_to_substring_search() -> None:
    part, span = align_phrase("A title", [["One sentence here.", "Two words."]], 40, 44, "Two")
    assert (part, span) == ("body", Span(19, 22))
    with pytest.raises(ValueError, match="no sentence"):
        align_phrase("A title", [["One."]], 0, 3, "zzz", "rec")


def test_charge_counts_author_vs_source(tmp_path: Path) -> None:
    first = load_basil(write_basil(tmp_path))[0]
    slams, attacked, giveaway = first.lex
    pred = [
        PredSpan("title", Span(8, 13), True),  # slams: author, right
        PredSpan("body", Span(12, 20), False),  # attacked charged to a source: wrong
        PredSpan("body", Span(giveaway.span.start, giveaway.span.start + 5), True),  # weak
        PredSpan("body", Span(giveaway.span.start, giveaway.span.end), False),  # best overlap
        PredSpan("title", Span(14, 22), True),  # "reckless": no gold, not charged
    ]
    conf = charge_counts(first, pred)
    assert conf == {("author", "author"): 1, ("author", "source"): 1, ("source", "source"): 1}
    # the quote rule: the quoted giveaway is the source's, the rest the author's
    assert quote_rule_counts(first) == {("author", "author"): 2, ("source", "source"): 1}


def test_densities_spearman_and_most_loaded_on_a_known_case(tmp_path: Path) -> None:
    items = load_basil(write_basil(tmp_path))
    # gold density: lex spans with quote "no" per 100 words of title and body
    assert n_words(items[0].article) == 5 + 8 + 8 + 6
    assert gold_density(items[0]) == pytest.approx(200 / 27)
    # the gold spans themselves, charged as the gold says: a perfect prediction
    perfect = [[PredSpan(g.part, g.span, not g.quoted) for g in i.lex] for i in items]
    r = score_predictions(items, perfect, n_boot=200)
    assert r["spearman"]["rho"] == 1.0 and r["spearman"]["articles"] == 6
    assert r["charge"]["accuracy"] == 1.0 and r["charge"]["charged"] == 9
    assert r["most_loaded_outlet"] == {"accuracy": 1.0, "events": 2, "events_all": 2}
    assert r["token"]["f1"] == 1.0
    # reversed densities: one loaded span per word count rank, most where gold has least
    gold = [gold_density(i) for i in items]
    flipped = [-g for g in gold]
    assert most_loaded_accuracy(items, gold, flipped)["accuracy"] == 0.0
    # a tie between two predicted top outlets shares the credit
    tie = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert most_loaded_accuracy(items, gold, tie)["accuracy"] == 0.75
    empty = score_predictions(items, [[] for _ in items], n_boot=50)
    assert empty["spearman"]["rho"] is None and empty["charge"]["charged"] == 0
    assert token_prf(items, [[] for _ in items])["recall"] == 0.0


def test_lexicon_floor_and_system_score(tmp_path: Path) -> None:
    items = load_basil(write_basil(tmp_path))
    lexicon = load_mpqa_strong(tmp_path / "lexicons" / "mpqa_subjclueslen1-HLTEMNLP05.tff.txt")
    assert lexicon.matches("Attacked") and lexicon.matches("reckless")
    assert not lexicon.matches("plan")  # weak subjective
    floor = lexicon_prediction(items[0].article, lexicon)
    assert [(p.part, p.author) for p in floor] == [("title", True), ("body", True),
                                                    ("body", False)]
    analysed = []
    for i in items:
        loaded = tuple(LoadedSpan(g.span, g.text, 0.9, (), "she" if g.quoted else "author")
                       for g in i.lex if g.part == "body")
        sents = (SentenceAnalysis(0, Span(0, len(i.article.title or "")), i.article.title or "",
                                  "author", part="title"),
                 SentenceAnalysis(1, Span(0, len(i.article.text)), i.article.text, "author",
                                  loaded=loaded))
        analysed.append(AnalyzedArticle(i.article, sents, (), "test"))
    r = score_basil(items, analysed, lexicon, n_boot=100)
    assert r["articles"] == 6 and r["events"] == 2 and r["gold_lex"] == 9
    assert r["system"]["charge"] == {"accuracy": 1.0, "charged": 6, "confusion": {}}
    assert r["floors"]["charge_quote_rule"]["charged"] == 9
    assert r["floors"]["charge_quote_rule_on_system_charged"]["charged"] == 6
    assert r["floors"]["mpqa_strongsubj"]["charge"]["charged"] == 2  # attacked, disgraceful
    with pytest.raises(ValueError, match="not analysed"):
        score_basil(items, analysed[:2])


@pytest.mark.data
def test_real_basil_aligns(shared_data: Path) -> None:
    if not (shared_data / "basil" / "articles").is_dir():
        pytest.skip("no BASIL folder")
    items = load_basil(shared_data)
    assert len(items) % 3 == 0 and len({i.event for i in items}) == len(items) // 3
    for item in items:
        for g in item.lex:
            text = item.article.title if g.part == "title" else item.article.text
            assert text is not None and text[g.span.start:g.span.end] == g.text


@pytest.mark.data
@pytest.mark.slow
def test_real_basil_one_event(shared_data: Path) -> None:
    if not (shared_data / "basil" / "articles").is_dir():
        pytest.skip("no BASIL folder")
    from framing.evaluation import run_eval

    r = run_eval("basil", shared_data, limit=1)
    assert r["articles"] == 3 and r["events"] == 1
    assert r["pipeline_version"] and r["loaded_model"]
    assert 0.0 <= r["system"]["token"]["f1"] <= 1.0
    assert "mpqa_strongsubj" in r["floors"]
