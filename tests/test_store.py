"""The DuckDB store: exact round trips, cache keys, and the run views the dashboard reads."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import framing_test_corpus as corpus
import pytest

from framing.api import analyze, run_cached
from framing.models import Article
from framing.settings import Settings
from framing.store import Store, analysis_settings_hash, dumps, loads, run_key


def _stored(tmp_path: Path) -> tuple[Store, str, list]:  # type: ignore[type-arg]
    ingest, analyzed = corpus.tiny_corpus()
    settings = Settings(bootstrap_samples=200)
    store = Store(tmp_path / "cache.duckdb")
    store.put_analyses(analyzed, settings)
    comps = corpus.comparisons(analyzed)
    key = run_key(ingest, settings)
    store.put_run(key, ingest, analyzed, comps, tmp_path / "run", "tiny", settings)
    return store, key, analyzed


def test_models_round_trip_exactly() -> None:
    _, analyzed = corpus.tiny_corpus()
    for art in analyzed:
        assert loads(dumps(art)) == art


def test_analysis_cache_hits_and_misses(tmp_path: Path) -> None:
    _, analyzed = corpus.tiny_corpus()
    settings = Settings()
    store = Store(tmp_path / "c.duckdb")
    arts = [a.article for a in analyzed]
    assert store.get_analyses(arts, settings) == [None] * 5
    assert store.put_analyses(analyzed, settings) == 5
    # The analysis is bound to the Article asked for (another id, same text: still a hit).
    renamed = replace(arts[0], id="other", outlet="Other")
    hits = store.get_analyses([renamed, arts[1]], settings)
    assert hits[0] is not None and hits[0].article == renamed
    assert hits[0].sentences == analyzed[0].sentences
    assert hits[1] == analyzed[1]
    # Same normalised text but other whitespace: offsets would be wrong, so it is a miss.
    spaced = replace(arts[0], text=arts[0].text.replace(" ", "  ", 1))
    assert store.get_analyses([spaced], settings) == [None]
    # Settings that change the analysis change the key; bootstrap settings do not.
    assert store.get_analyses([arts[0]], settings.updated(spacy_model="another_model")) == [None]
    assert store.get_analyses([arts[0]], settings.updated(bootstrap_samples=10))[0] is not None
    store.close()
    # Persisted on disk.
    with Store(tmp_path / "c.duckdb") as again:
        assert again.get_analyses([arts[2]], settings) == [analyzed[2]]


def test_analysis_settings_hash_ignores_summary_settings() -> None:
    s = Settings()
    assert analysis_settings_hash(s) == analysis_settings_hash(s.updated(confidence=0.9))
    assert analysis_settings_hash(s) != analysis_settings_hash(s.updated(use_model=False))


def test_run_key_changes_with_any_record(tmp_path: Path) -> None:
    ingest, _ = corpus.tiny_corpus()
    s = Settings()
    k = run_key(ingest, s)
    assert k == run_key(ingest, s)
    changed = replace(
        ingest, articles=(replace(ingest.articles[0], title="x"),) + ingest.articles[1:]
    )
    assert run_key(changed, s) != k
    assert run_key(ingest, s.updated(seed=7)) != k
    assert run_key(replace(ingest, rejections=()), s) != k


def test_run_views(tmp_path: Path) -> None:
    store, key, analyzed = _stored(tmp_path)
    assert store.has_run(key) and not store.has_run("nope")
    info = store.run_info(key)
    assert (info.n_read, info.n_articles, info.title) == (6, 5, "tiny")
    assert info.rejections[0].reason == "missing outlet <b>bold</b>"
    assert store.events(key) == ["ev-1"]
    profiles = store.profiles(key, "ev-1")
    assert [p.outlet for p in profiles] == sorted(
        ["Alpha News", "Beta Wire", corpus.HOSTILE_OUTLET]
    )
    assert [p.n_articles for p in profiles] == [1, 2, 2]
    rows = store.articles(key, "ev-1", "Beta Wire")
    assert [(r.id, r.title) for r in rows] == [("b-1", "Beta one"), ("b-2", "Beta two")]
    assert store.article(key, "a-2") == analyzed[1]
    sc = store.article_scores(key, "b-2")
    assert sc is not None and sc.features["question_count"] == 1.0
    assert [a.article.id for a in store.analyzed(key)] == ["a-1", "a-2", "b-1", "b-2", "h-1"]
    comps = store.comparisons(key)
    assert comps[0].profiles == profiles
    assert store.ingest(key).articles == tuple(a.article for a in analyzed)
    with pytest.raises(KeyError):
        store.article(key, "missing")


def test_runs_and_analyses_are_stored_from_an_iterator_in_chunks(tmp_path: Path) -> None:
    """A run's analyses can stream (read once, never held as a list) and go in chunk by chunk."""
    ingest, analyzed = corpus.tiny_corpus()
    settings = Settings(bootstrap_samples=200)
    store = Store(tmp_path / "c.duckdb")
    assert store.put_analyses(iter(analyzed), settings, chunk=2) == 5
    key = run_key(ingest, settings)
    store.put_run(key, ingest, (a for a in analyzed), corpus.comparisons(analyzed),
                  tmp_path / "run", "tiny", settings, chunk=2)
    assert store.run_info(key).n_articles == 5
    assert store.analyzed(key) == analyzed
    assert store.ingest(key).articles == tuple(a.article for a in analyzed)


