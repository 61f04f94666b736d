"""report.html: self-contained, escaped, nested marks, evidence behind every headline figure."""

from __future__ import annotations

import re

import framing_test_corpus as corpus
import pytest

from framing.models import LoadedSpan, SentenceAnalysis, Span
from framing.report.html import (
    KEY_FEATURES,
    figure_evidence,
    highlight_article,
    highlight_title,
    markup,
    render_report,
)


@pytest.fixture(scope="module")
def report() -> str:
    ingest, analyzed = corpus.tiny_corpus()
    comps = corpus.comparisons(analyzed)
    return render_report(comps, analyzed, ingest, "<script>alert(1)</script> report",
                         {"Extra <i>section</i>": "<p>already escaped body</p>"})


def test_markup_nests_and_escapes() -> None:
    text = "a <b> c d"
    marks = [
        (0, 5, "span", "content", "c"),
        (2, 9, "mark", "author", 'x"y'),  # crosses the end of the first mark
    ]
    assert markup(text, marks) == (
        '<span class="content" title="c">a <mark class="author" title="x&quot;y">&lt;b&gt;'
        '</mark></span><mark class="author" title="x&quot;y"> c d</mark>'
    )
    # Offsets relative to a sentence that starts at 10; marks outside are clipped away.
    assert markup("xyz", [(11, 12, "mark", "quoted", "t"), (0, 5, "mark", "author", "t")], 10) == (
        'x<mark class="quoted" title="t">y</mark>z'
    )


def test_report_is_self_contained(report: str) -> None:
    assert "Content-Security-Policy" in report and "default-src 'none'" in report
    assert "<script" not in report.replace("&lt;script", "")
    assert not re.search(r"(src|href)=\"(https?:)?//", report)
    assert "<link" not in report and "@import" not in report
    assert report.count("<svg") == len(KEY_FEATURES)


