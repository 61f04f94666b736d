"""Standoff annotation sets (offsets, no text), annotator agreement and the K/P rule, on
hand-written corpus files; the real challenge sets only when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framing.evaluation.challenge import (
    is_standoff,
    load_challenge,
    load_set,
    score_agreement,
    score_challenge,
)
from framing.evaluation.standoff import (
    find_file,
    load_standoff,
    safe_note,
    to_standoff,
    write_standoff,
)
from framing.models import AnalyzedArticle, SentenceAnalysis

PN_NAME = "gazette_2016-01-01_harbour-tolls-rise"
PN_TITLE = "Harbour tolls rise again"
PN_BODY = ('PORT ELLIS (Gazette) -\n\n'
           'The harbour board raised tolls on Monday, its chair Ada Lund said. '
           '"This is a fair and overdue correction," she added. '
           '"Critics are scaremongering." '
           'Some traders said the rise was a cynical grab.')
BASIL_NAME = "ev-c-0000_2"
BASIL_TITLE = "Council approves tram line"
BASIL_PARAS = [["The council approved the tram line.", "Its leader hailed a \u201chistoric day\u201d."],
               ["Work starts in May."]]
BASIL_BODY = "\n\n".join(" ".join(p) for p in BASIL_PARAS)


def write_corpus(root: Path) -> Path:
    text = root / "polnear" / "data" / "train" / "text"
    text.mkdir(parents=True)
    # a raw PolNeAR file: title line, then the body with white space around it
    (text / f"{PN_NAME}.txt").write_text(f"{PN_TITLE}\n{PN_BODY}\n\n", encoding="utf-8")
    (root / "polnear" / "data" / "dev" / "text").mkdir(parents=True)
    art = root / "basil" / "articles" / "2012"
    art.mkdir(parents=True)
    (art / f"{BASIL_NAME}.json").write_text(json.dumps(
        {"title": BASIL_TITLE, "body-paragraphs": BASIL_PARAS, "source": "nyt",
         "triplet-uuid": "ev-c"}), encoding="utf-8")
    return root


def _g(part: str, text: str, voice: str, category: str = "P", **kw: object) -> dict[str, object]:
    return {"part": part, "text": text, "category": category, "voice": voice,
            "sources": kw.get("sources", []), "loaded": kw.get("loaded", []),
            "evaluative_cues": kw.get("cues", []), **({"note": kw["note"]} if "note" in kw
                                                       else {})}


def records() -> list[dict[str, object]]:
    pn = {
        "id": f"t2-{PN_NAME}", "outlet": "gazette", "event": "tolls", "title": PN_TITLE,
        "text": PN_BODY,
        "gold": [
            _g("title", PN_TITLE, "author", "J"),
            _g("body", "PORT ELLIS (Gazette) -", "author", "K"),
            _g("body", "The harbour board raised tolls on Monday, its chair Ada Lund said.",
               "attributed", "C", sources=[{"text": "its chair Ada Lund", "kind": "named_person"}]),
            _g("body", '"This is a fair and overdue correction," she added.', "attributed", "B",
               sources=[{"text": "she", "kind": "named_person"}],
               loaded=[{"text": "overdue correction", "speaker": "she"}]),
            _g("body", '"Critics are scaremongering."', "attributed", "N",
               loaded=[{"text": "scaremongering", "speaker": "she"}],
               note="later sentence of the quote; speaker = Ada Lund"),
            _g("body", "Some traders said the rise was a cynical grab.", "vague", "O",
               sources=[{"text": "Some traders", "kind": "vague"}],
               loaded=[{"text": "cynical grab", "speaker": "author"}],
               note="paraphrase: traders said the rise was a cynical grab, in the author's words"),
        ],
    }
    basil = {
        "id": f"b-{BASIL_NAME}", "outlet": "nyt", "event": "ev-c", "title": BASIL_TITLE,
        "text": BASIL_BODY,
        "gold": [
            _g("title", BASIL_TITLE, "author", "A"),
            _g("body", "The council approved the tram line.", "author", "A"),
            _g("body", "Its leader hailed a \u201chistoric day\u201d.", "attributed", "J",
               sources=[{"text": "Its leader", "kind": "official"}],
               loaded=[{"text": "historic day", "speaker": "Its leader"}], cues=["hailed"]),
            _g("body", "Work starts in May.", "author", "P"),
        ],
    }
    return [pn, basil]


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_find_file_maps_ids_to_corpus_files(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    assert find_file(f"t2-{PN_NAME}", root).name == f"{PN_NAME}.txt"
    assert find_file(f"b-{BASIL_NAME}", root).parent.name == "2012"
    with pytest.raises(FileNotFoundError, match="no file"):
        find_file("t2-missing", root)


def test_to_standoff_keeps_offsets_not_text(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    pn, basil = to_standoff(records(), root, annotator="A1")
    assert pn["file"] == f"polnear/data/train/text/{PN_NAME}.txt"
    assert basil["file"] == f"basil/articles/2012/{BASIL_NAME}.json"
    assert (pn["id"], pn["outlet"], pn["event"], pn["annotator"]) == (
        f"t2-{PN_NAME}", "gazette", "tolls", "A1")
    said = pn["gold"][2]
    assert (said["part"], PN_BODY[said["start"]:said["end"]]) == (
        "body", "The harbour board raised tolls on Monday, its chair Ada Lund said.")
    src = said["sources"][0]
    assert PN_BODY[src["start"]:src["end"]] == "its chair Ada Lund" and src["kind"] == "named_person"
    # a speaker named in the sentence points there; a later sentence of the quote points back
    quote, later = pn["gold"][3], pn["gold"][4]
    spk = quote["loaded"][0]["speaker"]
    assert PN_BODY[spk["start"]:spk["end"]] == "she" and quote["start"] <= spk["start"]
    assert later["loaded"][0]["speaker"] == spk
    assert pn["gold"][5]["loaded"][0]["speaker"] == "author"
    cue = basil["gold"][2]["evaluative_cues"][0]
    assert BASIL_BODY[cue["start"]:cue["end"]] == "hailed"
    assert basil["gold"][0]["part"] == "title" and basil["gold"][0]["end"] == len(BASIL_TITLE)
    # no text travels: the lines hold no sentence of the articles
    dumped = json.dumps([pn, basil])
    for rec in records():
        for g in rec["gold"]:  # type: ignore[attr-defined]
            if len(g["text"].split()) > 4:
                assert g["text"] not in dumped
    # a note repeating more than six words of the article is cut to its first words
    assert pn["gold"][5]["note"] == "paraphrase: traders said the […], in the author's words"
    assert pn["gold"][4]["note"] == "later sentence of the quote; speaker = Ada Lund"


def test_safe_note_keeps_short_mentions() -> None:
    words = "the harbour board raised tolls on monday".split()
    assert safe_note("'harbour board' = the port authority", words) == (
        "'harbour board' = the port authority")
    assert safe_note("x: The harbour board raised tolls on Monday!", words) == "x: The harbour board […]!"


def test_standoff_round_trip_equals_the_set_with_text(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    with_text = load_challenge(_write_jsonl(tmp_path / "set.jsonl", records()))
    path = write_standoff(to_standoff(records(), root), tmp_path / "set.standoff.jsonl")
    assert is_standoff(path) and not is_standoff(tmp_path / "set.jsonl")
    back = load_standoff(path, root)
    assert [b.gold for b in back] == [w.gold for w in with_text]
    assert [(b.article.id, b.article.text, b.article.title) for b in back] == [
        (w.article.id, w.article.text, w.article.title) for w in with_text]
    # recognised by its "file" key too, whatever its name
    renamed = tmp_path / "plain.jsonl"
    renamed.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert is_standoff(renamed)
    assert [b.gold for b in load_set(renamed, root)] == [w.gold for w in with_text]
    with pytest.raises(ValueError, match="give --data"):
        load_set(path)


def test_missing_text_is_a_clear_error(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    path = write_standoff(to_standoff(records(), root), tmp_path / "s.standoff.jsonl")
    # the corpus file changed: its body is now shorter than the offsets
    (root / "polnear" / "data" / "train" / "text" / f"{PN_NAME}.txt").write_text(
        f"{PN_TITLE}\nPORT ELLIS (Gazette) -\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"s\.standoff\.jsonl:1 \(t2-{PN_NAME}\), gold 2"):
        load_standoff(path, root)
    (root / "polnear" / "data" / "train" / "text" / f"{PN_NAME}.txt").unlink()
    with pytest.raises(FileNotFoundError, match=r"s\.standoff\.jsonl:1"):
        load_standoff(path, root)


def test_to_standoff_names_the_record_of_a_stray_phrase(tmp_path: Path) -> None:
    root = write_corpus(tmp_path)
    bad = records()
    bad[1]["gold"][2]["loaded"][0]["text"] = "glorious day"  # type: ignore[index]
    with pytest.raises(ValueError, match=rf"record 2 \('b-{BASIL_NAME}'\), gold 2"):
        to_standoff(bad, root)


def test_agreement_scores_the_second_annotator_against_the_first(tmp_path: Path) -> None:
    first = load_challenge(_write_jsonl(tmp_path / "a.jsonl", records()))
    same = score_agreement(first, first)
    assert same["voice_accuracy"] == 1.0 and same["source_kind_accuracy"] == 1.0
    assert same["loaded_f1"] == 1.0 and same["charge_accuracy"] == 1.0
    assert same["articles"] == 2 and same["sentences"] == 10
    second = records()[:1]  # the second annotator labelled one of the two articles
    gold = second[0]["gold"]  # type: ignore[index]
    gold[5]["voice"] = "author"  # vague read as author
    gold[3]["sources"][0]["kind"] = "official"  # she: official
    gold[4]["loaded"][0]["speaker"] = "author"  # scaremongering charged to the author
    gold[5]["loaded"] = []  # cynical grab not marked
    r = score_agreement(first, load_challenge(_write_jsonl(tmp_path / "b.jsonl", second)))
    assert r["articles"] == 1 and r["shared_ids"] == [f"t2-{PN_NAME}"] and r["sentences"] == 6
    assert r["voice_accuracy"] == round(5 / 6, 4) and r["voice_confusion"] == {"vague -> author": 1}
    assert r["source_kind_accuracy"] == round(2 / 3, 4)
    assert (r["loaded_precision"], r["loaded_recall"]) == (1.0, round(2 / 3, 4))
    assert r["charge_accuracy"] == 0.5 and r["charge_confusion"] == {"source -> author": 1}
    with pytest.raises(ValueError, match="share no article"):
        score_agreement(first, [])


def test_no_assertion_line_predicted_other_counts_as_right(tmp_path: Path) -> None:
    (item,) = load_challenge(_write_jsonl(tmp_path / "a.jsonl", records()[:1]))
    voices = {0: "other", 1: "other", 5: "other"}  # title (J), dateline (K), vague (O)
    sents = tuple(SentenceAnalysis(k, g.span, g.text, voices.get(k, g.voice), part=g.part)
                  for k, g in enumerate(item.gold))
    r = score_challenge([item], [AnalyzedArticle(item.article, sents, (), "t")])
    # only the K line (gold author) is credited; the J title (author) and the vague line are not
    assert r["voice_other_credited"] == 1
    assert r["voice_accuracy"] == round(4 / 6, 4)
    assert r["voice_per_code"]["K"] == 1.0 and r["voice_per_code"]["J"] == 0.0
    assert r["voice_confusion"] == {"author -> other": 1, "vague -> other": 1}


def test_cli_agreement_and_to_standoff(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    from framing.cli import main

    root = write_corpus(tmp_path)
    a = _write_jsonl(tmp_path / "a.jsonl", records())
    out = tmp_path / "a.standoff.jsonl"
    assert main(["eval", "challenge", "--set", str(a), "--to-standoff", str(out),
                 "--data", str(root), "--annotator", "A1"]) == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["annotator"] == "A1"
    capsys.readouterr()
    assert main(["eval", "challenge", "--set", str(out), "--agreement-with", str(a),
                 "--data", str(root), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["voice_accuracy"] == 1.0 and r["articles"] == 2
    assert main(["eval", "challenge", "--set", str(out), "--agreement-with", str(a)]) == 2


@pytest.mark.data
def test_real_sets_round_trip(shared_data: Path, tmp_path: Path) -> None:
    """The real challenge sets convert to standoff and read back to the same gold."""
    if not (shared_data / "polnear").is_dir():
        pytest.skip("no PolNeAR texts")
    for name in ("real-train", "real-dev", "real-dev-second"):
        src = shared_data / "challenge" / f"{name}.jsonl"
        if not src.is_file():
            continue
        recs = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        path = write_standoff(to_standoff(recs, shared_data), tmp_path / f"{name}.standoff.jsonl")
        back = load_standoff(path, shared_data)
        assert [b.gold for b in back] == [w.gold for w in load_challenge(src)]


def test_a_phrase_is_found_as_a_whole_word_first() -> None:
    from framing.evaluation.challenge import find_phrase

    text = "“They're all set,” he said."
    assert find_phrase(text, "he") == text.index(" he ") + 1  # not the letters of "They're"
    assert find_phrase("the theme", "the") == 0
    assert find_phrase("Xhe", "he") == 1  # no whole word: the first occurrence at all
    assert find_phrase("“quoted”", "“quoted”") == 0  # punctuation at the edges
    assert find_phrase("abc", "zz") == -1
