"""Mention grouping measured against NewsWCL50 (Hamborg, Zhukova & Gipp, JCDL 2019).

NewsWCL50 distributes annotations but no article text, so the measurement is on the annotated
mention strings: within each event, every coded mention of an entity concept (code types ACTOR,
ACTOR-I, COUNTRY, GROUP, OBJECT, MISC, EVENT, ACTION; PROPERTY codes are descriptive phrases about
a concept, not mentions of it, and are left out) is an item, its gold cluster is its ``code_name``
(e.g. ``PRK\\Jong Un``: "Kim", "Mr. Kim", "North Korean leader"), and
:func:`framing.compare.labels.group_mentions` clusters the event's distinct mention strings. The
``target_concept`` column is filled only for PROPERTY codes, so it cannot serve as the gold
concept of mention strings.

Scores: B-cubed precision, recall and F1 over items (Bagga & Baldwin 1998), pooled over events,
and the adjusted Rand index (Hubert & Arabie 1985) averaged over events. The embedding threshold
is chosen on events 0-4 (best B-cubed F1 on all entity codes) and reported on events 5-9; the
grid, the shipped default and baselines are reported beside it. The text of the annotations never
leaves this function.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ENTITY_CODES = ("ACTOR", "ACTOR-I", "COUNTRY", "GROUP", "OBJECT", "MISC", "EVENT", "ACTION")
ACTOR_CODES = ("ACTOR", "ACTOR-I", "COUNTRY", "GROUP")
DEV_EVENTS = ("0", "1", "2", "3", "4")
TEST_EVENTS = ("5", "6", "7", "8", "9")
GRID = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
ALL_RULES = frozenset(
    {"alias", "name", "acronym", "head", "branch", "generic", "embedding", "names_apart"}
)


def annotations_path(data: Path) -> Path:
    for candidate in (data / "Annotations.csv", data / "newswcl50" / "Annotations.csv"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no NewsWCL50 Annotations.csv under {data}")


def read_mentions(path: Path) -> list[dict[str, str]]:
    """Rows of Annotations.csv (its first line is Excel's ``sep=,``)."""
    text = path.read_text(encoding="utf-8-sig")
    if text.startswith("sep="):
        text = text.split("\n", 1)[1]
    return list(csv.DictReader(io.StringIO(text)))


def bcubed(pred: Sequence[int], gold: Sequence[str]) -> tuple[float, float, int]:
    """Sums of per-item B-cubed precision and recall, and the number of items."""
    pair = Counter(zip(pred, gold, strict=True))
    psize = Counter(pred)
    gsize = Counter(gold)
    p = sum(pair[(c, g)] / psize[c] for c, g in zip(pred, gold, strict=True))
    r = sum(pair[(c, g)] / gsize[g] for c, g in zip(pred, gold, strict=True))
    return p, r, len(pred)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _embed_all(strings: Sequence[str]) -> dict[str, np.ndarray]:
    from framing.nlp.encoder import embed_sentences

    uniq = sorted(set(strings))
    vecs = embed_sentences(uniq)
    return dict(zip(uniq, vecs, strict=True))


def _predict(
    strings: Sequence[str],
    counts: Counter[str],
    rules: frozenset[str],
    aliases: Sequence[Any],
    emb: dict[str, np.ndarray] | None,
    threshold: float,
) -> dict[str, int]:
    from framing.compare.labels import group_mentions

    uniq = sorted(set(strings))
    vecs = None if emb is None else np.stack([emb[s] for s in uniq])
    grouping = group_mentions(
        uniq, aliases, vecs, threshold, [counts[s] for s in uniq], None, rules
    )
    return dict(zip(uniq, grouping.labels, strict=True))


def score(
    by_event: dict[str, list[tuple[str, str]]],
    events: Iterable[str],
    rules: frozenset[str],
    aliases: Sequence[Any],
    emb: dict[str, np.ndarray] | None,
    threshold: float,
    exact: bool = False,
) -> dict[str, float]:
    """B-cubed P/R/F1 (pooled) and mean ARI over ``events``."""
    from sklearn.metrics import adjusted_rand_score

    p_sum = r_sum = 0.0
    n_items = 0
    aris = []
    for ev in events:
        items = by_event.get(ev, [])
        if not items:
            continue
        strings = [s for s, _ in items]
        gold = [g for _, g in items]
        if exact:
            ids = {s: k for k, s in enumerate(sorted(set(strings)))}
        else:
            ids = _predict(strings, Counter(strings), rules, aliases, emb, threshold)
        pred = [ids[s] for s in strings]
        p, r, n = bcubed(pred, gold)
        p_sum, r_sum, n_items = p_sum + p, r_sum + r, n_items + n
        aris.append(float(adjusted_rand_score(gold, pred)))
    P = p_sum / n_items if n_items else 0.0
    R = r_sum / n_items if n_items else 0.0
    return {
        "bcubed_p": round(P, 4),
        "bcubed_r": round(R, 4),
        "bcubed_f1": round(_f1(P, R), 4),
        "ari": round(float(np.mean(aris)) if aris else 0.0, 4),
        "items": n_items,
    }


def evaluate(data: Path, limit: int | None = None, use_aliases: bool = True) -> dict[str, Any]:
    """The NewsWCL50 mention-grouping report (see the module docstring)."""
    from framing.compare.labels import DEFAULT_THRESHOLD, load_aliases

    rows = read_mentions(annotations_path(data))
    entity: dict[str, list[tuple[str, str]]] = defaultdict(list)
    actors: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        if r["code_type"] not in ENTITY_CODES or not r["code_mention"].strip():
            continue
        item = (r["code_mention"].strip(), r["code_name"])
        entity[r["event_id"]].append(item)
        if r["code_type"] in ACTOR_CODES:
            actors[r["event_id"]].append(item)
    events = sorted(entity, key=int)
    if limit is not None:
        events = events[:limit]
    dev = [e for e in events if e in DEV_EVENTS]
    test = [e for e in events if e in TEST_EVENTS]
    aliases = load_aliases() if use_aliases else []
    emb = _embed_all([s for e in events for s, _ in entity[e]])
    no_embed = ALL_RULES - {"embedding"}

    grid = {
        f"{t:.2f}": score(entity, dev, ALL_RULES, aliases, emb, t)["bcubed_f1"] for t in GRID
    }
    best = max(GRID, key=lambda t: (grid[f"{t:.2f}"], -t))

    def block(by_event: dict[str, list[tuple[str, str]]], evs: list[str]) -> dict[str, Any]:
        return {
            "exact_string": score(by_event, evs, frozenset(), [], None, 1.0, exact=True),
            "normalised_string": score(by_event, evs, frozenset(), [], None, 1.0),
            "rules_no_embedding": score(by_event, evs, no_embed, aliases, None, 1.0),
            "rules_no_alias_table": score(by_event, evs, ALL_RULES, [], emb, best),
            "names_may_merge_by_embedding": score(
                by_event, evs, ALL_RULES - {"names_apart"}, aliases, emb, best
            ),
            "full_tuned_threshold": score(by_event, evs, ALL_RULES, aliases, emb, best),
            "full_default_threshold": score(
                by_event, evs, ALL_RULES, aliases, emb, DEFAULT_THRESHOLD
            ),
        }

    return {
        "dataset": "NewsWCL50 (Hamborg et al. 2019), Annotations.csv",
        "task": "group an event's mention strings into concepts; gold = code_name of the "
        "entity codes (PROPERTY codes excluded)",
        "metric": "B-cubed P/R/F1 pooled over items; ARI averaged over events",
        "events": events,
        "dev_events": dev,
        "test_events": test,
        "threshold_grid_dev_bcubed_f1": grid,
        "threshold_tuned_on_dev": best,
        "threshold_default": DEFAULT_THRESHOLD,
        "alias_table": "default framing/resources/aliases.tsv" if use_aliases else "none",
        "entity_codes": {
            "dev": block(entity, dev),
            "test": block(entity, test),
            "all": block(entity, events),
        },
        "actor_codes": {
            "test": block(actors, test),
            "all": block(actors, events),
        },
    }
