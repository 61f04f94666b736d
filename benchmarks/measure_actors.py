"""One row per person, and the labels researchers study: measured on a finished run.

    python benchmarks/measure_actors.py RUN_DIR CORPUS.jsonl [--before OLD_RUN_DIR] [--json OUT]

Reads ``sources.csv`` and ``labels.csv`` of a run (and of an older run with ``--before``) and the
corpus the run analysed (JSONL: id, outlet, event, title, text), and reports:

(a) **person split rate**: within an event, the persons of ``sources.csv`` are grouped by the
    ``actor`` column (a run without it: by the old matching key, the normalised name with a bare
    surname folded into the event's one full name ending in it). Two groups should have been one
    when a name of each has the same surname (last word, titles and suffixes dropped,
    case-insensitive) and compatible first names: equal, nickname variants
    (``framing/resources/nicknames.tsv``), one an initial of the other, or one missing; middle
    initials, where both names give them, must agree. A name without a first name counts only
    when the event's full names of that surname all have compatible first names (else it is
    ambiguous: "Clinton" beside "Bill Clinton" and "Hillary Clinton"). Groups joined this way are
    one real person; the rate is the share of real persons seen as two or more groups.
(b) **false "only this outlet"**: of the person rows flagged ``only_this_outlet``, the share whose
    surname appears, as a capitalised word, in the headline or text of another outlet's article
    of the same event. An upper bound on the error: the surname may name someone else there.

Also row counts, labels by kind and actor type, person-typed actors that look like laws or events,
and each outlet's descriptive labels for a few actors. Nothing of the corpus is written except the
labels and names the run's own tables hold.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

TITLES = frozenset(
    """mr mrs ms miss dr sen senator rep representative president vice gov governor gen general
    secretary attorney judge justice chief speaker leader majority minority former the a an
    prime minister mayor lt col colonel adm admiral sgt sir dame lord lady prof professor rev
    reverend pope king queen prince princess ambassador director deputy acting chairman
    chairwoman commissioner officer agent""".split()
)
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _nicknames() -> dict[str, set[str]]:
    """First name -> the full forms it stands for (itself included)."""
    path = Path(__file__).resolve().parents[1] / "framing" / "resources" / "nicknames.tsv"
    out: dict[str, set[str]] = defaultdict(set)
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")][1:]
    for ln in lines:
        full, variants = ln.split("\t")
        out[full].add(full)
        for v in variants.split(","):
            out[v.strip()].add(full)
    return out


NICK = _nicknames()


def words(name: str) -> list[str]:
    """Words of a person's name, original case, without titles, suffixes and possessives."""
    t = name.replace("’", "'").strip(" \"'“”‘’()[],.;:")
    t = re.sub(r"'s?$", "", t)
    toks = [w for w in re.split(r"[\s]+", t) if w]
    while len(toks) > 1 and toks[0].lower().strip(".") in TITLES:
        toks = toks[1:]
    while len(toks) > 1 and toks[-1].lower().strip(".,") in SUFFIXES:
        toks = toks[:-1]
    return [w.strip(".,") for w in toks if w.strip(".,")]


def parts(name: str) -> tuple[str | None, tuple[str, ...], str] | None:
    """(first, middle initials, surname), lower-cased; None for no name."""
    w = [x.lower() for x in words(name)]
    if not w:
        return None
    if len(w) == 1:
        return None, (), w[0]
    return w[0], tuple(m[0] for m in w[1:-1]), w[-1]


def first_compatible(a: str | None, b: str | None) -> bool:
    if a is None or b is None or a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    fa, fb = NICK.get(a, {a}), NICK.get(b, {b})
    return bool(fa & fb) or a in fb or b in fa


def compatible(x: tuple[str | None, tuple[str, ...], str],
               y: tuple[str | None, tuple[str, ...], str]) -> bool:
    if x[2] != y[2] or not first_compatible(x[0], y[0]):
        return False
    return not (x[1] and y[1] and x[1] != y[1])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _norm(name: str) -> str:
    key = re.sub(r"\s+", " ", name.replace("’", "'")).strip().casefold()
    key = re.sub(r"^(the|a|an) ", "", key)
    return re.sub(r"'s?$", "", key).strip(" ,.;:")


