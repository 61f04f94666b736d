"""Actor labels: normalisation, alias table, grouping rules and the per-outlet label table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framing.compare.labels import (
    Alias,
    Mention,
    alias_pattern,
    build_labels,
    extract_mentions,
    group_mentions,
    is_name,
    load_aliases,
    normalize_mention,
    strip_titles,
)
from framing.models import AnalyzedArticle, Article, Entity, SentenceAnalysis, Span

ALIASES = [
    Alias("Islamic State", "Islamic State", "armed_group"),
    Alias("Daesh", "Islamic State", "armed_group"),
    Alias("ISIS-K", "Islamic State/Khorasan Province", "armed_group"),
    Alias("militants", "", "armed_group", "generic"),
    Alias("Khawarij", "", "armed_group", "generic"),
    Alias("US", "United States", "country"),
]


def test_normalisation() -> None:
    assert normalize_mention("the Daesh's") == "daesh"
    assert normalize_mention("Kim Jong-un") == normalize_mention("Kim Jong Un")
    assert normalize_mention("U.S.") == "us"
    assert strip_titles(normalize_mention("Prime Minister Shinzo Abe")) == "shinzo abe"
    assert is_name("Mr. Trump") and is_name("Ministry of Foreign Affairs")
    assert not is_name("North Korean leader") and not is_name("the president")


def test_alias_patterns_case_and_variants() -> None:
    ci, cs = alias_pattern(ALIASES)
    text = "Daesh’s men, ISIS K and us; the US said; militants"
    found = [m.group(0) for m in ci.finditer(text)] + [m.group(0) for m in cs.finditer(text)]
    assert sorted(found) == ["Daesh", "ISIS K", "US", "militants"]


def test_grouping_rules() -> None:
    texts = [
        "Donald Trump", "Mr. Trump", "Trump", "Kim Jong Un", "Kim", "Daesh", "ISIS-K",
        "militants", "Khawarij", "Democratic National Committee", "DNC", "the migrant caravan",
        "the caravan", "South Korea", "North Korea", "Korea",
    ]  # fmt: skip
    g = group_mentions(texts, ALIASES)
    lab = dict(zip(texts, g.labels, strict=True))
    assert lab["Donald Trump"] == lab["Mr. Trump"] == lab["Trump"]
    assert lab["Kim"] == lab["Kim Jong Un"]
    # parent name for the only branch; generic labels join the event's main armed group
    assert lab["Daesh"] == lab["ISIS-K"] == lab["militants"] == lab["Khawarij"]
    assert g.actor[lab["ISIS-K"]] == "Islamic State / Khorasan Province"
    assert g.actor_type[lab["ISIS-K"]] == "armed_group"
    assert lab["DNC"] == lab["Democratic National Committee"]
    assert lab["the caravan"] == lab["the migrant caravan"]
    # an ambiguous name part is not merged
    assert len({lab["Korea"], lab["South Korea"], lab["North Korea"]}) == 3
    links = dict(zip(texts, g.links, strict=True))
    assert links["DNC"] == "acronym" and links["Kim"] == "name part"


def test_generic_labels_without_an_armed_group_stay_apart() -> None:
    g = group_mentions(["militants", "Khawarij", "Pakistan"], ALIASES)
    assert g.labels[0] == g.labels[1] != g.labels[2]


def test_embedding_merge_respects_alias_actors_and_names() -> None:
    texts = ["Islamic State", "ISIS-K", "the jihadist group", "Kabul", "Afghanistan"]
    same = np.ones((5, 3)) / np.sqrt(3)  # everything identical to the encoder
    g = group_mentions(texts, ALIASES[:1] + ALIASES[2:3], same, 0.5, rules=frozenset(
        {"alias", "embedding", "names_apart"}
    ))  # fmt: skip
    lab = g.labels
    assert lab[0] != lab[1]  # two alias-table actors never merge
    assert lab[3] != lab[4]  # two names never merge by similarity
    assert lab[2] in (lab[0], lab[1], lab[3], lab[4])  # a description joins a group


def test_load_aliases_user_table(tmp_path: Path) -> None:
    user = tmp_path / "a.tsv"
    user.write_text("alias\tactor\ttype\tnote\nDaesh\tISKP\tarmed_group\tmine\n", encoding="utf-8")
    rows = {r.alias: r for r in load_aliases(user)}
    assert rows["Daesh"].actor == "ISKP"
    assert rows["Khawarij"].actor == ""  # from the default table
    bad = tmp_path / "b.tsv"
    bad.write_text("name\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match="alias, actor, type"):
        load_aliases(bad, include_default=False)
    with pytest.raises(ValueError, match="no such file"):
        load_aliases(tmp_path / "missing.tsv")


def _article(aid: str, outlet: str, sentences: list[str], ents: list[tuple[str, str]] = ()) -> AnalyzedArticle:  # type: ignore[assignment]
    text = " ".join(sentences)
    sents = []
    pos = 0
    for i, s in enumerate(sentences):
        sents.append(SentenceAnalysis(i, Span(pos, pos + len(s)), s, "author"))
        pos += len(s) + 1
    entities = []
    for word, label in ents:
        start = text.index(word)
        entities.append(Entity(Span(start, start + len(word), label), word, label))
    return AnalyzedArticle(Article(aid, outlet, text), tuple(sents), tuple(entities), "t")


def test_planted_labels_per_outlet() -> None:
    arts = [
        _article("k1", "Kabul Dispatch", ["Daesh fighters hid in Peshawar.", "Daesh denied it."],
                 [("Peshawar", "GPE")]),
        _article("i1", "Islamabad Herald", ["The Khawarij were killed in Peshawar.",
                                             "Khawarij attacks rose."], [("Peshawar", "GPE")]),
        _article("g1", "Global Wire", ["ISIS-K militants were killed, Kabul Dispatch said.",
                                        "ISIS-K said nothing."], [("Kabul Dispatch", "ORG")]),
    ]  # fmt: skip
    mentions = extract_mentions(arts, ALIASES)
    assert all(m.text != "Kabul Dispatch" for m in mentions)  # outlets are not actors
    rows = build_labels(mentions, ALIASES, event="e")
    isk = [r for r in rows if r.actor == "Islamic State / Khorasan Province"]
    got = {(r.outlet, r.label): r.count for r in isk}
    assert got == {
        ("Kabul Dispatch", "Daesh"): 2,
        ("Islamabad Herald", "Khawarij"): 2,
        ("Global Wire", "ISIS-K"): 2,
        ("Global Wire", "militants"): 1,
    }
    gw = next(r for r in isk if r.label == "ISIS-K")
    assert gw.share == pytest.approx(2 / 3) and gw.actor_mentions == 7
    assert gw.examples[0] == "ISIS-K militants were killed, Kabul Dispatch said."
    assert any(r.actor == "Peshawar" and r.count == 1 for r in rows)


def test_empty_and_single_mentions() -> None:
    assert build_labels([]) == []
    one = [Mention("A", "a", 0, "Peshawar", "GPE", "In Peshawar.")]
    assert build_labels(one) == []  # fewer than min_mentions
    assert len(build_labels(one, min_mentions=1)) == 1


def test_default_alias_table_loads() -> None:
    rows = load_aliases()
    assert any(r.alias == "ISIS-K" for r in rows)
    assert all(r.type for r in rows)


@pytest.mark.slow
def test_demo_labels_show_each_outlets_words_for_isis_k(demo_run) -> None:  # type: ignore[no-untyped-def]
    import csv

    rows = list(csv.DictReader(demo_run.paths["labels.csv"].open(encoding="utf-8")))
    isk = [r for r in rows if r["event"] == "peshawar-isk-commander-2025"
           and r["actor"] == "Islamic State / Khorasan Province"]  # fmt: skip
    by_outlet: dict[str, set[str]] = {}
    for r in isk:
        by_outlet.setdefault(r["outlet"], set()).add(r["label"])
    assert "Daesh" in by_outlet["Kabul Dispatch"]
    assert {"Khawarij", "Fitna al-Khawarij"} <= by_outlet["Islamabad Herald"]
    assert {"ISIS-K", "militants"} <= by_outlet["Global Wire Service"]
    assert "Daesh" not in by_outlet["Islamabad Herald"] | by_outlet["Global Wire Service"]


def test_entity_types_the_tagger_gets_wrong_on_unseen_names() -> None:
    from framing.compare.labels import entity_type

    assert entity_type("Qari Hamidullah", "ORG", "the death of ", set()) == "PERSON"
    assert entity_type("Hamidullah", "ORG", "", {"hamidullah"}) == "PERSON"
    assert entity_type("Orakzai", "ORG", "camps operated in Bajaur and ", set()) == "GPE"
    assert entity_type("Thatta", "ORG", "the worst hit were ", set(), " districts, where") == "GPE"
    assert entity_type("Parliament", "ORG", "a vote in ", set()) == "ORG"
    assert entity_type("Centre for Regional Studies", "FAC", "a researcher at the ", set()) == "ORG"
    assert entity_type("Tessel Water Board", "ORG", "in ", set()) == "ORG"  # not one word


def test_a_title_anywhere_makes_every_mention_of_the_name_a_person() -> None:
    from framing.compare.labels import Mention, _titled_persons

    ms = [Mention("A", "a1", 0, "Qari Tamim", "PERSON", "s"),
          Mention("B", "b1", 2, "Tamim", "ORG", "s"), Mention("B", "b1", 3, "Tessel", "GPE", "s")]
    assert [m.entity_label for m in _titled_persons(ms)] == ["PERSON", "PERSON", "GPE"]


def test_place_context_regex_is_linear_on_title_case_runs() -> None:
    """A long run of capitalised words after "in" (a title-case line) once backtracked
    exponentially (22 words: 3 s; 40: hours); the flat pattern matches it at once."""
    from framing.compare.labels import _PLACE_BEFORE

    run = "in " + " ".join(["Militants"] * 400) + " x"
    assert _PLACE_BEFORE.search(run) is None
    assert _PLACE_BEFORE.search("fighting in Helmand, Kandahar and Nangarhar ") is not None
    assert _PLACE_BEFORE.search("clashes in the Swat Valley ") is not None
