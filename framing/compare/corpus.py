"""Corpus-wide outlet comparisons with events as strata.

Per-event contrasts (:mod:`framing.compare.contrasts`) need at least two articles per outlet
within an event; a corpus such as BASIL (one article per outlet per event) never has them. Here
each event is one stratum and contributes one value per outlet: the mean of that outlet's
articles in the event. Outlets are then compared *within* events and the within-event
differences are pooled over events, so differences between events (topic, length, news value)
cancel out of the comparison.

For outlets ``a`` and ``b`` and one feature, the events counted are those where both outlets have
at least one article with a (non-NaN) value of the feature; in event ``e``

    d_e = mean_a,e - mean_b,e

and the pooled difference is ``D = mean_e d_e`` (every event weight 1, however many articles it
has). Uncertainty is event-level throughout:

* interval: percentile bootstrap resampling whole events with replacement (the cluster or
  "case" bootstrap; Field & Welsh 2007, "Bootstrapping clustered data", JRSS B 69(3); Davison &
  Hinkley 1997, sec. 3.8);
* p-value: stratified permutation test. Under the null hypothesis that the outlet labels are
  exchangeable within each event, swapping ``a`` and ``b`` inside an event flips the sign of
  ``d_e``, so the reference distribution of ``|sum_e s_e d_e|`` over sign vectors
  ``s in {-1, +1}^n`` gives a two-sided test (the paired sign-flip / Fisher–Pitman test; Good
  2005, "Permutation, Parametric, and Bootstrap Tests of Hypotheses", 3rd ed., sec. 3.6.2 and
  ch. 5 on stratified designs). All ``2^n`` sign vectors are enumerated when ``n`` is at most
  :data:`MAX_EXACT_EVENTS` (or ``2^n <= n_permutations``) and the exact p-value is returned, the
  observed labelling included; otherwise ``n_permutations`` random sign vectors are drawn and
  ``p = (k + 1) / (n_permutations + 1)`` (Phipson & Smyth 2010);
* multiple testing: Benjamini–Hochberg (1995) over the features of one outlet pair (the family is
  "all features for this pair at this level"; features not estimable for the pair are not
  counted).

Heterogeneity is reported with each contrast: the three events with the largest ``|d_e|`` (the
"drivers"), the share of events whose ``d_e`` has the sign of ``D``, and the range of ``D`` when
each event is left out in turn (a jackknife-style influence check).

Articles without an event (``ArticleScores.event`` is None) cannot be stratified and are left out
of everything here. Results are deterministic for a given ``seed``, and a feature's result does
not depend on which other features are compared alongside it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from framing.compare import stats
from framing.models import ArticleScores
from framing.scoring.names import SHARE_FEATURES, feature_name

#: Exact enumeration of all 2^n sign vectors up to this many events (2^15 = 32,768 patterns).
MAX_EXACT_EVENTS = 15
#: Significance level for the plain-sentence finding.
ALPHA = 0.05
#: Events listed as drivers of a contrast.
N_DRIVERS = 3
#: Relative tolerance for "at least as extreme" in the sign-flip test (floating-point ties).
_TIE_RTOL = 1e-9

CONTRASTS_HEADER: tuple[str, ...] = (
    "feature", "a", "b", "n_events", "mean_a", "mean_b", "difference", "difference_low",
    "difference_high", "p_value", "p_adjusted_bh", "finding", "same_sign_share", "loo_low",
    "loo_high", "drivers", "level", "note",
)  # fmt: skip
OUTLETS_HEADER: tuple[str, ...] = (
    "outlet", "feature", "n_events", "n_articles", "mean", "mean_low", "mean_high", "level",
    "note",
)  # fmt: skip


def _cell(x: float | None) -> str:
    """A CSV cell for a number: empty when missing, else ``repr`` rounded to 6 digits (as
    :mod:`framing.report.tables` writes numbers)."""
    if x is None or math.isnan(x):
        return ""
    return repr(round(float(x), 6))


@dataclass(frozen=True, slots=True)
class CorpusContrast:
    """``a`` minus ``b`` on one feature, pooled over the events both outlets cover.

    ``mean_a``/``mean_b`` are means over the same events of each outlet's event value;
    ``difference`` is ``mean_a - mean_b`` (= the mean of the within-event differences).
    ``p_value`` is the sign-flip test's, ``p_adjusted_bh`` its BH adjustment over the pair's
    features. ``same_sign_share`` is the share of events whose ``d_e`` has the sign of the
    difference (with a difference of exactly 0: the share with ``d_e = 0``); ``loo_low``/
    ``loo_high`` the smallest and largest difference with one event left out; ``drivers`` the
    (event, d_e) pairs with the largest ``|d_e|``, largest first (ties by event id). ``note``
    flags few events (no difference can be declared) and Monte Carlo p-values.
    With no shared event every number is None; with one, the means, the difference and the
    driver are given but nothing inferential (interval, p-values, heterogeneity) is.
    """

    feature: str
    a: str
    b: str
    n_events: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    p_value: float | None
    p_adjusted_bh: float | None
    finding: str
    same_sign_share: float | None = None
    loo_low: float | None = None
    loo_high: float | None = None
    drivers: tuple[tuple[str, float], ...] = ()
    level: str = "outlet"
    note: str = ""

    HEADER = CONTRASTS_HEADER

    @property
    def estimable(self) -> bool:
        return self.p_value is not None

    def to_row(self) -> list[str | int]:
        """Cells in :data:`CONTRASTS_HEADER` order (drivers as ``event=d; event=d``)."""
        drivers = "; ".join(f"{e}={_cell(d)}" for e, d in self.drivers)
        return [
            self.feature, self.a, self.b, self.n_events, _cell(self.mean_a), _cell(self.mean_b),
            _cell(self.difference), _cell(self.difference_low), _cell(self.difference_high),
            _cell(self.p_value), _cell(self.p_adjusted_bh), self.finding,
            _cell(self.same_sign_share), _cell(self.loo_low), _cell(self.loo_high), drivers,
            self.level, self.note,
        ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class CorpusOutlet:
    """One outlet's (or group's) feature pooled over the events it covers: each event's value
    is the mean of the outlet's articles in it, and ``mean`` is the mean over events with an
    event-level bootstrap interval (None with fewer than 2 events). ``n_articles`` counts the
    articles with a value of the feature."""

    outlet: str
    feature: str
    n_events: int
    n_articles: int
    mean: float | None
    low: float | None
    high: float | None
    level: str = "outlet"
    note: str = ""

    HEADER = OUTLETS_HEADER

    def to_row(self) -> list[str | int]:
        """Cells in :data:`OUTLETS_HEADER` order."""
        return [
            self.outlet, self.feature, self.n_events, self.n_articles, _cell(self.mean),
            _cell(self.low), _cell(self.high), self.level, self.note,
        ]  # fmt: skip


# --- event-level table ---------------------------------------------------------------------


@dataclass(frozen=True)
class _EventTable:
    events: list[str]
    units: list[str]
    #: (events, units, features): mean of the unit's articles in the event; NaN where none.
    means: np.ndarray
    #: (events, units, features): articles with a value.
    counts: np.ndarray


def _event_table(scores: Sequence[ArticleScores], features: Sequence[str], by: str) -> _EventTable:
    rows = [s for s in scores if s.event is not None]
    events = sorted({s.event for s in rows if s.event is not None})
    units = sorted({s.unit(by) for s in rows})
    ei = {e: i for i, e in enumerate(events)}
    ui = {u: i for i, u in enumerate(units)}
    shape = (len(events), len(units), len(features))
    sums = np.zeros(shape)
    counts = np.zeros(shape)
    for s in rows:
        if s.event is None:  # (already left out: narrows the type)
            continue
        vals = np.array(
            [math.nan if (v := s.features.get(f)) is None else float(v) for f in features],
            dtype=float,
        )
        ok = ~np.isnan(vals)
        e, u = ei[s.event], ui[s.unit(by)]
        sums[e, u, ok] += vals[ok]
        counts[e, u, ok] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.where(counts > 0, counts, 1), np.nan)
    return _EventTable(events, units, means, counts)


def _count_groups(valid: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Columns of the (events, features) boolean ``valid`` grouped by their number of valid
    events ``n`` (random draws depend only on ``n``, so a group shares one matrix product):
    [(events, features)] with ``events`` an (n, k) matrix of each feature's event indices (in
    event order) and ``features`` the k feature indices. Groups with n = 0 are left out."""
    counts = valid.sum(axis=0)
    out = []
    for n in np.unique(counts):
        if n == 0:
            continue
        fs = np.flatnonzero(counts == n)
        events = np.stack([np.flatnonzero(valid[:, f]) for f in fs], axis=1)
        out.append((events, fs))
    return out