def person_groups(rows: Sequence[dict[str, str]]) -> dict[str, dict[str, set[str]]]:
    """event -> group key -> names of its rows (person rows only)."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    by_event: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r["kind"] == "named_person":
            by_event[r["event"]].append(r)
    for event, rs in by_event.items():
        if "actor" in rs[0]:
            for r in rs:
                out[event][r["actor"]].add(r["source"])
            continue
        # the old key: normalised name, a bare surname folded into the one full name ending in it
        keys = [_norm(r["source"]) for r in rs]
        by_last: dict[str, set[str]] = defaultdict(set)
        for k in set(keys):
            if " " in k:
                by_last[k.rsplit(" ", 1)[1]].add(k)
        for k, r in zip(keys, rs, strict=True):
            if " " not in k and len(by_last.get(k, ())) == 1:
                k = next(iter(by_last[k]))
            out[event][k].add(r["source"])
    return out


def _find(parent: dict[str, str], k: str) -> str:
    while parent[k] != k:
        k = parent[k]
    return k


def _unambiguous(firsts: dict[str, set[str]], surname: str) -> bool:
    """Whether the full names of an event with this surname all have compatible first names."""
    fs = sorted(firsts.get(surname, ()))
    return all(first_compatible(a, b) for a in fs for b in fs)


def split_rate(rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    groups = person_groups(rows)
    n_groups = n_persons = n_split = n_pairs = 0
    examples: list[list[str]] = []
    for _event, gs in sorted(groups.items()):
        keys = sorted(gs)
        parsed = {k: [p for n in gs[k] if (p := parts(n)) is not None] for k in keys}
        firsts: dict[str, set[str]] = defaultdict(set)  # surname -> first names of full names
        for ps in parsed.values():
            for p in ps:
                if p[0] is not None and len(p[0]) > 1:
                    firsts[p[2]].add(p[0])
        parent = {k: k for k in keys}
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if any(compatible(x, y) and ((x[0] is not None and y[0] is not None)
                                             or _unambiguous(firsts, x[2]))
                       for x in parsed[a] for y in parsed[b]):
                    n_pairs += 1
                    parent[_find(parent, b)] = _find(parent, a)
                    if len(examples) < 12:
                        examples.append(sorted(gs[a] | gs[b]))
        comps = Counter(_find(parent, k) for k in keys)
        n_groups += len(keys)
        n_persons += len(comps)
        n_split += sum(1 for c in comps.values() if c > 1)
    return {
        "person_groups": n_groups,
        "real_persons": n_persons,
        "persons_split": n_split,
        "pairs_to_merge": n_pairs,
        "split_rate": round(n_split / n_persons, 4) if n_persons else 0.0,
        "examples": examples,
    }


def corpus_texts(path: Path) -> dict[str, dict[str, str]]:
    """event -> outlet -> headlines and texts of the outlet's articles, joined."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            out[str(rec.get("event") or "")][rec["outlet"]].append(
                f"{rec.get('title') or ''}\n{rec.get('text') or ''}")
    return {e: {o: "\n".join(t) for o, t in d.items()} for e, d in out.items()}


