"""Standoff annotation sets: our labels of real news kept as character offsets, without the text.

Real articles (PolNeAR, BASIL) have restrictive or unstated terms, so a hand annotation of them
lives in the project as a standoff JSON Lines file, one article a line::

    {"file": "polnear/data/train/text/NAME.txt" | "basil/articles/2010/UUID_1.json",
     "id": ..., "outlet": ..., "event": ..., "annotator": ...,
     "gold": [{"part": "title" | "body", "start": int, "end": int, "category": ..., "voice": ...,
               "sources": [{"start", "end", "kind"}],
               "loaded": [{"start", "end", "speaker": "author" | {"start", "end"}}],
               "evaluative_cues": [{"start", "end"}], "ambiguous"?: bool, "note"?: str}]}

``file`` is relative to the data root (``shared/data``). Every offset is a character offset into
its part, and the parts are rebuilt from the file exactly as the challenge sets were made:

* PolNeAR ``.txt``: ``title, _, rest = raw.partition("\\n")``; body = ``rest.strip()``;
* BASIL ``.json``: title = ``d["title"]``; body =
  ``"\\n\\n".join(" ".join(p) for p in d["body-paragraphs"])``.

A loaded phrase's speaker offsets point to the source phrase in the same part (in the phrase's
sentence when it is named there, else the nearest mention before it, else the first after it).
Notes are the annotator's words; a run of more than :data:`NOTE_MAX_WORDS` words copied from the
article is cut to its first words in :func:`to_standoff`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from framing.evaluation.challenge import (
    ChallengeArticle,
    GoldSentence,
    find_phrase,
    jsonl_records,
)
from framing.models import Article, Span

#: Longest run of article words a note may repeat.
NOTE_MAX_WORDS = 6
_WORD = re.compile(r"\w+(?:['’]\w+)*")


# ------------------------------------------------------------------ files and parts


def parts_of(path: Path) -> tuple[str, str]:
    """(title, body) of a corpus file, built as the challenge sets were (module docstring)."""
    if path.suffix == ".json":
        from framing.evaluation.basil import article_parts

        return article_parts(json.loads(path.read_text(encoding="utf-8")))
    title, _, rest = path.read_text(encoding="utf-8").partition("\n")
    return title, rest.strip()


def find_file(article_id: str, data_root: Path) -> Path:
    """The corpus file of a challenge id: ``<prefix>-NAME`` -> ``polnear/data/{train,dev}/text/
    NAME.txt`` or ``basil/articles/*/NAME.json`` under ``data_root``."""
    _, sep, name = article_id.partition("-")
    if not sep or not name:
        raise ValueError(f"article {article_id!r}: id is not <prefix>-<file name>")
    hits = [p for p in (data_root / "polnear" / "data" / split / "text" / f"{name}.txt"
                        for split in ("train", "dev")) if p.is_file()]
    hits += sorted((data_root / "basil" / "articles").glob(f"*/{name}.json"))
    if len(hits) != 1:
        where = "no file" if not hits else f"{len(hits)} files"
        raise FileNotFoundError(f"article {article_id!r}: {where} named {name} under "
                                f"{data_root}/polnear/data/{{train,dev}}/text or "
                                f"{data_root}/basil/articles/*/")
    return hits[0]


# ------------------------------------------------------------------ records -> standoff


def _in(sentence: str, base: int, phrase: str, record: str) -> dict[str, int]:
    at = find_phrase(sentence, phrase)
    if at < 0 or not phrase:
        raise ValueError(f"{record}: phrase {phrase[:40]!r} is not in its sentence")
    return {"start": base + at, "end": base + at + len(phrase)}


def _speaker(part: str, sentence: Span, phrase: str, record: str) -> dict[str, int]:
    """The source phrase: in the sentence, else its last mention before, else its first after."""
    at = find_phrase(part, phrase, sentence.start, sentence.end)
    if at < 0:
        at = part.rfind(phrase, 0, sentence.start)
    if at < 0:
        at = part.find(phrase, sentence.end)
    if at < 0 or not phrase:
        raise ValueError(f"{record}: speaker {phrase[:40]!r} is not in the same part")
    return {"start": at, "end": at + len(phrase)}


def safe_note(note: str, article_words: Sequence[str], max_words: int = NOTE_MAX_WORDS) -> str:
    """``note`` with every run of more than ``max_words`` article words cut to its first words."""
    n = max_words + 1
    grams = {tuple(article_words[i:i + n]) for i in range(len(article_words) - n + 1)}
    matches = list(_WORD.finditer(note))
    words = [m.group().lower() for m in matches]
    copied = [False] * len(words)
    for i in range(len(words) - n + 1):
        if tuple(words[i:i + n]) in grams:
            for j in range(i, i + n):
                copied[j] = True
    out, pos, i = [], 0, 0
    while i < len(words):
        if not copied[i]:
            i += 1
            continue
        j = i
        while j < len(words) and copied[j]:
            j += 1
        keep_end = matches[min(i + 2, j - 1)].end()  # first three words stay readable
        out.append(note[pos:keep_end] + " […]")
        pos = matches[j - 1].end()
        i = j
    out.append(note[pos:])
    return "".join(out)