# --- the tests -----------------------------------------------------------------------------


@lru_cache(maxsize=MAX_EXACT_EVENTS + 1)
def _all_signs(n: int) -> np.ndarray:
    """All 2^n sign vectors as rows of a (2^n, n) float matrix."""
    signs = _sign_matrix(n)
    signs.setflags(write=False)
    return signs


def _sign_matrix(n: int) -> np.ndarray:
    return 1.0 - 2.0 * ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1)


def _flip_matrix(
    n: int, n_permutations: int, seed: int, max_exact_events: int = MAX_EXACT_EVENTS
) -> tuple[np.ndarray, bool]:
    """The sign vectors of the test for ``n`` events (rows) and whether they are all of them."""
    if n <= max_exact_events or 2**n <= n_permutations:
        return (_all_signs(n) if n <= MAX_EXACT_EVENTS else _sign_matrix(n)), True
    rng = np.random.default_rng([seed, 0])
    return 1.0 - 2.0 * rng.integers(0, 2, size=(n_permutations, n)), False


def _flip_pvalues(d: np.ndarray, signs: np.ndarray, exact: bool) -> np.ndarray:
    observed = np.abs(d.sum(axis=0))
    tol = _TIE_RTOL * np.abs(d).sum(axis=0) + 1e-300
    extreme = np.sum(np.abs(signs @ d) >= observed - tol, axis=0)
    if exact:
        return extreme / signs.shape[0]
    return (extreme + 1) / (signs.shape[0] + 1)