def false_only(rows: Sequence[dict[str, str]], texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    flagged = [r for r in rows if r["kind"] == "named_person" and r["only_this_outlet"] == "true"]
    wrong: list[dict[str, str]] = []
    for r in flagged:
        w = words(r["source"])
        if not w or not w[-1][:1].isupper():
            continue
        pattern = re.compile(r"(?<![\w-])" + re.escape(w[-1]) + r"(?![\w-])")
        others = [t for o, t in texts.get(r["event"], {}).items() if o != r["outlet"]]
        if any(pattern.search(t) for t in others):
            wrong.append(r)
    return {
        "person_rows": sum(1 for r in rows if r["kind"] == "named_person"),
        "flagged_only_this_outlet": len(flagged),
        "surname_in_another_outlet": len(wrong),
        "false_only_rate": round(len(wrong) / len(flagged), 4) if flagged else 0.0,
        "examples": [f"{r['outlet']}: {r['source']}" for r in wrong[:12]],
    }


LAW_OR_EVENT = re.compile(
    r"\b(Act|Law|Bill|Amendment|Treaty|Accord|Agreement|Code|Resolution|Street|Avenue|Road|"
    r"War|Games|Olympics|Festival|Cup|Day|Square|Bridge|Building|Center|Hall|Park)$")


def label_stats(rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    kind_col = "label_kind" if rows and "label_kind" in rows[0] else None
    persons = {(r["event"], r["actor"]) for r in rows if r["actor_type"] == "person"}
    not_persons = sorted({a for _, a in persons if LAW_OR_EVENT.search(a)})
    return {
        "rows": len(rows),
        "by_label_kind": dict(Counter(r[kind_col] for r in rows)) if kind_col else {"name": len(
            rows)},
        "by_actor_type": dict(Counter(r["actor_type"] for r in rows).most_common()),
        "actors": len({(r["event"], r["actor"]) for r in rows}),
        "person_actors": len(persons),
        "person_actors_named_like_a_law_place_or_event": not_persons,
    }


def description_examples(rows: Sequence[dict[str, str]], n_actors: int = 4,
                         per_outlet: int = 10) -> list[dict[str, Any]]:
    if not rows or "label_kind" not in rows[0]:
        return []
    desc = [r for r in rows if r["label_kind"] == "description"]
    by_actor: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in desc:
        by_actor[(r["event"], r["actor"])].append(r)
    # actors every outlet describes, the most variously described first
    ranked = sorted(by_actor, key=lambda k: (-len({r["outlet"] for r in by_actor[k]}),
                                             -len({r["label"].lower() for r in by_actor[k]}),
                                             k))
    out = []
    for key in ranked[:n_actors]:
        outlets: dict[str, list[str]] = defaultdict(list)
        for r in sorted(by_actor[key], key=lambda r: (r["outlet"], -int(r["count"]), r["label"])):
            if len(outlets[r["outlet"]]) < per_outlet:
                outlets[r["outlet"]].append(f"{r['label']} ({r['count']}, {r['grouped_by']})")
        out.append({"event": key[0], "actor": key[1], "labels": dict(outlets)})
    return out


def measure(run: Path, texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    sources = read_csv(run / "sources.csv")
    labels = read_csv(run / "labels.csv")
    return {
        "run": str(run),
        "sources_rows": len(sources),
        "sources_person_rows": sum(1 for r in sources if r["kind"] == "named_person"),
        "a_person_split": split_rate(sources),
        "b_false_only_this_outlet": false_only(sources, texts),
        "labels": label_stats(labels),
        "description_examples": description_examples(labels),
    }


def _print(name: str, m: dict[str, Any], out: Any) -> None:
    a, b, lab = m["a_person_split"], m["b_false_only_this_outlet"], m["labels"]
    print(f"== {name}: {m['run']}", file=out)
    print(f"sources.csv rows {m['sources_rows']} (person rows {m['sources_person_rows']})", file=out)
    print(f"(a) person split rate {a['split_rate']:.1%}: {a['persons_split']} of "
          f"{a['real_persons']} persons as 2+ groups ({a['person_groups']} groups, "
          f"{a['pairs_to_merge']} pairs to merge)", file=out)
    for ex in a["examples"][:8]:
        print(f"      {' / '.join(ex)}", file=out)
    print(f"(b) false only-this-outlet {b['false_only_rate']:.1%}: "
          f"{b['surname_in_another_outlet']} of {b['flagged_only_this_outlet']} flagged rows",
          file=out)
    for ex in b["examples"][:8]:
        print(f"      {ex}", file=out)
    print(f"labels.csv rows {lab['rows']} by kind {lab['by_label_kind']}; actor types "
          f"{lab['by_actor_type']}", file=out)
    print(f"person actors named like a law, place or event: "
          f"{lab['person_actors_named_like_a_law_place_or_event'][:10]}", file=out)
    for ex in m["description_examples"]:
        print(f"-- {ex['actor']} ({ex['event'][:8]})", file=out)
        for outlet, labs in ex["labels"].items():
            print(f"   {outlet}: {'; '.join(labs)}", file=out)


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", type=Path)
    p.add_argument("corpus", type=Path)
    p.add_argument("--before", type=Path, help="an older run of the same corpus")
    p.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = p.parse_args(list(argv) if argv is not None else None)
    texts = corpus_texts(args.corpus)
    result: dict[str, Any] = {}
    if args.before is not None:
        result["before"] = measure(args.before, texts)
        _print("before", result["before"], sys.stdout)
    result["after"] = measure(args.run, texts)
    _print("after" if args.before else "run", result["after"], sys.stdout)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
