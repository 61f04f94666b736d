"""The batch engine: Parquet dataset, resumption (also after SIGKILL) and Dask execution."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from framing.api import demo_corpus_path, load, run_analysis
from framing.engine import (
    DATASET,
    MANIFESTS,
    TABLES,
    plan_batches,
)
from framing.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings(use_model=False, bootstrap_samples=200)
#: Outputs that must not depend on the engine, the batch size or an interruption.
SAME = ("sentences.jsonl", "articles.csv", "outlets.csv", "sources.csv", "contrasts.csv",
        "terms.csv", "labels.csv", "claims.csv", "over_time.csv", "side_by_side.csv",
        "report.html")


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in SAME}


def _run_json(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus analysed in one batch in this process (lexicon mode)."""
    out = tmp_path_factory.mktemp("baseline")
    run_analysis([demo_corpus_path()], out, SETTINGS, batch_articles=1000)
    return out


def test_batches_are_keyed_by_their_content() -> None:
    articles = list(load([demo_corpus_path()], SETTINGS).articles)
    a = plan_batches(articles, SETTINGS, size=5)
    assert [len(b.articles) for b in a] == [5, 5, 2]
    assert [b.start for b in a] == [0, 5, 10]
    assert [b.key for b in a] == [b.key for b in plan_batches(articles, SETTINGS, size=5)]
    edited = list(articles)
    edited[6] = replace(edited[6], text=edited[6].text + " One more sentence.")
    b = plan_batches(edited, SETTINGS, size=5)
    assert [x.key == y.key for x, y in zip(a, b, strict=True)] == [True, False, True]
    other = plan_batches(articles, SETTINGS.updated(max_quote_marks=10), size=5)
    assert all(x.key != y.key for x, y in zip(a, other, strict=True))
    # a setting that does not change the analysis keeps every batch
    same = plan_batches(articles, SETTINGS.updated(bootstrap_samples=50), size=5)
    assert [x.key for x in same] == [x.key for x in a]
    with pytest.raises(ValueError, match="batch size"):
        plan_batches(articles, SETTINGS, size=0)


def test_dataset_tables_and_stored_analyses(baseline: Path, tmp_path: Path) -> None:
    result = run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=5)
    dataset = tmp_path / DATASET
    for table in TABLES:
        assert len(list((dataset / table).glob("*.parquet"))) == 3, table
    assert len(list((dataset / MANIFESTS).glob("*.json"))) == 3
    # the batch size changes nothing a researcher reads
    assert _outputs(tmp_path) == _outputs(baseline)
    import duckdb

    con = duckdb.connect()
    n_articles, n_ids = con.execute(
        "SELECT count(*), count(DISTINCT article_id) FROM read_parquet(?)",
        [str(dataset / "articles" / "*.parquet")],
    ).fetchone()
    assert n_articles == n_ids == 12
    n_sent = con.execute("SELECT count(*) FROM read_parquet(?)",
                         [str(dataset / "sentences" / "*.parquet")]).fetchone()[0]
    assert n_sent == sum(1 for _ in (tmp_path / "sentences.jsonl").open(encoding="utf-8"))
    stored = result.analyzed
    assert len(stored) == 12
    ids = [a.article.id for a in stored]
    assert ids == [a.id for a in load([demo_corpus_path()], SETTINGS).articles]
    events = {a.article.event for a in stored}
    for event in events:
        of_event = [a.article.id for a in stored.of_event(event)]  # type: ignore[attr-defined]
        assert of_event == [a.article.id for a in stored if a.article.event == event]
    assert stored[3].article.id == ids[3]


