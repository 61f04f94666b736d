"""Ingest: every record is accepted or rejected with a reason; duplicates and language flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.ingest import load_articles
from framing.ingest.dedupe import find_duplicates, shingles, text_hash
from framing.ingest.readers import load_records, split_front_matter
from framing.ingest.validation import english_ratio
from framing.models import Article
from framing.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _reasons(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.record.rsplit(":", 1)[-1]: r.reason for r in result.rejections}


def test_jsonl_accounting_every_record() -> None:
    result = load_articles([FIXTURES / "small.jsonl"])
    ids = [a.id for a in result.articles]
    assert ids == ["a1", "a2", "a5"]
    assert result.n_read == 8
    assert len(result.articles) + len(result.rejections) == result.n_read
    reasons = _reasons(result)
    assert reasons["3"] == "missing outlet"
    assert reasons["4"] == "empty text"
    assert reasons["5"].startswith("not JSON")
    assert reasons["6"] == "not a JSON object but list"
    assert reasons["7"].startswith("duplicate id 'a1' with different text")


def test_rejections_name_the_record() -> None:
    result = load_articles([FIXTURES / "small.jsonl"])
    for r in result.rejections:
        assert str(FIXTURES / "small.jsonl") in r.record


def test_non_english_is_flagged_not_dropped() -> None:
    result = load_articles([FIXTURES / "small.jsonl"])
    flagged = {f.article_id for f in result.flags if f.kind == "non_english"}
    assert flagged == {"a5"}
    assert "a5" in [a.id for a in result.articles]


def test_declared_language_flagged() -> None:
    result = load_records([{"id": "x", "outlet": "O", "text": "The army said so.",
                            "language": "ps"}])
    assert [f.kind for f in result.flags] == ["non_english"]


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
    assert [r.reason for r in result.rejections] == ["missing outlet"]


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
    assert [r.reason for r in result.rejections] == ["no such file or folder",
                                                     "unsupported file type .pdf"]


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


def test_text_hash_ignores_whitespace() -> None:
    assert text_hash("a  b\nc") == text_hash("a b c")
    assert text_hash("a b") != text_hash("a c")


def test_shingles_short_text() -> None:
    assert len(shingles("one two")) == 1
    assert shingles("") == frozenset()


@pytest.mark.parametrize(
    ("text", "english"),
    [("The minister said that the army was in the city.", True),
     ("Der Minister sagte, dass die Armee in der Stadt war.", False)],
)
def test_english_ratio(text: str, english: bool) -> None:
    assert (english_ratio(text) >= Settings().min_english_ratio) is english