def record_to_standoff(rec: Mapping[str, Any], data_root: Path, annotator: str = "",
                       record: str = "") -> dict[str, Any]:
    """One challenge-format record (with text) as a standoff line (see :func:`to_standoff`)."""
    record = record or f"article {rec.get('id')!r}"
    path = find_file(str(rec["id"]), data_root)
    title, body = parts_of(path)
    texts = {"title": title, "body": body}
    words = [w.lower() for t in (title, body) for w in _WORD.findall(t)]
    cursor = {"title": 0, "body": 0}
    gold = []
    for k, g in enumerate(rec["gold"]):
        where = f"{record}, gold {k}"
        part = g["part"]
        if part not in texts:
            raise ValueError(f"{where}: part {part!r} is neither title nor body")
        text = texts[part]
        start = text.find(g["text"], cursor[part])
        if start < 0:
            start = text.find(g["text"])
        if start < 0 or not g["text"]:
            raise ValueError(f"{where}: sentence {g['text'][:40]!r} is not in the {part} of "
                             f"{path}")
        end = start + len(g["text"])
        cursor[part] = end
        sent = Span(start, end)
        row: dict[str, Any] = {
            "part": part, "start": start, "end": end,
            "category": g.get("category", "?"), "voice": g["voice"],
            "sources": [{**_in(g["text"], start, s["text"], where), "kind": s["kind"]}
                        for s in g.get("sources", [])],
            "loaded": [{**_in(g["text"], start, x["text"], where),
                        "speaker": "author" if x["speaker"] == "author"
                        else _speaker(text, sent, x["speaker"], where)}
                       for x in g.get("loaded", [])],
            "evaluative_cues": [_in(g["text"], start, c, where)
                                for c in g.get("evaluative_cues", [])],
        }
        if "ambiguous" in g:
            row["ambiguous"] = bool(g["ambiguous"])
        if g.get("note"):
            row["note"] = safe_note(str(g["note"]), words)
        gold.append(row)
    return {
        "file": path.relative_to(data_root).as_posix(),
        "id": str(rec["id"]),
        "outlet": str(rec["outlet"]),
        "event": rec.get("event"),
        "annotator": annotator,
        "gold": gold,
    }


def to_standoff(
    records: Iterable[Mapping[str, Any]], data_root: Path, annotator: str = ""
) -> list[dict[str, Any]]:
    """Challenge-format records (with text) as standoff lines (offsets only, no text).

    Each record's id names its file (``find_file``); the gold sentences, sources, loaded phrases,
    speakers and evaluative cues are located in the parts rebuilt from that file, so the result
    reads back with :func:`load_standoff`. Raises ``ValueError`` naming the record when a phrase
    is not where the record says.
    """
    return [record_to_standoff(rec, data_root, annotator, f"record {n} ({rec.get('id')!r})")
            for n, rec in enumerate(records, start=1)]


def write_standoff(rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """Write standoff lines as JSON Lines (sorted keys, so the file is stable)."""
    path.write_text("".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n"
                            for r in rows), encoding="utf-8")
    return path


def convert_challenge(src: Path, data_root: Path, out: Path, annotator: str = "") -> Path:
    """A challenge set with text (``src``) written as a standoff set (``out``)."""
    records = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    return write_standoff(to_standoff(records, data_root, annotator), out)


# ------------------------------------------------------------------ standoff -> challenge items


def _cut(text: str, at: Mapping[str, Any], where: str, what: str, part: str,
         file: str) -> tuple[Span, str]:
    try:
        start, end = int(at["start"]), int(at["end"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {what} has no integer start/end ({exc})") from exc
    if not 0 <= start < end <= len(text) or not text[start:end].strip():
        raise ValueError(f"{where}: {what} [{start}, {end}) finds no text in the {part} of "
                         f"{file} ({len(text)} characters): is it the file the set was made on?")
    return Span(start, end), text[start:end]


def load_standoff(path: Path, data_root: Path) -> list[ChallengeArticle]:
    """Rebuild the challenge items of a standoff set from the corpus files under ``data_root``.

    Raises ``FileNotFoundError`` or ``ValueError`` naming the record (``path:line``) when a file
    is missing or an offset finds no text.
    """
    out: list[ChallengeArticle] = []
    for record, rec in jsonl_records(path, "standoff set"):
        try:
            file, rows = str(rec["file"]), rec["gold"]
            art_id, outlet = str(rec["id"]), str(rec["outlet"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{record}: not a standoff record ({exc})") from exc
        src = data_root / file
        if not src.is_file():
            raise FileNotFoundError(f"{record} ({art_id}): no file {file} under {data_root}")
        title, body = parts_of(src)
        texts = {"title": title, "body": body}
        gold = []
        for k, g in enumerate(rows):
            where = f"{record} ({art_id}), gold {k}"
            part = g.get("part")
            if part not in texts:
                raise ValueError(f"{where}: part {part!r} is neither title nor body")
            text = texts[part]
            span, sent = _cut(text, g, where, "sentence", part, file)
            sources = tuple((*_cut(text, s, where, "source", part, file), str(s["kind"]))
                            for s in g.get("sources", []))
            loaded = []
            for x in g.get("loaded", []):
                lspan, phrase = _cut(text, x, where, "loaded phrase", part, file)
                spk = x.get("speaker", "author")
                speaker = ("author" if spk == "author"
                           else _cut(text, spk, where, "speaker", part, file)[1])
                loaded.append((lspan, phrase, speaker))
            cues = tuple(_cut(text, c, where, "evaluative cue", part, file)[1]
                         for c in g.get("evaluative_cues", []))
            gold.append(GoldSentence(part=part, span=span, text=sent,
                                     category=str(g.get("category", "?")),
                                     voice=str(g["voice"]), sources=sources,
                                     loaded=tuple(loaded), evaluative_cues=cues))
        article = Article(id=art_id, outlet=outlet, text=body, title=title or None,
                          event=rec.get("event"))
        out.append(ChallengeArticle(article, tuple(gold)))
    return out