def test_comparisons_are_spilled_to_disk_and_read_back(tmp_path: Path) -> None:
    """Each event's comparison is written as it is computed and read back one at a time."""
    from framing.api import analyze, compare
    from framing.engine import COMPARISONS, SpilledComparisons
    from framing.store import dumps

    ingest = load([demo_corpus_path()], SETTINGS)
    comps = compare(analyze(ingest.articles, SETTINGS), SETTINGS)
    assert len(comps) >= 2
    spilled = SpilledComparisons(tmp_path / "c.jsonl")
    spilled.extend(comps)
    assert len(spilled) == len(comps)
    same = [dumps(c) for c in comps]  # NaN features: compare the serialised form
    assert [dumps(c) for c in spilled] == same  # a whole pass, before finish() too
    spilled.finish()
    assert dumps(spilled[0]) == same[0] and dumps(spilled[-1]) == same[-1]
    assert [dumps(c) for c in spilled[1:]] == same[1:]
    with pytest.raises(IndexError):
        spilled[len(comps)]
    with pytest.raises(ValueError, match="closed"):
        spilled.append(comps[0])
    result = run_analysis([demo_corpus_path()], tmp_path / "out", SETTINGS)
    assert isinstance(result.comparisons, SpilledComparisons)
    assert result.comparisons.path == tmp_path / "out" / DATASET / COMPARISONS
    assert [c.event for c in result.comparisons] == [c.event for c in comps]


def test_rerun_reuses_finished_batches(baseline: Path, tmp_path: Path) -> None:
    first = run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=4)
    assert first.execution is not None and first.execution["articles_reused"] == 0
    again = run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=4)
    assert again.execution is not None
    assert again.execution["batches_reused"] == 3 and again.execution["articles_reused"] == 12
    assert _run_json(tmp_path)["execution"]["articles_reused"] == 12
    assert _outputs(tmp_path) == _outputs(baseline)
    # a lost manifest means the batch was not finished: only it is analysed again
    manifest = sorted((tmp_path / DATASET / MANIFESTS).glob("*.json"))[1]
    manifest.unlink()
    third = run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=4)
    assert third.execution is not None
    assert third.execution["batches_reused"] == 2 and third.execution["articles_reused"] == 8
    assert _outputs(tmp_path) == _outputs(baseline)


def test_progress_reports_every_stage(tmp_path: Path) -> None:
    """A callback taking a stage hears of the articles analysed, the events compared and the
    outputs written; a two-argument callback only of the articles (as before stages existed)."""
    staged: list[tuple[int, int, str]] = []
    plain: list[tuple[int, int]] = []
    result = run_analysis([demo_corpus_path()], tmp_path / "a", SETTINGS, batch_articles=4,
                          progress=lambda d, t, stage="analysing": staged.append((d, t, stage)))
    run_analysis([demo_corpus_path()], tmp_path / "b", SETTINGS, batch_articles=4,
                 progress=lambda d, t: plain.append((d, t)))
    stages = [s for _, _, s in staged]
    assert stages[0] == "analysing" and stages[-1] == "writing outputs"
    assert list(dict.fromkeys(stages)) == ["analysing", "comparing events", "writing outputs"]
    n_events = len({c.event for c in result.comparisons})
    compared = [(d, t) for d, t, s in staged if s == "comparing events"]
    assert compared[0] == (0, n_events) and compared[-1] == (n_events, n_events)
    assert [d for d, _ in compared] == list(range(n_events + 1))
    assert (12, 12, "analysing") in staged and staged[-1] == (1, 1, "writing outputs")
    assert plain and all(t == 12 for _, t in plain) and plain[-1] == (12, 12)