def sign_flip_pvalues(
    d: np.ndarray,
    n_permutations: int = 9999,
    seed: int = 0,
    *,
    max_exact_events: int = MAX_EXACT_EVENTS,
) -> tuple[np.ndarray, bool]:
    """Two-sided sign-flip (stratified permutation) p-values of ``mean(d) = 0``, column-wise.

    ``d`` is (events, features) of within-event differences; every column uses the same sign
    vectors. The statistic is ``|sum_e s_e d_e|``. Returns (p-values, exact): exact enumeration
    of all ``2^n`` sign vectors when ``n <= max_exact_events`` or ``2^n <= n_permutations``
    (p = share of patterns at least as extreme as the observed one, which is among them), else
    ``n_permutations`` random sign vectors and ``p = (k + 1) / (n_permutations + 1)`` (Good
    2005; Phipson & Smyth 2010).
    """
    d = np.asarray(d, dtype=float)
    signs, exact = _flip_matrix(d.shape[0], n_permutations, seed, max_exact_events)
    return _flip_pvalues(d, signs, exact), exact


def smallest_sign_flip_pvalue(n_events: int, n_permutations: int = 9999) -> float:
    """The smallest p-value :func:`sign_flip_pvalues` can return for ``n_events`` events."""
    if n_events <= MAX_EXACT_EVENTS or 2**n_events <= n_permutations:
        return 2 / 2**n_events
    return 1 / (n_permutations + 1)


def _boot_weights(n: int, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n): how often each of ``n`` events is drawn in each resample, divided by ``n``,
    so the resampled means are one matrix product."""
    rng = np.random.default_rng([seed, 1])
    idx = rng.integers(0, n, size=(n_boot, n))
    flat = (idx + n * np.arange(n_boot)[:, None]).ravel()
    return np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n) / n


def _interval(
    x: np.ndarray, weights: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(weights @ x, [alpha, 1 - alpha], axis=0)
    return low, high


def event_bootstrap_means(
    x: np.ndarray, n_boot: int = 2000, confidence: float = 0.95, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of the column means of ``x`` (events, features), resampling events
    (rows) with replacement, the same resamples for every column (Field & Welsh 2007)."""
    x = np.asarray(x, dtype=float)
    return _interval(x, _boot_weights(x.shape[0], n_boot, seed), confidence)