def test_user_text_is_escaped(report: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt; report" in report
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Evil Times" in report
    assert 'onerror="window' not in report
    assert "&lt;img src=x onerror=&quot;window.__pwned=3&quot;&gt;" in report
    assert "missing outlet &lt;b&gt;bold&lt;/b&gt;" in report
    assert "<h2>Extra &lt;i&gt;section&lt;/i&gt;</h2><p>already escaped body</p>" in report


def test_methods_references_and_run_metadata(report: str) -> None:
    for cite in ("Pareti, S. (2016)", "Efron, B. (1979)", "Recasens, M.", "Hyland, K. (2005)",
                 "Honnibal, M.", "Da San Martino, G."):
        assert cite in report
    assert '<section id="run"><h2>Run metadata</h2>' in report
    assert "<tr><th>settings hash</th><td>abc123</td></tr>" in report
    assert "<tr><th>model: spacy_model</th><td>test</td></tr>" in report


def test_every_headline_figure_links_to_its_evidence(report: str) -> None:
    for feat in KEY_FEATURES:
        assert f'<a href="#e0-{feat}">' in report
        assert f'id="e0-{feat}"' in report
    # Alpha News' unattributed evaluative claim is shown under evaluative_author_claims.
    block = report.split('id="e0-evaluative_author_claims"')[1].split('class="figure-ev"')[0]
    assert 'The <mark class="author" title="loaded (evaluative); score 0.90;' in block


def test_figure_evidence_counts() -> None:
    _, analyzed = corpus.tiny_corpus()
    alpha = [a for a in analyzed if a.article.outlet == "Alpha News"]
    n, examples = figure_evidence(alpha, "vague_voice_share")
    assert n == 1 and examples[0][0] == "a-2"
    n, examples = figure_evidence(alpha, "loaded_density_quoted")
    assert n == 1 and "quoted: the words of Officials" in examples[0][1]
    assert figure_evidence(alpha, "hedging_rate") == (0, [])


def test_highlight_article_and_title() -> None:
    _, analyzed = corpus.tiny_corpus()
    html = highlight_article(analyzed[0])
    assert html.startswith('<div class="reader">The <mark class="author"')
    assert '<span class="src" title="source: Police chief Ann Lee (named person); reported">' in html
    assert '<span class="cue" title="cue: said (lemma said)">said</span>' in html
    assert highlight_title(analyzed[4]) == "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;Headline"
    # A headline sentence's offsets index the title, never the body.
    art = analyzed[0]
    title_sentence = SentenceAnalysis(
        0, Span(0, 9), "Alpha one", "author",
        loaded=(LoadedSpan(Span(6, 9), "one", 0.7, ("x",), "author"),), part="title",
    )
    titled = type(art)(art.article, (title_sentence, *art.sentences), art.entities, "1")
    assert highlight_title(titled).endswith('<mark class="author" title="loaded (x); score 0.70; '
                                            "the outlet&#x27;s own voice\">one</mark>")
    assert highlight_article(titled) == highlight_article(art)


def test_a_chart_of_zeros_has_a_readable_axis() -> None:
    from framing.models import Estimate, OutletProfile
    from framing.report.figures import interval_chart

    zero = Estimate(0.0, 0.0, 0.0, 3)
    svg = interval_chart([OutletProfile("A", 3, {"f": zero}), OutletProfile("B", 3, {"f": zero})],
                         "f", "all zero")
    labels = re.findall(r'font-size="10" fill="#666"[^>]*>([^<]*)<', svg)
    assert labels == ["0.00", "1.00"]  # not "0.00" twice on one spot


def test_content_of_a_hedge_names_no_source() -> None:
    from framing.models import Attribution, Source
    from framing.report.html import sentence_marks

    text = "The strike was reportedly approved."
    hedge = Attribution("hedged", Span(0, 34), Source("", "none"), Span(15, 25), "reportedly")
    sent = SentenceAnalysis(0, Span(0, len(text)), text, "vague", (hedge,))
    tips = [m[4] for m in sentence_marks(sent, text)]
    assert "content credited to no named source (hedged)" in tips
    assert not any("credited to  (" in t for t in tips)


def test_methods_describe_the_loaded_model_the_run_used() -> None:
    from dataclasses import replace

    from framing.report.html import render_methods

    _, analyzed = corpus.tiny_corpus()
    run = corpus.comparisons(analyzed)[0].run
    lexicon = render_methods(replace(run, models={"loaded_language": "lexicon-v1"}))
    assert "Lexicon only" in lexicon and "a floor, not a detector" in lexicon
    tuned = render_methods(replace(run, models={"loaded_language": "lexicon-v1 + loaded-tuned-2"},
                                   settings={**run.settings, "loaded_min_probability": 0.3}))
    assert "loaded-tuned-2" in tuned and "0.785" in tuned and "reaches 0.3" in tuned
    for part in ("permutation test", "Dirichlet", "syndicated"):
        assert part in tuned


def test_contrasts_lead_with_the_differences_that_hold() -> None:
    from framing.compare.contrasts import Contrast
    from framing.models import Comparison
    from framing.report.sections import contrasts_section

    _, analyzed = corpus.tiny_corpus()
    run = corpus.comparisons(analyzed)[0].run
    holds = Contrast("e", "outlet", "Kabul Dispatch", "Global Wire", "author_voice_share", 12, 11,
                     0.62, 0.18, 0.44, 0.30, 0.58, 0.001, 0.004, 1.9, 0.8)
    one_test = Contrast("e", "outlet", "Kabul Dispatch", "Global Wire", "hedging_rate", 12, 11,
                        1.2, 0.4, 0.8, 0.1, 1.5, 0.171, 0.30, 0.7, 0.3)
    html = contrasts_section([Comparison("e", (), (), run, contrasts=(holds, one_test))])
    assert ("Kabul Dispatch writes 62% of its assertions in its own voice, Global Wire 18%: a "
            "difference of 44 points, 95% interval 30–58, unlikely to be chance") in html
    assert "hedges" not in html.split("<details>")[0]  # only one of the two tests: not stated
    assert "interval excludes zero, adjusted p does not: not stated" in html
    assert "q (BH)" not in html
    none = Contrast("e", "outlet", "A", "B", "author_voice_share", 3, 3, 0.5, 0.4, 0.1, -0.2, 0.4,
                    0.6, 1.0, 0.2, 0.1)
    assert "No difference between these outlets holds" in contrasts_section(
        [Comparison("e", (), (), run, contrasts=(none,))])


def test_terms_section_says_when_no_term_is_distinctive_beyond_chance() -> None:
    from framing.compare.terms import Term
    from framing.models import Comparison
    from framing.report.sections import terms_section

    _, analyzed = corpus.tiny_corpus()
    run = corpus.comparisons(analyzed)[0].run
    weak = (Term("A", "raid", 1, 3, 1, 10.0, 0.4, 1.1, 1), Term("B", "siege", 1, 2, 0, 8.0, 0.3,
                                                               0.9, 1))
    html = terms_section([Comparison("e", (), (), run, terms=weak)])
    assert "No term reaches z &gt; 1.96" in html
    strong = (*weak, Term("A", "ringleader", 1, 9, 0, 30.0, 1.5, 2.5, 2))
    html = terms_section([Comparison("e", (), (), run, terms=strong)])
    assert "1 terms reach z &gt; 1.96" in html and "<b>ringleader</b>" in html


@pytest.mark.slow
def test_every_matching_sentence_is_one_click_away(demo_run) -> None:  # type: ignore[no-untyped-def]
    # a card that counts more matching sentences than it highlights lists the rest in <details>
    report = demo_run.paths["report.html"].read_text(encoding="utf-8")
    assert "Show the other" in report
    for card in re.findall(r'<div class="card"><h5>.*?</h5>.*?(?=<div class="card"><h5>|</section>)',
                           report, flags=re.S):
        n = int(re.search(r"(\d+) matching sentence", card).group(1))  # type: ignore[union-attr]
        shown = card.count('<div class="ev">')
        assert shown == n or (n > 2 and "Show the other" in card), card[:200]


def test_each_claim_shows_every_outlet_s_sentences() -> None:
    from framing.compare.claims import Claim, ClaimSentence
    from framing.models import Comparison
    from framing.report.sections import claims_section

    _, analyzed = corpus.tiny_corpus()
    run = corpus.comparisons(analyzed)[0].run
    a = ClaimSentence("Alpha", "a-1", 0, "title", "Ringleader <b>killed</b> in raid")
    b = ClaimSentence("Beta", "b-1", 4, "body", "The commander died in the raid.")
    claim = Claim(1, a, (a, b), ("Alpha", "Beta"), ("Gamma",), True, 0)
    html = claims_section([Comparison("e", (), (), run, claims=(claim,))])
    assert "<b>Alpha</b>: Ringleader &lt;b&gt;killed&lt;/b&gt; in raid (a-1, headline)" in html
    assert "<b>Beta</b>: The commander died in the raid. (b-1, sentence 5)" in html
    assert "(a headline or lead claim)" in html


def test_attribution_rows_read_a_headline_attribution_from_the_headline() -> None:
    from framing.models import AnalyzedArticle, Article, Attribution, Source
    from framing.report.html import attribution_rows

    title = "Minister Tomas Orrin pledges aid"
    body = "The storm hit on Monday. Tomas Orrin on Wednesday pledged extra funds for the coast."
    said = Attribution("reported", Span(21, 32), Source("Tomas Orrin", "named_person",
                                                        Span(9, 20)), Span(21, 28), "pledge")
    sents = (SentenceAnalysis(0, Span(0, len(title)), title, "attributed", (said,),
                              part="title"),
             SentenceAnalysis(1, Span(0, 24), body[:24], "author"))
    (row,) = attribution_rows(AnalyzedArticle(Article("a", "O", body, title=title), sents, (),
                                              "test"))
    assert (row["part"], row["cue"], row["content"]) == ("title", "pledges", "pledges aid")


def test_over_time_section_shows_weeks_with_intervals() -> None:
    from framing.compare.over_time import WeekRow
    from framing.models import Comparison
    from framing.report.sections import over_time_section

    _, analyzed = corpus.tiny_corpus()
    run = corpus.comparisons(analyzed)[0].run
    rows = (WeekRow("e", "Alpha <i>", "2025-03-03", 2, "n_articles", 2.0, None, None),
            WeekRow("e", "Alpha <i>", "2025-03-03", 2, "author_voice_share", 0.3, 0.2, 0.4),
            WeekRow("e", "Alpha <i>", "2025-03-10", 1, "n_articles", 1.0, None, None),
            WeekRow("e", "Alpha <i>", "2025-03-10", 1, "author_voice_share", 0.9, None, None))
    html = over_time_section([Comparison("e", (), (), run, over_time=rows)])
    assert "Alpha &lt;i&gt;" in html
    assert "<td>2025-03-03</td><td class=num>2</td><td class=num>30% [20%, 40%]</td>" in html
    assert "<td>2025-03-10</td><td class=num>1</td><td class=num>90%</td>" in html
    assert "no timeline" in over_time_section([Comparison("e", (), (), run)])


def test_outlet_card_is_built_in_the_report_layer_and_escaped() -> None:
    from framing.models import Estimate, OutletProfile
    from framing.report.html import KEY_FEATURES, estimate_text, outlet_card

    feats = {f: Estimate(0.25, 0.1, 0.4, 5) for f in KEY_FEATURES}
    first = next(iter(KEY_FEATURES))
    feats[first] = Estimate(1.0, None, None, 1, "n=1: interval not estimable")
    card = outlet_card(OutletProfile("<i>Herald</i>", 5, feats))
    assert "&lt;i&gt;Herald&lt;/i&gt;" in card and "<i>" not in card
    assert "5 articles" in card and "0.25 [0.10, 0.40]" in card
    assert "1.00 (n=1, no interval)" in card and "n=1: interval not estimable" in card
    assert estimate_text(Estimate(None, None, None, 0)) == "–"


def test_features_read_as_words_with_their_codes_on_hover(report: str) -> None:
    """The report shows the plain names the dashboard shows (framing.scoring.names); the
    code, which the CSV columns keep, is in a tooltip (or under the name in the definitions)."""
    from framing.scoring.names import feature_name

    name = feature_name("author_voice_share")
    assert (f'<td title="author_voice_share"><a href="#e0-author_voice_share"><b>'
            f"{name[0].upper() + name[1:]}</b></a>") in report
    assert "<b>author_voice_share</b>" not in report
    assert '<h4 title="author_voice_share">' in report
    assert "event(s)" not in report and "article(s)" not in report
