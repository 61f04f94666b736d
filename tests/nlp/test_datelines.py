"""Datelines in their common forms (invented places and agencies)."""

from __future__ import annotations

import pytest

from framing.nlp.datelines import find_dateline


@pytest.mark.parametrize(("text", "dateline"), [
    ("TESSEL (Coast Wire) - The ferry sank.", "TESSEL (Coast Wire) - "),
    ("TESSEL, March 4 (Coast Wire) — The ferry sank.", "TESSEL, March 4 (Coast Wire) — "),
    ("NEW HARBOUR, Velmark, Oct. 9 – The ferry sank.", "NEW HARBOUR, Velmark, Oct. 9 – "),
    ("Tessel, 4 March — The ferry sank.", "Tessel, 4 March — "),
    ("TESSEL: The ferry sank.", "TESSEL: "),
    ("Ferry sinks\n\nTESSEL (AP) -- The ferry sank.", "TESSEL (AP) -- "),
])
def test_datelines_are_found(text: str, dateline: str) -> None:
    found = find_dateline(text)
    assert found is not None and text[found[0] : found[1]] == dateline


@pytest.mark.parametrize("text", [
    "Mayor Ilse Rand said the ferry sank.",
    "Rand: the ferry was overloaded",  # a headline speaker label, not a place in capitals
    "NATO: allies meet\n\nThe ministers met on Monday.",
    "Tessel — the ferry town — mourned on Monday.",
])
def test_other_openings_are_not_datelines(text: str) -> None:
    assert find_dateline(text) is None
