"""Distinctive words and two-word phrases per outlet against the other outlets.

Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
Words", Political Analysis 16(4), eq. 16-22): for outlet ``i`` against all other outlets pooled
(``j``), with prior counts ``alpha_w = alpha0 * y_w / n`` from the whole event's counts
(``alpha0 = n`` by default: the prior is the pooled counts themselves, as in Monroe et al.'s use of
a background corpus; a smaller ``alpha0`` shrinks less),

    delta_w = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a0 - y_jw - a_w))
    var(delta_w) ~ 1 / (y_iw + a_w) + 1 / (y_jw + a_w),   z_w = delta_w / sqrt(var).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from framing.models import Article, Term

TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)

STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves said says
    say told s t re ve ll d m o y mr mrs ms one two three also would could may might must shall
    upon within without across among around since per via who's it's he's she's that's there's
    what's isn't wasn't don't doesn't didn't won't can't""".split()
)


def outlet_texts(articles: Iterable[Article]) -> dict[str, list[str]]:
    """Headline and body of each article, by outlet (the input of ``distinctive_terms``)."""
    out: dict[str, list[str]] = {}
    for a in articles:
        out.setdefault(a.outlet, []).append(f"{a.title}\n{a.text}" if a.title else a.text)
    return out


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters, inner apostrophes and hyphens: "isis-k", "al-khawarij")."""
    return [t.lower().replace("’", "'") for t in TOKEN_RE.findall(text)]


def count_terms(texts: Iterable[str], max_n: int = 2) -> tuple[Counter[str], int]:
    """Counts of unigrams (stopwords dropped) and bigrams (neither word a stopword) in ``texts``,
    and the number of tokens. Bigrams do not cross a line break."""
    counts: Counter[str] = Counter()
    n_tokens = 0
    for text in texts:
        for line in text.splitlines():
            toks = tokenize(line)
            n_tokens += len(toks)
            for i, t in enumerate(toks):
                if t not in STOPWORDS and len(t) > 1:
                    counts[t] += 1
                if max_n >= 2 and i + 1 < len(toks):
                    u = toks[i + 1]
                    if t not in STOPWORDS and u not in STOPWORDS and len(t) > 1 and len(u) > 1:
                        counts[f"{t} {u}"] += 1
    return counts, n_tokens


def name_words(outlet: str) -> set[str]:
    """The outlet's own name as terms: its words, the whole name and its acronym ("gws")."""
    words = tokenize(outlet)
    out = set(words) | {" ".join(words)}
    if len(words) > 1:
        out.add("".join(w[0] for w in words))
    return out


def _boilerplate(term: str, own: set[str], others: Mapping[str, int]) -> bool:
    """The outlet naming itself ("gws", "dispatch"): a word of its name or its acronym that the
    other outlets never use ("kabul" stays when others write it too)."""
    if term in own and others.get(term, 0) == 0:
        return True
    parts = term.split()
    return len(parts) > 1 and all(p in own for p in parts) and others.get(term, 0) == 0


def _without_parts(
    ranked: list[tuple[float, float, str]], counts: Mapping[str, int], share: float = 0.8
) -> list[tuple[float, float, str]]:
    """Drop a word listed with a phrase that holds most of its uses ("islamic" and "state" beside
    "islamic state"): one entry per expression."""
    phrases = [w for _, _, w in ranked if " " in w]
    out = []
    for z, delta, w in ranked:
        if " " not in w and any(w in p.split() and counts.get(p, 0) >= share * counts.get(w, 0)
                                for p in phrases):
            continue
        out.append((z, delta, w))
    return out


def log_odds_dirichlet(
    y_i: Mapping[str, int],
    y_j: Mapping[str, int],
    prior: Mapping[str, float],
) -> dict[str, tuple[float, float]]:
    """term -> (delta, z) of group i against group j (Monroe et al. 2008, eq. 16-22)."""
    n_i = float(sum(y_i.values()))
    n_j = float(sum(y_j.values()))
    a0 = float(sum(prior.values()))
    out: dict[str, tuple[float, float]] = {}
    for w, a_w in prior.items():
        ci = y_i.get(w, 0) + a_w
        cj = y_j.get(w, 0) + a_w
        delta = math.log(ci / (n_i + a0 - ci)) - math.log(cj / (n_j + a0 - cj))
        var = 1.0 / ci + 1.0 / cj
        out[w] = (delta, delta / math.sqrt(var))
    return out


def distinctive_terms(
    texts_by_outlet: Mapping[str, Sequence[str]],
    top_n: int = 20,
    min_count: int = 2,
    prior_strength: float | None = None,
) -> list[Term]:
    """The ``top_n`` terms with the highest z of each outlet against all the others.

    Only terms the outlet uses at least ``min_count`` times and with z > 0 are listed. With fewer
    than two outlets there is nothing to compare against and the result is empty.
    """
    if len(texts_by_outlet) < 2:
        return []
    counts: dict[str, Counter[str]] = {}
    tokens: dict[str, int] = {}
    for outlet, texts in texts_by_outlet.items():
        counts[outlet], tokens[outlet] = count_terms(texts)
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    n_total = float(sum(total.values()))
    a0 = n_total if prior_strength is None else prior_strength
    prior = {w: a0 * c / n_total for w, c in total.items()}
    rows: list[Term] = []
    for outlet in sorted(counts):
        mine = counts[outlet]
        others: Counter[str] = Counter()
        for other, c in counts.items():
            if other != outlet:
                others.update(c)
        scored = log_odds_dirichlet(mine, others, prior)
        own = name_words(outlet)
        candidates = [
            (z, delta, w) for w, (delta, z) in scored.items() if mine.get(w, 0) >= min_count and z > 0
            and not _boilerplate(w, own, others)
        ]
        candidates.sort(key=lambda t: (-t[0], t[2]))
        candidates = _without_parts(candidates, mine)
        for rank, (z, delta, w) in enumerate(candidates[:top_n], start=1):
            rows.append(
                Term(
                    outlet, w, len(w.split()), mine[w], others.get(w, 0),
                    1000.0 * mine[w] / tokens[outlet] if tokens[outlet] else 0.0,
                    delta, z, rank,
                )
            )  # fmt: skip
    return rows
