"""Property tests (Hypothesis): no record a user hands in crashes ingest or goes missing.

Random and adversarial records - any unicode including lone surrogates, control characters,
zero-width characters and BOMs, random JSON values and nesting, random bytes, huge fields - are
written as JSONL, CSV and folders of files and read back through the public readers. Whatever
comes in: nothing escapes as an exception, every record read is accepted or rejected, accepted
ids are unique, and every accepted string can be encoded as UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framing.api import load
from framing.ingest.readers import load_articles, load_records
from framing.models import IngestResult
from framing.settings import Settings

#: Examples per test; FRAMING_FUZZ_EXAMPLES=2000 for a longer hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("FRAMING_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SETTINGS = Settings(max_chars=150_000)

ODD = ["\ud800", "\udfff", "\udc80", "\x00", "\x07", "\x0c", "\x1b", "\x7f", "\r", "\r\n",
       "\u200b", "\ufeff", "\u2028", "\u0085", "\ufffd", "\U0001f600", "\t", " ", "\n", '"',
       ",", "---\n", "<p>", "\\"]
chars = st.one_of(st.characters(), st.sampled_from(ODD))  # st.characters() includes surrogates
texts = st.one_of(
    st.lists(chars, max_size=40).map("".join),
    st.text(max_size=60),
    st.sampled_from(["", " ", "\u200b\u200b", "\x00\x00", "The minister said it was over.",
                     "Officials said, \"the road is closed.\"", "x" * 140_000, "a " * 80_000]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=12,
)
FIELDS = ("id", "outlet", "text", "title", "published", "url", "event", "language", "group")
records = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), texts),
    st.one_of(texts, json_values),
    max_size=8,
).map(lambda d: {"id": "x", "outlet": "O", "text": "Said.", **d} if len(d) % 3 == 0 else d)
nests = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n)
deep = st.one_of(
    nests, nests.map(lambda s: '{"id": "d", "outlet": "O", "text": "x", "m": ' + s + "}")
)
junk = st.binary(min_size=1, max_size=80).filter(
    lambda b: b"\n" not in b and b"\r" not in b and b.strip() != b""
)


def _check(result: IngestResult) -> None:
    assert result.n_read == len(result.articles) + len(result.rejections)
    ids = [a.id for a in result.articles]
    assert len(ids) == len(set(ids))
    for a in result.articles:
        assert isinstance(a.text, str) and a.text.strip()
        for value in (a.id, a.outlet, a.text, a.title, a.published, a.url, a.event, a.group,
                      a.language, json.dumps(a.metadata, ensure_ascii=False, default=str)):
            if value is not None:
                value.encode("utf-8")
    for r in result.rejections:
        for value in (r.record, r.reason, r.id or ""):
            value.encode("utf-8")
        assert "internal error" not in r.reason, r
    for f in result.flags:
        (f.article_id + f.detail).encode("utf-8")


def _in_tmp(fn: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as d:
        fn(Path(d))


@FUZZ
@given(st.lists(st.one_of(records.map(lambda r: ("rec", r)), deep.map(lambda s: ("raw", s)),
                          junk.map(lambda b: ("bytes", b))), max_size=12),
       st.sampled_from([b"\n", b"\r\n"]), st.booleans())
def test_jsonl_any_lines(lines: list[tuple[str, Any]], eol: bytes, bom: bool) -> None:
    def run(tmp: Path) -> None:
        out = []
        for kind, value in lines:
            if kind == "rec":
                out.append(json.dumps(value).encode())
            elif kind == "raw":
                out.append(value.encode())
            else:
                out.append(value)
        p = tmp / "in.jsonl"
        p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + eol.join(out) + eol)
        result = load([p], SETTINGS)
        _check(result)
        expected = sum(1 for line in out if line.removeprefix(b"\xef\xbb\xbf").strip())
        assert result.n_read == expected

    _in_tmp(run)


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@FUZZ
@given(st.lists(st.lists(st.one_of(texts, json_values.map(_cell)), min_size=1, max_size=6),
                max_size=10),
       st.sampled_from(["\n", "\r\n", "\r"]), st.booleans(), st.booleans())
def test_csv_any_rows(rows: list[list[Any]], eol: str, bom: bool, header_first: bool) -> None:
    def run(tmp: Path) -> None:
        buf = io.StringIO()
        # Python's writer quotes a field only for the line terminator's own characters.
        quoting = csv.QUOTE_MINIMAL if eol == "\r\n" else csv.QUOTE_ALL
        writer = csv.writer(buf, lineterminator=eol, quoting=quoting)
        header = ["id", "outlet", "text", "title"] if header_first else ["text", "id", "outlet"]
        writer.writerow(header)
        cells = [[_cell(c) for c in row] for row in rows]
        writer.writerows(cells)
        # Lone surrogates become bytes that are not UTF-8: rows a scraper wrote badly.
        data = buf.getvalue().encode("utf-8", errors="surrogatepass")
        p = tmp / "in.csv"
        p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        result = load_articles([p], SETTINGS)
        _check(result)
        assert result.n_read == len(cells)

    _in_tmp(run)


names = st.text(alphabet="abcdefXYZ0129_- ", min_size=1, max_size=8).map(str.strip).filter(bool)
suffixes = st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf", ".json", ""])
contents = st.one_of(
    texts.map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    st.binary(max_size=200),
    texts.map(lambda t: f"---\ntitle: {t}\noutlet: O\n---\n{t}".encode("utf-8", "surrogatepass")),
    texts.map(lambda t: f"<html><body><article><p>{t}</p></article></body></html>".encode(
        "utf-8", "surrogatepass")),
    st.just("\ufeffThe minister said it.\r\n".encode()),
)
sidecar = st.one_of(st.none(), json_values.map(lambda v: json.dumps(v).encode()),
                    records.map(lambda r: json.dumps(r).encode()), st.binary(max_size=40),
                    nests.map(str.encode))


@FUZZ
@given(st.dictionaries(st.tuples(st.sampled_from(["", "Wire/", "Dawn Mirror/"]), names, suffixes),
                       st.tuples(contents, sidecar), max_size=8))
def test_folder_any_files(files: dict[tuple[str, str, str], tuple[bytes, bytes | None]]) -> None:
    def run(tmp: Path) -> None:
        for (folder, stem, suffix), (content, side) in files.items():
            path = tmp / f"{folder}{stem}{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            if side is not None and suffix not in (".json", ""):
                path.with_suffix(suffix + ".json").write_bytes(side)
        result = load_articles([tmp], SETTINGS)
        _check(result)

    _in_tmp(run)


@FUZZ
@given(st.lists(st.one_of(records, json_values), max_size=10))
def test_in_memory_records(recs: list[Any]) -> None:
    result = load_records(recs, SETTINGS)
    _check(result)
    assert result.n_read == len(recs)
