"""Ingest: every record is accepted or rejected with a reason; duplicates and language flagged."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from framing.ingest import load_articles
from framing.ingest.dedupe import find_duplicates, shingles, text_hash
from framing.ingest.readers import TEXT_WITHOUT_OUTLET, load_records, split_front_matter
from framing.models import Article
from framing.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _reasons(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.record.rsplit(":", 1)[-1]: r.reason for r in result.rejections}


def test_jsonl_accounting_every_record() -> None:
    result = load_articles([FIXTURES / "small.jsonl"])
    ids = [a.id for a in result.articles]
    assert ids == ["a1", "a2"]
    assert result.n_read == 8
    assert len(result.articles) + len(result.rejections) == result.n_read
    reasons = _reasons(result)
    assert reasons["3"] == "missing outlet"
    assert reasons["4"] == "empty text"
    assert reasons["5"].startswith("not JSON")
    assert reasons["6"] == "not a JSON object but list"
    assert reasons["7"].startswith("duplicate id 'a1' with different text")
    assert reasons["8"] == "language es (Spanish): only English is analysed"


def test_rejections_name_the_record() -> None:
    result = load_articles([FIXTURES / "small.jsonl"])
    for r in result.rejections:
        assert str(FIXTURES / "small.jsonl") in r.record


def test_non_english_is_rejected_with_outlet_and_language() -> None:
    result = load_articles([FIXTURES / "small.jsonl"])
    (spanish,) = [r for r in result.rejections if r.id == "a5"]
    assert (spanish.outlet, spanish.language) == ("South Daily", "es")
    assert spanish.record == f"{FIXTURES / 'small.jsonl'}:8"
    assert [a.language for a in result.articles] == ["en", "en"]


def test_declared_language_loses_to_the_text() -> None:
    result = load_records([{"id": "x", "outlet": "O", "text": "The army said so.",
                            "language": "ps"}])
    assert [a.id for a in result.articles] == ["x"]
    assert [f.kind for f in result.flags] == ["language_mismatch"]
    assert "declared language 'ps', text detected as en" in result.flags[0].detail


def test_undecodable_bytes(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_bytes(b'{"id": "ok", "outlet": "O", "text": "The minister said it."}\n'
                  b'{"id": "b", "outlet": "O", "text": "caf\xe9"}\n')
    result = load_articles([p])
    assert [a.id for a in result.articles] == ["ok"]
    assert result.rejections[0].reason.startswith("undecodable bytes")
    assert result.rejections[0].record == f"{p}:2"


def test_oversize_text_and_file(tmp_path: Path) -> None:
    p = tmp_path / "big.jsonl"
    p.write_text('{"id": "big", "outlet": "O", "text": "' + "word " * 50 + '"}\n')
    result = load_articles([p], Settings(max_chars=100))
    assert result.rejections[0].reason.startswith("oversize text: 250 characters")
    result = load_articles([p], Settings(max_file_bytes=10))
    assert result.rejections[0].reason.startswith("oversize file")
    assert result.n_read == 1


def test_csv_reader(tmp_path: Path) -> None:
    p = tmp_path / "in.csv"
    p.write_text('id,outlet,text,title\n1,Wire,"The army said, ""no comment"".",T\n2,,x,\n',
                 encoding="utf-8")
    result = load_articles([p])
    assert [a.text for a in result.articles] == ['The army said, "no comment".']
    assert result.articles[0].title == "T"
    assert result.rejections[0].reason == "missing outlet"
    assert result.rejections[0].record == f"{p}:3"


def test_folder_of_text_files_with_front_matter_and_sidecar(tmp_path: Path) -> None:
    (tmp_path / "Wire").mkdir()
    (tmp_path / "Wire" / "one.md").write_text(
        "---\ntitle: First\npublished: 2025-01-01\nevent: e1\n---\nThe ministry said it.\n",
        encoding="utf-8")
    (tmp_path / "two.txt").write_text("Officials said the road was closed.", encoding="utf-8")
    (tmp_path / "two.json").write_text('{"outlet": "Daily", "id": "d-2"}', encoding="utf-8")
    (tmp_path / "three.txt").write_text("No outlet for this one.", encoding="utf-8")
    result = load_articles([tmp_path])
    by_id = {a.id: a for a in result.articles}
    assert by_id["Wire/one"].outlet == "Wire"
    assert by_id["Wire/one"].title == "First"
    assert by_id["Wire/one"].event == "e1"
    assert by_id["Wire/one"].text == "The ministry said it.\n"
    assert by_id["d-2"].outlet == "Daily"
    # the same help the CSV reader gives for a missing column: where an outlet can be named
    assert [r.reason for r in result.rejections] == [TEXT_WITHOUT_OUTLET]
    assert "front matter" in TEXT_WITHOUT_OUTLET and "'outlet'" in TEXT_WITHOUT_OUTLET


def test_html_file_is_extracted(tmp_path: Path) -> None:
    body = " ".join(["The governor said that the bridge would reopen next week."] * 6)
    html = (
        "<html><head><title>Bridge to reopen</title></head><body><nav>Home | World</nav>"
        f"<article><h1>Bridge to reopen</h1><p>{body}</p><p>{body}</p></article>"
        "<footer>Copyright</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    (tmp_path / "page.html.json").write_text('{"outlet": "City Times"}', encoding="utf-8")
    result = load_articles([tmp_path])
    assert len(result.articles) == 1, result.rejections
    text = result.articles[0].text
    assert "governor said that the bridge" in text
    assert "Copyright" not in text and "<p>" not in text
    assert result.articles[0].title == "Bridge to reopen"


def test_missing_path_and_unsupported_type(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    result = load_articles([tmp_path / "nope.jsonl", tmp_path / "x.pdf"])
    assert [r.reason for r in result.rejections] == [
        "no such file or folder",
        "unsupported file type .pdf (whole file rejected, counted as one record)",
    ]
    assert result.n_read == 2


def test_repeat_record_same_text_is_reported() -> None:
    rec = {"id": "r", "outlet": "O", "text": "The army said so."}
    result = load_records([rec, rec])
    assert len(result.articles) == 1
    assert "same id, same text" in result.rejections[0].reason


def test_front_matter_split() -> None:
    meta, body = split_front_matter("---\noutlet: X\ntitle: 'T'\n---\nBody\n")
    assert meta == {"outlet": "X", "title": "T"}
    assert body == "Body\n"
    assert split_front_matter("no front matter") == ({}, "no front matter")


def test_exact_and_near_duplicates_flagged() -> None:
    base = ("Security forces killed a senior commander of the group in an overnight raid "
            "near the border town, officials said on Friday, adding that two others escaped. ")
    arts = [
        Article("w1", "Wire", base * 3),
        Article("p1", "Paper", base * 3),  # exact copy
        Article("p2", "Paper", "UPDATED: " + base * 3 + "(With input from Wire)"),  # near copy
        Article("x", "Other", "A flood hit the valley and relief teams arrived by boat."),
    ]
    flags = find_duplicates(arts, threshold=0.6)
    pairs = {(f.article_id, f.kind) for f in flags}
    assert ("w1", "exact_duplicate") in pairs and ("p1", "exact_duplicate") in pairs
    assert ("p2", "near_duplicate") in pairs
    assert not any(f.article_id == "x" for f in flags)


def test_one_duplicate_flag_per_article_and_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wire copy carried by many outlets: each article gets one flag per kind naming its
    counterparts (the first few, then how many more), not one flag per pair."""
    from framing.ingest import dedupe

    base = ("Security forces killed a senior commander of the group in an overnight raid "
            "near the border town, officials said on Friday, adding that two others escaped. ")
    arts = [Article(f"c{k}", f"Outlet {k}", base * 3) for k in range(4)]  # exact copies
    arts += [Article(f"n{k}", f"Paper {k}", f"UPDATE {k}: " + base * 3) for k in range(3)]
    monkeypatch.setattr(dedupe, "MAX_NAMED", 2)
    flags = find_duplicates(arts, threshold=0.6)
    kinds = [(f.article_id, f.kind) for f in flags]
    assert len(kinds) == len(set(kinds))  # one flag per article and kind
    by = {(f.article_id, f.kind): f.detail for f in flags}
    assert by[("c0", "exact_duplicate")] == (
        "identical text with c1 (Outlet 1), c2 (Outlet 2) and 1 more")
    assert ("n0", "exact_duplicate") not in by
    near = by[("n0", "near_duplicate")]
    assert near.startswith("shingle Jaccard 0.") and near.endswith(" and 4 more")
    assert ", 0." in near and " with c1 (Outlet 1)" in near
    monkeypatch.setattr(dedupe, "MAX_NAMED", 10)
    near = {f.article_id: f.detail for f in find_duplicates(arts, 0.6)
            if f.kind == "near_duplicate"}
    assert "more" not in near["n0"] and near["n0"].count(" with ") == 6
    assert near["c3"].count(" with ") == 3  # the three updated copies