class _Draws:
    """Sign vectors and bootstrap weights by number of events, drawn once per call."""

    def __init__(self, n_permutations: int, n_boot: int, seed: int) -> None:
        self.n_permutations, self.n_boot, self.seed = n_permutations, n_boot, seed
        self._signs: dict[int, tuple[np.ndarray, bool]] = {}
        self._weights: dict[int, np.ndarray] = {}

    def signs(self, n: int) -> tuple[np.ndarray, bool]:
        if n not in self._signs:
            self._signs[n] = _flip_matrix(n, self.n_permutations, self.seed)
        return self._signs[n]

    def weights(self, n: int) -> np.ndarray:
        if n not in self._weights:
            self._weights[n] = _boot_weights(n, self.n_boot, self.seed)
        return self._weights[n]


# --- findings ------------------------------------------------------------------------------


def _decimals(*xs: float) -> int:
    ref = max(abs(x) for x in xs)
    if ref == 0 or not math.isfinite(ref):
        return 2
    return min(6, max(0, 1 - math.floor(math.log10(ref))))  # 2 significant digits


def _p_text(p: float) -> str:
    return "p_adj < 0.001" if p < 0.001 else f"p_adj = {p:.2g}"


def _finding(
    feature: str, a: str, b: str, n: int, diff: float | None, low: float | None,
    high: float | None, p_adj: float | None, alpha: float,
) -> str:  # fmt: skip
    if n < 2 or diff is None or low is None or high is None or p_adj is None:
        return f"not estimable: fewer than 2 shared events (n={n})"
    name = feature_name(feature)
    unit = ""
    if feature in SHARE_FEATURES:  # shares read as percentage points
        diff, low, high, unit = 100 * diff, 100 * low, 100 * high, " points"
    k = _decimals(diff, low, high)
    if p_adj < alpha and (low > 0 or high < 0):
        word = "higher" if diff > 0 else "lower"
        lo, hi = (low, high) if diff > 0 else (-high, -low)
        return (
            f"Over {n} events, {a}'s {name} is {word} than {b}'s by {abs(diff):.{k}f}{unit} "
            f"[95% interval {lo:.{k}f}, {hi:.{k}f}] ({_p_text(p_adj)})"
        )
    return (
        f"no clear difference over {n} events between {a} and {b} in {name} "
        f"({a} - {b} = {diff:.{k}f}{unit} [{low:.{k}f}, {high:.{k}f}], {_p_text(p_adj)})"
    )


# --- public API ----------------------------------------------------------------------------