def test_dashboard_runs_go_through_the_engine(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_cached (the dashboard's verb) analyses in batches into runs/<key>/dataset as
    run_analysis does: the same outputs, resumable, and the store filled from the dataset."""
    from framing.api import run_cached
    from framing.nlp import pipeline
    from framing.store import Store

    real = pipeline.analyze_articles
    parsed: list[int] = []

    def counting(articles, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(len(articles))
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(pipeline, "analyze_articles", counting)
    ingest = load([demo_corpus_path()], SETTINGS)
    ids = [a.id for a in ingest.articles]
    runs = tmp_path / "runs"
    seen: list[tuple[int, int]] = []
    with Store(tmp_path / "first.duckdb") as store:
        key = run_cached(ingest, store, runs, SETTINGS, lambda d, t: seen.append((d, t)),
                         batch_articles=5)
        assert store.run_info(key).n_articles == 12
        assert [a.article.id for a in store.analyzed(key)] == ids
    out = runs / key
    assert _outputs(out) == _outputs(baseline)
    manifests = sorted((out / DATASET / MANIFESTS).glob("*.json"))
    assert len(manifests) == 3 and parsed == [5, 5, 2]
    assert _run_json(out)["execution"]["batches"] == 3
    assert _run_json(out)["execution"]["batches_reused"] == 0
    assert seen[0] == (0, 12) and (1, 12) in seen and seen[-1] == (12, 12)  # article by article
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # interrupted before the report, with one batch unfinished; reopened with another store file
    (out / "report.html").unlink()
    manifests[1].unlink()
    with Store(tmp_path / "second.duckdb") as store:
        assert run_cached(ingest, store, runs, SETTINGS, batch_articles=5) == key
        # the finished batches' analyses were read from the dataset into this store too
        assert [a.article.id for a in store.analyzed(key)] == ids
    assert parsed == [5, 5, 2, 5]
    execution = _run_json(out)["execution"]
    assert execution["batches_reused"] == 2 and execution["articles_reused"] == 7
    assert _outputs(out) == _outputs(baseline)


def test_files_of_another_corpus_are_removed(tmp_path: Path) -> None:
    run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=4)
    lines = demo_corpus_path().read_text(encoding="utf-8").splitlines()[:5]
    smaller = tmp_path / "five.jsonl"
    smaller.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_analysis([smaller], tmp_path, SETTINGS, batch_articles=4)
    assert result.execution is not None and result.execution["articles_reused"] == 4
    for table in (*TABLES, MANIFESTS):
        assert len(list((tmp_path / DATASET / table).iterdir())) == 2, table
    rows = (tmp_path / "articles.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + 5


def test_a_failing_article_is_rejected_and_stays_rejected_on_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from framing.nlp import pipeline

    real = pipeline.analyze_doc
    victim = load([demo_corpus_path()], SETTINGS).articles[2].id

    def failing(article, doc, settings, check=None):  # type: ignore[no-untyped-def]
        if article.id == victim:
            raise RuntimeError("synthetic failure")
        return real(article, doc, settings, check)

    monkeypatch.setattr(pipeline, "analyze_doc", failing)
    result = run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=4)
    ingest = _run_json(tmp_path)["ingest"]
    assert ingest["read"] == 12 and ingest["analysed"] == 11 and ingest["rejected"] == 1
    rejection = ingest["rejections"][0]
    assert rejection["id"] == victim
    assert re.fullmatch(r".*articles\.jsonl:3", rejection["record"])
    assert "synthetic failure" in rejection["reason"]
    assert victim not in [a.article.id for a in result.analyzed]
    monkeypatch.setattr(pipeline, "analyze_doc", real)
    run_analysis([demo_corpus_path()], tmp_path, SETTINGS, batch_articles=4)
    again = _run_json(tmp_path)
    assert again["ingest"]["rejections"] == ingest["rejections"]
    assert again["execution"]["articles_reused"] == 11


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "framing.cli", "analyze", str(demo_corpus_path()),
            "--no-model", "--seed", "42", *args]


def _settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text("bootstrap_samples = 200\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_sigkill_loses_no_finished_batch(baseline: Path, tmp_path: Path) -> None:
    """A run killed with SIGKILL in the middle resumes: no article lost, none twice."""
    out = tmp_path / "out"
    config = str(_settings_file(tmp_path))
    cmd = _cli("--out", str(out), "--batch-articles", "1", "--config", config)
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifests = out / DATASET / MANIFESTS
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if manifests.is_dir() and len(list(manifests.glob("*.json"))) >= 3:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    finished = len(list(manifests.glob("*.json")))
    assert 3 <= finished < 12
    assert not (out / "run.json").exists()
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"resumed: {finished} articles reused" in done.stdout
    record = _run_json(out)
    assert record["execution"]["articles_reused"] == finished
    assert record["ingest"]["read"] == record["ingest"]["analysed"] == 12
    assert _outputs(out) == _outputs(baseline)
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


@pytest.mark.slow
def test_local_dask_cluster_gives_the_same_outputs(baseline: Path, tmp_path: Path) -> None:
    """`framing analyze --workers 2` (a LocalCluster of two processes), started as users start
    it. (In this pytest process, a dashboard test leaves the Streamlit script as ``__main__``,
    which spawned worker processes would run again.)"""
    out = tmp_path / "out"
    done = subprocess.run(
        _cli("--out", str(out), "--workers", "2", "--batch-articles", "3",
             "--config", str(_settings_file(tmp_path))),
        cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    record = _run_json(out)["execution"]
    assert record["engine"] == "dask" and record["workers"] == 2 and record["batches"] == 4
    assert _outputs(out) == _outputs(baseline)
    # one bar per stage on stderr, also when the events are compared on the cluster
    for stage in ("analysing", "comparing events", "writing outputs"):
        assert stage in done.stderr


def _dask_cli() -> list[str]:
    exe = Path(sys.executable).with_name("dask")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dask"]


@pytest.mark.slow
def test_dask_scheduler_and_two_workers(baseline: Path, tmp_path: Path) -> None:
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1, as a user starts them."""
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = [subprocess.Popen(
        [*_dask_cli(), "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(sched_file)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            procs.append(subprocess.Popen(
                [*_dask_cli(), "worker", "--scheduler-file", str(sched_file), "--host",
                 "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "out"
        done = subprocess.run(
            _cli("--out", str(out), "--scheduler", address, "--batch-articles", "2",
                 "--config", str(_settings_file(tmp_path))),
            cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        record = _run_json(out)["execution"]
        assert record["engine"] == "dask" and record["scheduler"] == address
        assert record["workers"] == 2 and record["batches"] == 6
        assert _outputs(out) == _outputs(baseline)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.mark.slow
def test_no_text_is_encoded_twice_in_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Claim sentences are encoded in their batch and reused by the comparison; event texts are
    kept by hash, so a second run over the same corpus encodes no event text again."""
    from collections import Counter

    from framing.nlp import encoder

    real = encoder.embed_sentences
    seen: Counter[str] = Counter()

    def spy(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.update(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(encoder, "embed_sentences", spy)
    lines = demo_corpus_path().read_text(encoding="utf-8").splitlines()
    no_event = tmp_path / "no-event.jsonl"
    no_event.write_text("\n".join(json.dumps({k: v for k, v in json.loads(line).items()
                                              if k != "event"}) for line in lines) + "\n",
                        encoding="utf-8")
    out = tmp_path / "out"
    # one batch: a reprinted sentence in two batches is encoded once in each
    result = run_analysis([no_event], out, SETTINGS, batch_articles=100)
    assert seen and max(seen.values()) == 1, seen.most_common(3)
    vectors = [v for ev in result.analyzed.events()  # type: ignore[attr-defined]
               for v in result.analyzed.vectors_of_event(ev)]  # type: ignore[attr-defined]
    claims = (out / "claims.csv").read_text(encoding="utf-8")
    assert vectors and claims.count("\n") > 1
    first = sum(seen.values())
    run_analysis([no_event], out, SETTINGS.updated(bootstrap_samples=100), batch_articles=100)
    again = sum(seen.values()) - first
    assert again == 0  # event texts, labels and rewritten claims are all kept by the run


def test_cli_reuses_up_to_date_outputs_and_force_recomputes(tmp_path: Path) -> None:
    from framing.cli import main

    out = tmp_path / "out"
    config = str(_settings_file(tmp_path))
    args = ["analyze", str(demo_corpus_path()), "--no-model", "--out", str(out),
            "--config", config]
    assert main(args) == 0
    key = _run_json(out)["inputs_sha256"]
    before = (out / "report.html").stat().st_mtime_ns
    assert main(args) == 0
    assert (out / "report.html").stat().st_mtime_ns == before  # nothing rewritten
    assert main([*args, "--force"]) == 0
    assert (out / "report.html").stat().st_mtime_ns != before
    assert _run_json(out)["execution"]["articles_reused"] == 12
    # another title is another report: not up to date
    assert main([*args, "--title", "Another title"]) == 0
    assert _run_json(out)["inputs_sha256"] != key
