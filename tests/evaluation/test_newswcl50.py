"""NewsWCL50 mention-grouping evaluation: the metric by hand, the reader on the real file."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from framing.evaluation.newswcl50 import (
    ALL_RULES,
    ENTITY_CODES,
    annotations_path,
    bcubed,
    read_mentions,
    score,
)


def test_bcubed_hand_computed() -> None:
    # gold {a,b,c} {d}; predicted {a,b} {c,d}
    p, r, n = bcubed([0, 0, 1, 1], ["x", "x", "x", "y"])
    # precision: a,b: 2/2; c: 1/2; d: 1/2 -> 3/4; recall: a,b: 2/3; c: 1/3; d: 1 -> 8/12
    assert n == 4
    assert p / n == pytest.approx(3 / 4)
    assert r / n == pytest.approx(2 / 3)


def test_score_on_a_hand_made_event() -> None:
    by_event = {"0": [("Donald Trump", "T"), ("Mr. Trump", "T"), ("Trump", "T"),
                      ("North Korea", "K"), ("North Korea", "K"), ("Pyongyang", "K")]}  # fmt: skip
    exact = score(by_event, ["0"], frozenset(), [], None, 1.0, exact=True)
    rules = score(by_event, ["0"], ALL_RULES - {"embedding"}, [], None, 1.0)
    assert exact["bcubed_p"] == 1.0 and rules["bcubed_p"] == 1.0
    assert rules["bcubed_r"] > exact["bcubed_r"]
    # Trump's three mentions grouped, Pyongyang apart: recall = (3*1 + 2*2/3 + 1/3) / 6
    assert rules["bcubed_r"] == pytest.approx(round((3 + 4 / 3 + 1 / 3) / 6, 4))


@pytest.mark.data
def test_real_annotations_rule_grouping(shared_data: Path) -> None:
    rows = read_mentions(annotations_path(shared_data / "newswcl50"))
    assert len(rows) == 8694
    by_event: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in rows:
        if r["code_type"] in ENTITY_CODES and r["code_mention"].strip():
            by_event[r["event_id"]].append((r["code_mention"].strip(), r["code_name"]))
    exact = score(by_event, ["0"], frozenset(), [], None, 1.0, exact=True)
    rules = score(by_event, ["0"], ALL_RULES - {"embedding"}, [], None, 1.0)
    assert rules["items"] == exact["items"] > 300
    assert rules["bcubed_f1"] > exact["bcubed_f1"]