def _pairs_by_brute_force(
    arts: list[Article], threshold: float, max_posting: int
) -> dict[tuple[int, int], tuple[str, str]]:
    """Every pair compared: shared shingles (in at most ``max_posting`` articles) over the union."""
    sh = [shingles(a.text) for a in arts]
    df: dict[int, int] = {}
    for s in sh:
        for g in s:
            df[g] = df.get(g, 0) + 1
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for i in range(len(arts)):
        for j in range(i + 1, len(arts)):
            if text_hash(arts[i].text) == text_hash(arts[j].text):
                out[(i, j)] = ("exact_duplicate", "identical text")
                continue
            n = sum(1 for g in sh[i] & sh[j] if df[g] <= max_posting)
            union = len(sh[i] | sh[j])
            if n and n / union >= threshold:
                out[(i, j)] = ("near_duplicate", f"shingle Jaccard {n / union:.2f}")
    return out


def test_duplicate_pairs_equal_all_pairs_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reprints (many articles sharing the same shingles), boilerplate shingles past the
    posting limit, subsets and pairs just below and above the threshold: the indexed search
    finds exactly the pairs an all-pairs comparison finds, with the same Jaccard."""
    from framing.ingest import dedupe

    words = [f"w{k}" for k in range(60)]
    story = " ".join(words)
    boiler = "Read more stories like this at our website every single day"
    arts = [Article(f"copy{k}", f"O{k}", story + f" copy {k}") for k in range(6)]
    arts += [Article("same", "S", story + " copy 0")]  # exact duplicate of copy0
    arts += [Article(f"b{k}", "B", f"{boiler} item {k}") for k in range(5)]
    for cut in (20, 24, 30, 36, 40, 45, 50):  # the start of the story: below, near, above 0.6
        arts.append(Article(f"part{cut}", "P", " ".join(words[:cut])))
    arts.append(Article("x", "X", "A flood hit the valley and relief teams arrived by boat."))
    for max_posting in (3, 6, 200):
        monkeypatch.setattr(dedupe, "MAX_POSTING", max_posting)
        for threshold in (0.3, 0.6, 0.8):
            got = dedupe.duplicate_pairs(arts, threshold)
            assert got == _pairs_by_brute_force(arts, threshold, max_posting)
    # random overlaps: articles cut and spliced from a few stories, with edits
    rng = random.Random(7)
    stories = [[f"s{k}w{w}" for w in range(rng.randint(8, 40))] for k in range(4)]
    spliced = []
    for k in range(40):
        a, b = rng.sample(stories, 2)
        toks = a[rng.randint(0, 5):] + b[: rng.randint(0, len(b))]
        for _ in range(rng.randint(0, 4)):
            toks.insert(rng.randint(0, len(toks)), f"edit{rng.randint(0, 9)}")
        spliced.append(Article(f"r{k}", "R", " ".join(toks)))
    for max_posting in (4, 200):
        monkeypatch.setattr(dedupe, "MAX_POSTING", max_posting)
        for threshold in (0.1, 0.45, 0.6, 0.9, 1.0):
            want = _pairs_by_brute_force(spliced, threshold, max_posting)
            assert dedupe.duplicate_pairs(spliced, threshold) == want
    assert len(_pairs_by_brute_force(spliced, 0.45, 200)) > 10  # the case is not trivial
    monkeypatch.setattr(dedupe, "MAX_POSTING", 200)
    got = dedupe.duplicate_pairs(arts, 0.6)
    assert got[(0, 6)] == ("exact_duplicate", "identical text")
    assert got[(0, 1)][0] == "near_duplicate"
    assert not any(len(arts) - 1 in p for p in got)


def test_text_hash_ignores_whitespace() -> None:
    assert text_hash("a  b\nc") == text_hash("a b c")
    assert text_hash("a b") != text_hash("a c")


def test_shingles_short_text() -> None:
    assert len(shingles("one two")) == 1
    assert shingles("") == frozenset()


# --- Issue 18: every record on its own; nothing crashes, stalls or goes missing -------------

GOOD = '{"id": "ok", "outlet": "O", "text": "The minister said it."}'


def _accounted(result) -> None:  # type: ignore[no-untyped-def]
    assert result.n_read == len(result.articles) + len(result.rejections)
    for a in result.articles:
        for value in (a.id, a.outlet, a.text, a.title or ""):
            value.encode("utf-8")


def _jsonl(tmp_path: Path, *lines: str | bytes) -> Path:
    p = tmp_path / "in.jsonl"
    p.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return p


def _sanitized(result) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, list[str]] = {}
    for f in result.flags:
        if f.kind == "sanitized":
            out.setdefault(f.article_id, []).append(f.detail)
    return out


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_deeply_nested_json_is_one_rejected_record(tmp_path: Path, depth: int) -> None:
    deep = "[" * depth + "]" * depth
    p = _jsonl(tmp_path, GOOD, '{"id": "d", "outlet": "O", "text": "x", "extra": ' + deep + "}",
               "[" * depth + "]" * depth, GOOD.replace('"ok"', '"ok2"'))
    result = load_articles([p])
    _accounted(result)
    assert [a.id for a in result.articles] == ["ok", "ok2"]
    assert result.n_read == 4
    assert [r.record for r in result.rejections] == [f"{p}:2", f"{p}:3"]
    assert result.rejections[0].reason == "nested too deeply (more than 64 levels of lists/objects)"


def test_lone_surrogates_replaced_and_flagged(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, '{"id": "s\\ud800", "outlet": "O\\udfff", "title": "T\\ud800",'
               ' "event": "e\\udc00", "text": "The army \\ud83d said so.", "note": ["\\ud800"]}')
    result = load_articles([p])
    _accounted(result)
    (a,) = result.articles
    assert (a.id, a.outlet, a.title, a.event) == ("s\ufffd", "O\ufffd", "T\ufffd", "e\ufffd")
    assert a.text == "The army \ufffd said so."
    assert a.metadata == {"note": ["\ufffd"]}
    assert _sanitized(result) == {
        "s\ufffd": ["replaced lone surrogates with U+FFFD in id, outlet, text, title, event, note"]
    }


def test_a_proper_surrogate_pair_is_kept(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, '{"id": "e", "outlet": "O", "text": "He said \\ud83d\\ude00 twice."}')
    result = load_articles([p])
    assert result.articles[0].text == "He said \U0001f600 twice."
    assert not _sanitized(result)


def test_control_characters_and_nul_removed_and_flagged(tmp_path: Path) -> None:
    p = _jsonl(
        tmp_path,
        '{"id": "c", "outlet": "O", "title": "A\\u0007B", '
        '"text": "The army\\u0000 said\\tso.\\fNext page.\\u001b"}',
        b'{"id": "raw", "outlet": "O", "text": "Raw\x00 NUL and\ttab in the line."}',
    )
    result = load_articles([p])
    _accounted(result)
    by_id = {a.id: a for a in result.articles}
    assert by_id["c"].text == "The army said\tso.\nNext page."
    assert by_id["c"].title == "AB"
    assert by_id["raw"].text == "Raw NUL and\ttab in the line."
    assert _sanitized(result) == {"c": ["removed control characters in text, title"],
                                  "raw": ["removed control characters in text"]}


@pytest.mark.parametrize(
    ("text", "reason"),
    [("   \n\t ", "empty text"),
     ("\u200b\u200b\ufeff", "empty text (only whitespace, zero-width or control characters)"),
     ("\x00\x00", "empty text (only whitespace, zero-width or control characters)"),
     (" \u2060\u00ad\x01 ", "empty text (only whitespace, zero-width or control characters)")],
)
def test_invisible_text_is_empty(text: str, reason: str) -> None:
    result = load_records([{"id": "z", "outlet": "O", "text": text}])
    assert [r.reason for r in result.rejections] == [reason]
    assert result.rejections[0].id == "z"


def test_zero_width_id_or_outlet_is_missing() -> None:
    result = load_records([{"id": "\u200b", "outlet": "O", "text": "Said."},
                           {"id": "x", "outlet": " \x00 ", "text": "Said."}])
    assert [r.reason for r in result.rejections] == ["missing id", "missing outlet"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [("outlet", ["Kabul Times", "Dawn Mirror"], "outlet is a list, not a string"),
     ("id", True, "id is a boolean (true), not a string"),
     ("id", 1.5, "id is a number (1.5), not a string"),
     ("text", 42, "text is a number (42), not a string"),
     ("text", ["a"], "text is a list, not a string"),
     ("title", {"a": 1}, "title is an object, not a string"),
     ("published", False, "published is a boolean (false), not a string")],
)
def test_wrong_json_types_are_rejected(tmp_path: Path, field: str, value: object,
                                       reason: str) -> None:
    import json

    rec = {"id": "w", "outlet": "O", "text": "The army said so.", field: value}
    result = load_articles([_jsonl(tmp_path, json.dumps(rec), GOOD)])
    _accounted(result)
    assert [a.id for a in result.articles] == ["ok"]
    assert [r.reason for r in result.rejections] == [reason]


def test_whole_number_id_is_its_decimal_string(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, '{"id": 17, "outlet": "O", "text": "Said.", "event": 3, "id2": null}')
    (a,) = load_articles([p]).articles
    assert (a.id, a.event) == ("17", "3")


def test_nan_counts_as_missing() -> None:
    result = load_records([{"id": float("nan"), "outlet": "O", "text": "Said."},
                           {"id": "n", "outlet": "O", "text": "Said.", "title": float("nan")}])
    assert [r.reason for r in result.rejections] == ["missing id"]
    assert result.articles[0].title is None


def test_json_oddities_rejected_per_line(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, '{"id": "a", "outlet": "O", "text": "x", "text": "y"}',
               '{"id": ' + "9" * 5000 + ', "outlet": "O", "text": "x"}', GOOD)
    result = load_articles([p])
    _accounted(result)
    assert [r.reason for r in result.rejections] == [
        "field 'text' given twice",
        "not JSON that can be read (a number with too many digits)",
    ]


def test_bom_and_line_endings(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n"
                     + GOOD.replace('"ok"', '"ok2"').encode() + b"\r\n")
    cr = tmp_path / "cr.jsonl"
    cr.write_bytes(GOOD.replace('"ok"', '"c1"').encode() + b"\r"
                   + GOOD.replace('"ok"', '"c2"').encode() + b"\r")
    joined = tmp_path / "joined.jsonl"  # two BOM'd files joined with cat
    joined.write_bytes(b"\xef\xbb\xbf" + GOOD.replace('"ok"', '"j1"').encode() + b"\n"
                       + b"\xef\xbb\xbf" + GOOD.replace('"ok"', '"j2"').encode() + b"\n")
    table = tmp_path / "t.csv"
    table.write_bytes(b'\xef\xbb\xbfid,outlet,text,title\r\nt1,O,"Line one\r\nline two\rthree",'
                      b'"A\rB"\r\n')
    result = load_articles([crlf, cr, joined, table])
    _accounted(result)
    assert not result.rejections
    by_id = {a.id: a for a in result.articles}
    assert set(by_id) == {"ok", "ok2", "c1", "c2", "j1", "j2", "t1"}
    assert by_id["t1"].text == "Line one\nline two\nthree"
    assert by_id["t1"].title == "A\nB"


def test_utf16_file_with_bom(tmp_path: Path) -> None:
    p = tmp_path / "u16.csv"
    p.write_bytes("id,outlet,text\nu,O,Kabul said so.\n".encode("utf-16"))
    result = load_articles([p])
    assert [a.text for a in result.articles] == ["Kabul said so."]


def test_csv_long_fields(tmp_path: Path) -> None:
    p = tmp_path / "long.csv"
    long_ok = "word " * 40_000  # 200,000 characters: over csv's default field limit
    p.write_text("id,outlet,text\n"
                 f'a,O,"{long_ok[:199_000]}"\n'
                 f'b,O,"{"x" * 250_000}"\n'
                 "c,O,The minister said it.\n", encoding="utf-8")
    result = load_articles([p])
    _accounted(result)
    assert [a.id for a in result.articles] == ["a", "c"]
    assert [(r.record, r.reason) for r in result.rejections] == [
        (f"{p}:3", "oversize text: 250000 characters > limit 200000")]


def test_csv_bad_byte_rejects_its_row_only(tmp_path: Path) -> None:
    p = tmp_path / "five.csv"
    p.write_bytes(b"id,outlet,text\n"
                  b"1,O,The army said so.\n"
                  b"2,O,caf\xe9 said.\n"
                  b'3,O,"Two\nlines\xff"\n'
                  b"4,O,The ministry said.\n"
                  b"5,O,Officials said.\n")
    result = load_articles([p])
    _accounted(result)
    assert result.n_read == 5
    assert [a.id for a in result.articles] == ["1", "4", "5"]
    assert [(r.record, r.reason) for r in result.rejections] == [
        (f"{p}:{line}", "undecodable bytes (not UTF-8) in text; looks like Windows-1252/"
                        "Latin-1: re-save as UTF-8, e.g. iconv -f cp1252 -t utf-8")
        for line in (3, 4)
    ]


def test_csv_header_problems_reject_every_row(tmp_path: Path) -> None:
    dup = tmp_path / "dup.csv"
    dup.write_text("id,outlet,text,text\n1,O,a,b\n2,O,c,d\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,outlet,te\xffxt\n1,O,a\n")
    blank = tmp_path / "blank.csv"  # trailing commas from a spreadsheet
    blank.write_text("id,outlet,text,,\n1,O,Said.,,\n", encoding="utf-8")
    result = load_articles([dup, bad, blank])
    _accounted(result)
    assert result.n_read == 4
    assert [r.reason for r in result.rejections] == [
        "the CSV header names column 'text' twice, so no row can be read"] * 2 + [
        "the CSV header has undecodable bytes (not UTF-8), so no row can be read; looks like "
        "Windows-1252/Latin-1: re-save as UTF-8, e.g. iconv -f cp1252 -t utf-8"]
    assert [a.id for a in result.articles] == ["1"]


def test_csv_record_named_by_its_first_line(tmp_path: Path) -> None:
    p = tmp_path / "m.csv"
    p.write_text('id,outlet,text\n\n1,O,"a\nb\nc"\n2,,x\n', encoding="utf-8")
    result = load_articles([p])
    assert [r.record for r in result.rejections] == [f"{p}:6"]


def test_oversize_title_and_whole_file_accounting(tmp_path: Path) -> None:
    result = load_records([{"id": "t", "outlet": "O", "text": "Said.", "title": "x" * 200}],
                          Settings(max_chars=100))
    assert result.rejections[0].reason == "oversize title: 200 characters > limit 100"
    p = _jsonl(tmp_path, GOOD, GOOD)
    result = load_articles([p], Settings(max_file_bytes=10))
    assert result.n_read == 1
    assert result.rejections[0].reason.startswith("oversize file")
    assert result.rejections[0].reason.endswith(
        "whole file rejected, counted as one record; the records in it were not counted")


def test_folder_rules(tmp_path: Path) -> None:
    (tmp_path / "Wire").mkdir()
    (tmp_path / "Wire" / "bad.txt").write_bytes(b"caf\xe9 said")
    (tmp_path / "Wire" / "crlf.md").write_bytes(
        b"\xef\xbb\xbf---\r\ntitle: T\r\n---\r\nThe ministry\x00 said it.\r\n")
    (tmp_path / "Wire" / "blank.txt").write_text("\u200b \n", encoding="utf-8")
    (tmp_path / "Wire" / "deep.txt").write_text("Said.", encoding="utf-8")
    (tmp_path / "Wire" / "deep.json").write_text('{"x": ' + "[" * 5000 + "]" * 5000 + "}")
    (tmp_path / "Wire" / "typed.txt").write_text("Said.", encoding="utf-8")
    (tmp_path / "Wire" / "typed.json").write_text('{"outlet": ["A", "B"]}')
    (tmp_path / "orphan.json").write_text('[{"id": "x"}]')
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / "page.html").write_bytes(
        b"<html><body><article><p>" + b"The governor\x00 said the bridge would reopen. " * 8
        + b"</p></article></body></html>")
    (tmp_path / "page.html.json").write_text('{"outlet": "City"}')
    result = load_articles([tmp_path])
    _accounted(result)
    reasons = {Path(r.record).relative_to(tmp_path).as_posix(): r.reason
               for r in result.rejections}
    assert reasons == {
        "Wire/bad.txt": "undecodable bytes (not UTF-8); looks like Windows-1252/Latin-1: "
                        "re-save as UTF-8, e.g. iconv -f cp1252 -t utf-8",
        "Wire/blank.txt": "empty text (only whitespace, zero-width or control characters)",
        "Wire/deep.txt": "sidecar deep.json: nested too deeply (more than 64 levels of lists/"
                         "objects)",
        "Wire/typed.txt": "outlet is a list, not a string",
        "orphan.json": "a .json file is read only as the sidecar of a .txt/.md/.html file of "
                       "the same name, and there is none; put records in .jsonl or .csv "
                       "(whole file rejected, counted as one record)",
        "notes.docx": "unsupported file type .docx (whole file rejected, counted as one record)",
    }
    by_id = {a.id: a for a in result.articles}
    assert by_id["Wire/crlf"].title == "T"
    assert by_id["Wire/crlf"].text == "The ministry said it.\n"
    assert "governor said the bridge" in by_id["page"].text


def test_in_memory_records_that_are_not_objects_or_cyclic() -> None:
    cyclic: dict[str, object] = {"id": "c", "outlet": "O", "text": "Said."}
    cyclic["self"] = cyclic
    result = load_records([["not", "a", "dict"], cyclic])  # type: ignore[list-item]
    _accounted(result)
    assert [r.reason for r in result.rejections] == [
        "not an object but list", "nested too deeply (more than 64 levels of lists/objects)"]


def test_rejection_strings_are_writable() -> None:
    result = load_records([{"id": "\ud800x", "outlet": ["O"], "text": "Said."}],
                          origin="up\udcffload")
    (r,) = result.rejections
    for s in (r.record, r.reason, r.id or ""):
        s.encode("utf-8")
    assert r.id == "\ufffdx"


def test_metadata_keys_cleaned_named_and_not_merged() -> None:
    result = load_records([
        {"id": "k", "outlet": "O", "text": "Said.", "src\ud800": {"a\x00": "b\ud800"}},
        {"id": "m", "outlet": "O", "text": "Said.", "tag": 1, "tag\x00": 2},
        {"id": "n", "outlet": "O", "text": "Said.", "text\x07": "again"},
    ])
    _accounted(result)
    (a,) = result.articles
    assert a.metadata == {"src\ufffd": {"a": "b\ufffd"}}
    assert _sanitized(result) == {"k": ["replaced lone surrogates with U+FFFD in src\ufffd",
                                        "removed control characters in src\ufffd"]}
    assert [r.reason for r in result.rejections] == [
        "field 'tag' given twice once cleaned", "field 'text' given twice once cleaned"]


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_uploads_read_through_the_readers(tmp_path: Path) -> None:
    from framing.ingest.uploads import Upload, load_uploads

    broken = bytearray(_zip({"c/x.txt": b"Said."}))
    broken[broken.index(b"Said.")] ^= 0xFF  # CRC no longer matches: the member cannot be read
    ups = [Upload("a.jsonl", b'{"id": "1", "outlet": "O", "text": "Said \\ud800."}\n\x81\n'),
           Upload("a.jsonl", b'{"id": "2", "outlet": "O", "text": "Also said."}\n'),
           Upload("z.zip", bytes(broken))]
    result = load_uploads(ups, tmp_path, Settings())
    _accounted(result)
    assert result.n_read == 4  # three JSONL lines and the member that cannot be unpacked
    assert sorted(a.id for a in result.articles) == ["1", "2"]  # same-named uploads both read
    assert [(r.record, r.reason) for r in result.rejections] == [
        ("z.zip/c/x.txt",
         "cannot be unpacked (BadZipFile) (whole file rejected, counted as one record)"),
        ("a.jsonl:2", "undecodable bytes (not UTF-8) at byte 0")]
    assert _sanitized(result) == {"1": ["replaced lone surrogates with U+FFFD in text"]}


def test_uploads_unpack_zips_safely(tmp_path: Path) -> None:
    from framing.ingest.uploads import Upload, load_uploads, save_uploads

    root = tmp_path / "uploads"
    zipped = _zip({
        "corpus/Alpha/one.txt": b"The minister said the talks failed.",
        "../evil.txt": b"escape",
        "/abs.txt": b"escape",
        "C:/win.txt": b"escape",
        "corpus/run.exe": b"binary",
        "corpus/.secret/x.txt": b"hidden",
        "__MACOSX/corpus/Alpha/._one.txt": b"\x00\x05\x16\x07resource fork",
        "corpus/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "corpus/big.jsonl": b"x" * 200,
    })
    ups = [Upload("c.zip", zipped), Upload("notes.pdf", b"%PDF"), Upload("bad.zip", b"no zip"),
           Upload("c.jsonl", (GOOD + "\n").encode()), Upload("C.JSONL", b"")]
    folder, skipped = save_uploads(ups, root, Settings(max_file_bytes=100))
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    # c.zip is unpacked into c/; C.JSONL is renamed, not written over c.jsonl on a
    # case-insensitive disk
    assert files == ["C (2).JSONL", "c.jsonl", "c/corpus/Alpha/one.txt"]
    assert not (tmp_path / "evil.txt").exists() and not (root / "evil.txt").exists()
    whole = " (whole file rejected, counted as one record)"
    assert sorted((r.record, r.reason) for r in skipped) == [
        ("bad.zip", "not a readable ZIP file" + whole),
        ("c.zip/../evil.txt", "unsafe path (it leads outside the upload's folder)" + whole),
        ("c.zip//abs.txt", "unsafe path (it leads outside the upload's folder)" + whole),
        ("c.zip/C:/win.txt", "unsafe path (it leads outside the upload's folder)" + whole),
        ("c.zip/corpus/.secret/x.txt", "hidden file" + whole),
        ("c.zip/corpus/big.jsonl", "oversize file once unpacked: 200 bytes > limit 100; whole "
         "file rejected, counted as one record; the records in it were not counted"),
        ("c.zip/corpus/run.exe", "unsupported file type .exe" + whole),
        ("notes.pdf", "unsupported file type .pdf" + whole),
    ]
    # Every upload is accounted for: skipped files are rejections counted as records read.
    result = load_uploads(ups, root, Settings(max_file_bytes=100))
    _accounted(result)
    assert sorted((a.id, a.outlet) for a in result.articles) == [
        ("c/corpus/Alpha/one", "Alpha"), ("ok", "O")]
    assert result.n_read == 2 + len(skipped)


def test_upload_zip_total_size_limit(tmp_path: Path) -> None:
    from framing.ingest.uploads import Upload, save_uploads

    zipped = _zip({f"{i}.txt": b"The minister said so. " * 4 for i in range(6)})  # 88 bytes each
    _, skipped = save_uploads([Upload("z.zip", zipped)], tmp_path, Settings(max_file_bytes=100))
    assert [r.record for r in skipped] == ["z.zip/4.txt", "z.zip/5.txt"]
    assert skipped[0].reason.startswith("the ZIP unpacks to more than 400 bytes")


def test_csv_without_a_required_column_says_so_once(tmp_path: Path) -> None:
    from framing.ingest.summary import summarize_rejections

    p = tmp_path / "data.csv"
    p.write_text("id,source,body\n" + "".join(f"{i},O,Said {i}.\n" for i in range(412)),
                 encoding="utf-8")
    one = tmp_path / "one.csv"
    one.write_text("id,source,text\n1,O,Said.\n", encoding="utf-8")
    case = tmp_path / "case.csv"
    case.write_text("id,Outlet,text\n1,O,Said.\n", encoding="utf-8")
    result = load_articles([p, one, case])
    _accounted(result)
    assert result.n_read == 414 and not result.articles
    reason = ("no 'outlet' or 'text' column (columns found: id, source, body); "
              "rename columns to 'outlet' and 'text' or add them")
    assert {r.reason for r in result.rejections[:412]} == {reason}
    assert [r.record for r in result.rejections[:2]] == [f"{p}:2", f"{p}:3"]  # each row named
    assert result.rejections[412].reason == (
        "no 'outlet' column (columns found: id, source, text); rename a column to 'outlet' or "
        "add one")
    assert result.rejections[413].reason == (
        "no 'outlet' column (columns found: id, Outlet, text); rename a column to 'outlet' or "
        "add one (names are case-sensitive: 'Outlet' is not 'outlet')")
    assert summarize_rejections(result.rejections) == [
        f"412 records of {p}: {reason}",
        f"{one}:2: {result.rejections[412].reason}",
        f"{case}:2: {result.rejections[413].reason}",
    ]


def test_summary_groups_identical_reasons_only() -> None:
    from framing.ingest.summary import summarize_rejections
    from framing.models import Rejection

    rejections = [Rejection("a.jsonl:1", "missing outlet"), Rejection("a.jsonl:4", "empty text"),
                  Rejection("a.jsonl:9", "missing outlet"), Rejection("b.jsonl:1", "missing outlet"),
                  *(Rejection(f"corpus/{i}.pdf", "unsupported file type .pdf") for i in range(5))]
    assert summarize_rejections(rejections) == [
        "2 records of a.jsonl: missing outlet",
        "a.jsonl:4: empty text",
        "b.jsonl:1: missing outlet",
        "5 records (corpus/0.pdf, corpus/1.pdf, corpus/2.pdf, …): unsupported file type .pdf",
    ]


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_csv_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    p = tmp_path / "d.csv"
    p.write_text(delimiter.join(["id", "outlet", "text", "title"]) + "\n"
                 + delimiter.join(["1", "Dawn", '"The army said, ""go""; then left."', "T"]) + "\n"
                 + delimiter.join(["2", "Dawn", "Officials said so.", ""]) + "\n",
                 encoding="utf-8")
    result = load_articles([p])
    assert not result.rejections
    assert [(a.id, a.outlet, a.text) for a in result.articles] == [
        ("1", "Dawn", 'The army said, "go"; then left.'), ("2", "Dawn", "Officials said so.")]


def test_csv_delimiter_sniffed_without_the_required_names(tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    p.write_text("id;source;body\n1;O;Said.\n", encoding="utf-8")
    result = load_articles([p])
    assert result.rejections[0].reason.startswith(
        "no 'outlet' or 'text' column (columns found: id, source, body)")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path: Path, codec: str) -> None:
    table = tmp_path / "u.csv"
    table.write_bytes("id,outlet,text\nu,Pajhwok,سلام Kabul said so.\n"
                      "v,Dawn,Islamabad said so.\n".encode(codec))
    lines = tmp_path / "u.jsonl"
    lines.write_bytes((GOOD + "\n" + GOOD.replace('"ok"', '"ok2"') + "\n").encode(codec))
    (tmp_path / "Wire").mkdir()
    (tmp_path / "Wire" / "t.txt").write_bytes("The minister said so.".encode(codec))
    result = load_articles([tmp_path])
    assert not result.rejections and result.n_read == 5
    by_id = {a.id: a.text for a in result.articles}
    assert by_id["u"] == "سلام Kabul said so."
    assert by_id["Wire/t"] == "The minister said so."
    assert {"ok", "ok2", "v"} <= set(by_id)


def test_utf16_without_bom_that_cannot_be_decoded_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes("id,outlet,text\nu,O,Said so.\n".encode("utf-16-le") + b"\n")  # odd length
    result = load_articles([p])
    assert result.n_read == 1 and not result.articles
    assert result.rejections[0].reason == (
        "looks like UTF-16-LE without a byte-order mark, but cannot be read as such; save the "
        "file as UTF-8; whole file rejected, counted as one record; the records in it were not "
        "counted")


def test_utf8_with_some_nul_bytes_is_not_taken_for_utf16(tmp_path: Path) -> None:
    p = _jsonl(tmp_path, GOOD, b"a\x00b\x00c\x00d\x00e\x00", GOOD.replace('"ok"', '"b"'))
    result = load_articles([p])
    assert result.n_read == 3 and [a.id for a in result.articles] == ["ok", "b"]


def test_windows_1252_bytes_say_how_to_resave(tmp_path: Path) -> None:
    hint = "looks like Windows-1252/Latin-1: re-save as UTF-8, e.g. iconv -f cp1252 -t utf-8"
    table = tmp_path / "w.csv"
    table.write_bytes("id,outlet,text\n1,O,Caf\u00e9 \u201cquoted\u201d.\n2,O,Plain.\n"
                      "3,O,na\u00efve\n".encode("cp1252"))
    lines = tmp_path / "w.jsonl"
    lines.write_bytes(b'{"id": "4", "outlet": "O", "text": "caf\xe9"}\n'
                      b'{"id": "5", "outlet": "O", "text": "na\xefve \x96 so"}\n'
                      b'{"id": "6", "outlet": "O", "text": "binary \x81\x01"}\n')
    header = tmp_path / "h.csv"
    header.write_bytes(b"id,outlet,text,r\xe9sum\xe9\n1,O,Said.,x\n")
    (tmp_path / "Wire").mkdir()
    (tmp_path / "Wire" / "t.txt").write_bytes(b"The minister said caf\xe9.")
    result = load_articles([table, lines, header, tmp_path / "Wire"])
    _accounted(result)
    assert [a.id for a in result.articles] == ["2"]
    assert [(r.record.rsplit("/", 1)[-1], r.reason) for r in result.rejections] == [
        ("w.csv:2", f"undecodable bytes (not UTF-8) in text; {hint}"),
        ("w.csv:4", f"undecodable bytes (not UTF-8) in text; {hint}"),
        ("w.jsonl:1", f"undecodable bytes (not UTF-8); {hint}"),
        ("w.jsonl:2", f"undecodable bytes (not UTF-8); {hint}"),
        ("w.jsonl:3", "undecodable bytes (not UTF-8) at byte 43"),  # 0x81: not Windows-1252
        ("h.csv:2", f"the CSV header has undecodable bytes (not UTF-8), so no row can be read; "
                    f"{hint}"),
        ("t.txt", f"undecodable bytes (not UTF-8); {hint}"),
    ]