def corpus_contrasts(
    scores: Sequence[ArticleScores],
    features: Sequence[str],
    *,
    by: str = "outlet",
    n_permutations: int = 9999,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
    alpha: float = ALPHA,
) -> list[CorpusContrast]:
    """Every pair of outlets (``by="outlet"``) or groups (``by="group"``) on every feature,
    pooled over shared events with events as strata (see the module docstring for the methods).

    Pairs are ordered by name (``a`` < ``b``), features in the given order within a pair. The
    BH adjustment runs over the estimable features of each pair. A finding is stated as a
    difference only when the interval excludes 0 and ``p_adjusted_bh < alpha``. Articles
    without an event are left out; with fewer than 2 shared events a row is not estimable.
    """
    table = _event_table(scores, features, by)
    draws = _Draws(n_permutations, n_boot, seed)
    out: list[CorpusContrast] = []
    for (ia, a), (ib, b) in itertools.combinations(enumerate(table.units), 2):
        ma, mb = table.means[:, ia, :], table.means[:, ib, :]
        d_all = ma - mb
        rows: dict[int, CorpusContrast] = {}
        for ev, fs in _count_groups(~np.isnan(d_all)):
            n = ev.shape[0]
            d, mean_a, mean_b = d_all[ev, fs], ma[ev, fs].mean(axis=0), mb[ev, fs].mean(axis=0)
            diff = d.mean(axis=0)
            inferential: list[tuple[float | None, ...]] = [(None,) * 6] * len(fs)
            note = ""
            if n >= 2:
                signs, exact = draws.signs(n)
                ps = _flip_pvalues(d, signs, exact)
                lows, highs = _interval(d, draws.weights(n), confidence)
                loo = (d.sum(axis=0)[None, :] - d) / (n - 1)
                same = (np.sign(d) == np.sign(diff)[None, :]).mean(axis=0)
                inferential = list(zip(
                    ps.tolist(), lows.tolist(), highs.tolist(), same.tolist(),
                    loo.min(axis=0).tolist(), loo.max(axis=0).tolist(), strict=True,
                ))  # fmt: skip
                notes = []
                floor = smallest_sign_flip_pvalue(n, n_permutations)
                if floor >= alpha:
                    notes.append(f"few events (n={n}): smallest attainable p={floor:.3g}")
                if not exact:
                    notes.append(f"Monte Carlo p ({n_permutations} random sign flips)")
                note = "; ".join(notes)
            for k, f in enumerate(fs):
                col = d[:, k]
                # largest |d_e| first; ties by event id (events are sorted, the sort is stable)
                top = np.argsort(-np.abs(col), kind="stable")[:N_DRIVERS]
                drivers = tuple((table.events[ev[j, k]], float(col[j])) for j in top)
                p, low, high, same_k, loo_low, loo_high = inferential[k]
                rows[int(f)] = CorpusContrast(
                    features[f], a, b, n, float(mean_a[k]), float(mean_b[k]), float(diff[k]),
                    low, high, p, None, "", same_k, loo_low, loo_high, drivers, by, note,
                )  # fmt: skip
        pair = [
            rows.get(k) or CorpusContrast(f, a, b, 0, None, None, None, None, None, None, None,
                                          "", level=by)
            for k, f in enumerate(features)
        ]  # fmt: skip
        adjusted = stats.benjamini_hochberg([r.p_value for r in pair])
        for r, q in zip(pair, adjusted, strict=True):
            finding = _finding(r.feature, a, b, r.n_events, r.difference, r.difference_low,
                               r.difference_high, q, alpha)  # fmt: skip
            out.append(replace(r, p_adjusted_bh=q, finding=finding))
    return out


def corpus_outlets(
    scores: Sequence[ArticleScores],
    features: Sequence[str],
    *,
    by: str = "outlet",
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> list[CorpusOutlet]:
    """Every outlet (``by="outlet"``) or group (``by="group"``) on every feature: the mean over
    the events where it has a value (each event the mean of its articles there, weight 1) with a
    percentile bootstrap interval resampling events (Field & Welsh 2007).

    Outlets by name, features in the given order. Articles without an event are left out; with
    fewer than 2 events the interval is None.
    """
    table = _event_table(scores, features, by)
    draws = _Draws(0, n_boot, seed)
    out: list[CorpusOutlet] = []
    for iu, unit in enumerate(table.units):
        m = table.means[:, iu, :]
        rows: dict[int, CorpusOutlet] = {}
        for ev, fs in _count_groups(~np.isnan(m)):
            n = ev.shape[0]
            x = m[ev, fs]
            means = x.mean(axis=0)
            n_art = table.counts[:, iu, :][ev, fs].sum(axis=0)
            if n >= 2:
                lows, highs = _interval(x, draws.weights(n), confidence)
            for k, f in enumerate(fs):
                low = float(lows[k]) if n >= 2 else None
                high = float(highs[k]) if n >= 2 else None
                note = "" if n >= 2 else "n=1 event: interval not estimable"
                rows[int(f)] = CorpusOutlet(
                    unit, features[f], n, int(n_art[k]), float(means[k]), low, high, by, note
                )
        for k, feature in enumerate(features):
            out.append(rows.get(k) or CorpusOutlet(unit, feature, 0, 0, None, None, None, by,
                                                   "no events with a value"))  # fmt: skip
    return out