def test_analyze_with_store_skips_cached_articles(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """api.analyze reads cached articles and sends only the others to the pipeline."""
    import framing.nlp.pipeline as pipeline

    _, analyzed = corpus.tiny_corpus()
    by_text = {a.article.text: a for a in analyzed}
    calls: list[list[str]] = []

    def fake(articles, settings, progress=None, on_error=None, base_vectors=None):  # type: ignore[no-untyped-def]
        calls.append([a.id for a in articles])
        for i, _ in enumerate(articles, start=1):
            if progress:
                progress(i, len(articles))
        return [replace(by_text[a.text], article=a) for a in articles]

    monkeypatch.setattr(pipeline, "analyze_articles", fake)
    store = Store(tmp_path / "c.duckdb")
    arts = [a.article for a in analyzed]
    seen: list[tuple[int, int]] = []
    first = analyze(arts[:3], Settings(), lambda d, t: seen.append((d, t)), store=store)
    assert first == analyzed[:3] and calls == [["a-1", "a-2", "b-1"]]
    seen.clear()
    second = analyze(arts, Settings(), lambda d, t: seen.append((d, t)), store=store)
    assert second == analyzed
    assert calls[-1] == ["b-2", "h-1"]
    assert seen == [(3, 5), (4, 5), (5, 5)]


def test_run_cached_reopens_without_work(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """run_cached analyses in batches (the engine's dataset), reuses finished batches and the
    store's cached analyses, and reopens a stored run without any work."""
    import framing.api as api
    import framing.engine as engine
    import framing.nlp.pipeline as pipeline

    ingest, analyzed = corpus.tiny_corpus()
    by_id = {a.article.id: a for a in analyzed}
    n_calls = []

    def fake_pipeline(articles, settings, progress=None, on_error=None, base_vectors=None):  # type: ignore[no-untyped-def]
        n_calls.append(len(articles))
        return [by_id[a.id] for a in articles]

    monkeypatch.setattr(pipeline, "analyze_articles", fake_pipeline)
    monkeypatch.setattr(engine, "sentence_vectors", lambda analysed, settings, known=None: [])
    monkeypatch.setattr(api, "run_metadata", lambda settings: corpus.run_meta())
    monkeypatch.setattr(api, "compare", lambda arts, *args: corpus.comparisons(arts))
    store = Store(tmp_path / "c.duckdb")
    settings = Settings(bootstrap_samples=100)
    seen: list[tuple[int, int]] = []
    key = run_cached(ingest, store, tmp_path / "runs", settings, lambda d, t: seen.append((d, t)),
                     title="t")
    out = tmp_path / "runs" / key
    assert (out / "report.html").exists() and (out / "articles.csv").exists()
    assert len(list((out / "dataset" / "_batches").glob("*.json"))) == 1
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [a.article.id for a in store.analyzed(key)] == list(by_id)
    again = run_cached(ingest, store, tmp_path / "runs", settings, title="t")
    assert again == key and n_calls == [5]
    assert store.run_info(key).out_dir == out
    (out / "report.html").unlink()
    assert run_cached(ingest, store, tmp_path / "runs", settings, title="t") == key
    execution = json.loads((out / "run.json").read_text(encoding="utf-8"))["execution"]
    assert execution["batches_reused"] == 1 and execution["articles_reused"] == 5
    assert n_calls == [5]
    changed = replace(ingest, articles=ingest.articles[:4])
    assert run_cached(changed, store, tmp_path / "runs", settings) != key
    assert n_calls == [5]  # another corpus: new batches, every analysis from the store


def test_empty_corpus_is_an_error(tmp_path: Path) -> None:
    from framing.models import IngestResult

    with pytest.raises(ValueError, match="no article"):
        run_cached(IngestResult((), (), (), 0), Store(), tmp_path)
    assert Article  # imported for the type only


def test_cache_key_follows_packaged_lexicons_and_heads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edited lexicons or retrained heads must not be served from an old cache."""
    import framing.resources
    from framing.store import analysis_settings_hash

    before = analysis_settings_hash(Settings())
    monkeypatch.setattr(framing.resources, "fingerprint", lambda: "retrained")
    assert analysis_settings_hash(Settings()) != before


def test_cue_stance_round_trips(tmp_path: Path) -> None:
    _, analyzed = corpus.tiny_corpus()
    art = next(a for a in analyzed if any(s.attributions for s in a.sentences))
    s = next(s for s in art.sentences if s.attributions)
    outer = replace(s.attributions[0], cue_stance="evaluative")
    chain = replace(outer, kind="chain", cue_lemma="cite", cue_stance="neutral", parent=outer)
    sentences = tuple(
        replace(x, attributions=(outer, chain)) if x is s else x for x in art.sentences
    )
    art = replace(art, sentences=sentences)
    assert loads(dumps(art)) == art
    settings = Settings()
    with Store(tmp_path / "stance.duckdb") as store:
        store.put_analyses([art], settings)
        back = store.get_analyses([art.article], settings)[0]
    assert back is not None
    got = next(x for x in back.sentences if x.index == s.index).attributions
    assert [a.cue_stance for a in got] == ["evaluative", "neutral"]
    assert got[1].parent is not None and got[1].parent.cue_stance == "evaluative"


def test_comparisons_round_trip_with_every_table(tmp_path: Path) -> None:
    import numpy as np

    from framing.compare.tables import compare_events

    ingest, analyzed = corpus.tiny_corpus()
    settings = Settings(bootstrap_samples=100)
    comps = compare_events(analyzed, settings, corpus.run_meta(),
                           lambda texts: np.ones((len(texts), 3)) / np.sqrt(3))
    assert comps[0].contrasts and comps[0].terms and comps[0].claims
    store = Store(tmp_path / "c.duckdb")
    store.put_analyses(analyzed, settings)
    key = run_key(ingest, settings)
    store.put_run(key, ingest, analyzed, comps, tmp_path / "run", "tiny", settings)
    store.close()
    with Store(tmp_path / "c.duckdb") as again:
        back = again.comparisons(key)
    # scores hold NaN features (not measurable), which never compare equal: compared apart
    assert [replace(c, scores=()) for c in back] == [replace(c, scores=()) for c in comps]
    assert [s.article_id for s in back[0].scores] == [s.article_id for s in comps[0].scores]
    # claims that were not aligned come back as None with their note
    unaligned = [replace(comps[0], claims=None, claims_note="no encoder")]
    with Store(tmp_path / "c.duckdb") as again:
        again.put_run(key, ingest, analyzed, unaligned, tmp_path / "run", "tiny", settings)
        back = again.comparisons(key)[0]
        assert back.claims is None and back.claims_note == "no encoder"


def test_a_run_stored_without_tables_is_not_misread(tmp_path: Path) -> None:
    """A run of the older format (no tables) is not under the run key and is refused, not read
    as a comparison without contrasts."""
    from framing import store as store_mod

    store, key, _ = _stored(tmp_path)
    store._con.execute("DELETE FROM run_tables WHERE run_key = ?", [key])
    with pytest.raises(KeyError, match="older store format"):
        store.comparisons(key)
    assert store.profiles(key, "ev-1")  # the dashboard's views still read
    ingest, _ = corpus.tiny_corpus()
    old = run_key(ingest, Settings())
    monkey = pytest.MonkeyPatch()
    monkey.setattr(store_mod, "STORE_FORMAT", store_mod.STORE_FORMAT - 1)
    try:
        assert run_key(ingest, Settings()) != old
    finally:
        monkey.undo()
