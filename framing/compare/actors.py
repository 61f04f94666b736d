"""Which actor a name of an event is: the one resolution sources.csv and labels.csv share.

Pure functions over strings and ``AnalyzedArticle``; no NLP model is touched here. The names of
an event are the sources its attributions credit (a trailing apposition dropped: "Omar Sultani,
the mayor") and the named entities of its articles (a person's title written before the
name kept with it: "President" + "Trump"), all outlets together (:func:`event_names`).

**Typing.** A name's type is the vote of its typings: the attribution layer's kind
(``named_person``, ``named_org``, ``media``) and the entity tagger's labels; a tie goes to
person, then organisation. A title makes a name a person's ("Vice President Rahimi"); an
organisation's word keeps a name an organisation's ("Tessel Police", even where a source is
taken for a person); a name the tagger takes for an organisation or a place but which is the
surname (or first name) of a person of the event is that person's, unless the event mostly tags
it otherwise ("Sultani" beside "Omar Sultani"; not "Washington" beside a Ms. Washington). A name no vote
types is typed by its words; laws' and events' names ("… Act", "… Summit") are not actors.

**People** are one actor when their surnames are equal and their first names compatible: equal,
variants of one name in ``framing/resources/nicknames.tsv`` ("Bill" / "William", "Chuck" /
"Charles"), or one an initial of the other; middle initials, where both names give them, must
agree ("Anthony M. Kennedy" / "Anthony Kennedy"; "George W. Bush" is not "George H. W. Bush").
Titles ("Sen.", "House Speaker"), sentence openers ("Plus Sultani"), possessives and suffixes are
dropped first; "Jr." against none is one person unless an article names both (then father and
son). A name that fits two people stays apart; a name that ends exactly one longer name is that
person ("Wasserman Schultz"); a bare first name is the one person of the event it starts ("Kim",
"Joe" for Joseph R. Biden Jr.). A bare surname with one full name in the event is that person
("Trump" / "Donald Trump"). A surname two people share ("Clinton" beside Bill and Hillary
Clinton) is read, in order, by its title ("President Trump" where only Donald Trump is called
President), by its article (the one of them the article names in full), by how much more the
event names one of them in full (:data:`DOMINANCE` times; never after "Mr." or "Ms."), and
otherwise stays an actor of its own. A name found only in a headline that fits no one is read
as its last word (title case: "Mayor Asked to Quit, Aides Urge Sultani").

**Organisations** are one actor when their names are equal after "the", possessives, "U.S.",
"former" and dots are dropped and "Justice Department" is read as "Department of Justice"; an
acronym joins the one organisation of the event whose initials it is, with or without its small
words ("FBI" / "Federal Bureau of Investigation", "DOJ" / "Department of Justice"); a name that
ends exactly one longer name joins it ("Hill" / "Capitol Hill"), unless it names an institution
of its own ("House" is not the "White House").

Places, laws, events and works (and anything that is not a name) are not resolved here.
:func:`event_actors` builds an event's :class:`Actors` (with :func:`add_text_mentions`: the
outlets naming each actor in full even where the tagger missed it);
``Actors.actor(text, article_id)`` says which actor a mention is.
:func:`framing.compare.sources.count_sources` and :func:`framing.compare.labels.build_labels`
both ask it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from framing.models import AnalyzedArticle
from framing.resources import read_lines

DETERMINERS = frozenset(
    "the a an this that these those his her its their our my your some".split()
)
TITLES = frozenset(
    """mr mrs ms miss dr president prime minister pm gen general sen senator rep representative
    secretary chancellor sir qari mullah maulana maulvi sheikh shaikh mufti hafiz brigadier colonel
    col lt captain capt major maj retd former late king queen prince pope judge justice governor
    gov mayor spokesman spokeswoman spokesperson commander chief""".split()
)
#: Words a person's name can be preceded by in a source's or entity's text ("House Speaker Paul
#: Ryan", "Attorney General Jeff Sessions", "then-President Obama"): dropped before the name is
#: read. Only leading words are dropped, and never the last word.
PERSON_LEAD_WORDS = TITLES | frozenset(
    """vice attorney house senate majority minority leader whip speaker state us u s then ex
    deputy assistant associate acting special counsel director supreme court homeland security
    defense national adviser advisor press white interior foreign affairs treasury labor
    commerce energy education transportation agriculture veterans housing health human services
    fbi cia nsa dhs doj ag chairman chairwoman chair ranking member candidate nominee
    presidential republican democratic democrat independent sens reps govs mrs ms dr prof
    professor reverend rev father sister brother ambassador admiral adm sgt sergeant officer
    agent detective lieutenant incoming outgoing retired first lady madam sheriff pastor
    cardinal bishop rabbi imam coach""".split()
)
#: Capitalised words that open a sentence or a headline and are no part of a name ("Plus Sultani
#: is nominating …", "Earlier Friday", "… Aides Urge Sultani").
OPENERS = frozenset(
    """plus but and or so yet also then now still earlier later yesterday today tonight tomorrow
    meanwhile however moreover indeed thus finally next once even only just instead if when
    while after before since as although though because in on at by for from with during under
    over like unlike to of ask asks urge urges says said tells told calls slams rips blasts hits
    backs meets why how what who where watch read exclusive breaking update""".split()
)
#: Last words that make a "name" a description or a date ("Ohio Republican", "Earlier
#: Friday"), not a person's name.
NOT_SURNAMES = frozenset(
    """republican republicans democrat democrats independent independents conservative
    conservatives liberal liberals monday tuesday wednesday thursday friday saturday sunday
    statement disputes says said""".split()
)
#: Honorifics: a bare surname after one is not read by how often the event names each person
#: ("Mr. Clinton" beside Hillary Clinton, the more named, is often Bill).
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "madam", "lady", "messrs"})
#: Title words that tell people of one surname apart ("President Trump", "Sen. Clinton").
DISTINCTIVE_TITLES = PERSON_LEAD_WORDS - HONORIFICS - frozenset(
    "former then ex us u s acting incoming outgoing retired deputy assistant associate special "
    "state first".split())
#: How many times as often one person must be named in full as any other of the same surname for
#: a bare surname to be read as that person (where its article names neither alone).
DOMINANCE = 4
#: Name suffixes dropped from the end of a person's name.
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "esq"})
#: Last words that make a name an organisation: "Pakistan" is not "Pakistan Interior Ministry".
ORG_HEADS = frozenset(
    """ministry government office party committee department council agency army police forces
    force media wing court commission administration authority authorities service services
    television channel news newspaper times post herald university institute centre center bank
    group network campaign""".split()
)
#: Words that make a name an organisation's anywhere in it.
ORG_NAME_WORDS = frozenset(read_lines("attribution/org_words.txt"))
CONNECTORS = frozenset({"al", "bin", "ibn", "abu", "de", "van", "von", "da", "di", "el", "ul"})
#: Lower-case words allowed inside a name ("Ministry of Foreign Affairs", "Abu Usman al-Khurasani").
NAME_PARTICLES = CONNECTORS | {"of", "for", "and", "the", "on", "in", "at"}
#: Person titles that make a name a person's ("Qari Hamidullah", "General Safi").
PERSON_TITLES = frozenset(read_lines("attribution/titles.txt")) | {"qari", "mullah", "maulvi"}
#: Title words that make a name a person's (not "former", "state" or "house" alone).
_PERSON_TITLE_WORDS = (TITLES | PERSON_TITLES | frozenset(
    "sen rep gov vice attorney speaker whip sheriff pastor cardinal bishop rabbi imam coach "
    "senator representative congressman congresswoman mr mrs ms dr".split())) - frozenset(
    "former late chief".split())
#: Entity labels of things that are not actors: laws, events, works, products, quantities.
NOT_ACTOR_LABELS = frozenset(
    {"LAW", "EVENT", "WORK_OF_ART", "PRODUCT", "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY",
     "QUANTITY", "ORDINAL", "CARDINAL"}
)
#: Entity labels of places and of nationalities, religions and political groups.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Last words of a law, an event or a document's name ("… Act", "… Amendment", "… Summit").
LAW_OR_EVENT_HEADS = frozenset(
    """act acts law laws amendment amendments treaty accord accords agreement code statute
    resolution doctrine convention summit election elections primary primaries war games
    olympics cup festival conference hearing hearings report memo dossier bill""".split()
)
#: Last words that name an institution on their own: "House" is not the "White House".
_INSTITUTIONS = frozenset(
    "house senate state congress assembly legislature parliament party union states".split())
#: Heads of organisations' names read "X Department" / "Department of X".
_INVERTIBLE_HEADS = frozenset({"department", "ministry", "dept"})
#: Words before an organisation's name that do not change it ("U.S. Justice Department", "the
#: former F.B.I.": the tagger's span sometimes takes in a modifier).
_ORG_PREFIXES = frozenset({"us", "former", "acting", "then"})
_SMALL_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "al", "&"})
_STRIP = " \t\n\"'“”‘’()[]{},.;:!?"


# ----------------------------------------------------------------------------- normalisation


def normalize_mention(text: str) -> str:
    """Lower-cased mention without quotes, leading determiners, possessives, dots or hyphens."""
    t = text.replace("’", "'").replace("‘", "'").strip(_STRIP)
    t = re.sub(r"'s\b|(?<=s)'(?=\s|$)", "", t)
    t = t.replace(".", "").replace("-", " ").lower()
    toks = t.split()
    while len(toks) > 1 and toks[0] in DETERMINERS:
        toks = toks[1:]
    return " ".join(toks)


def strip_titles(norm: str) -> str:
    """A normalised name without leading titles ("prime minister shinzo abe" -> "shinzo abe")."""
    toks = norm.split()
    i = 0
    while i < len(toks) - 1 and toks[i] in TITLES:
        i += 1
    return " ".join(toks[i:])


def is_name(text: str) -> bool:
    """Whether a mention is a proper name: every word capitalised (or a name particle)."""
    t = text.replace("’", "'").strip(_STRIP)
    words = [w for w in re.split(r"[\s\-]+", t) if w]
    while len(words) > 1 and words[0].lower() in DETERMINERS:
        words = words[1:]
    if not words or not words[0][0].isupper() or not words[-1][0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in NAME_PARTICLES or w[0].isdigit() for w in words)


def compact(text: str) -> str:
    """Letters and digits only ("F.B.I." -> "FBI")."""
    return re.sub(r"[^0-9A-Za-z]", "", text)


def initials(norm: str, small_words: bool = False) -> str:
    """First letters of a normalised name's words, its small words left out unless asked."""
    return "".join(t[0] for t in norm.split() if small_words or t not in _SMALL_WORDS)


def acronym(text: str) -> str | None:
    """The letters of a name written as an acronym of 2 to 6 capitals, lower-cased ("the
    F.B.I." -> "fbi"), else None."""
    words = text.split()
    while len(words) > 1 and (words[0].lower() in DETERMINERS or words[0].lower() in _ORG_PREFIXES):
        words = words[1:]
    c = compact(" ".join(words))
    return c.lower() if 2 <= len(c) <= 6 and c.isalpha() and c.isupper() else None


def is_acronym(text: str) -> bool:
    return acronym(text) is not None


# ----------------------------------------------------------------------------- people's names


@cache
def nicknames() -> dict[str, frozenset[str]]:
    """First name -> the full forms it stands for, itself included ("bill" -> {"william"})."""
    from framing.resources import read_table

    out: dict[str, set[str]] = defaultdict(set)
    for row in read_table("nicknames.tsv"):
        full = row["name"].strip().lower()
        out[full].add(full)
        for v in row["variants"].split(","):
            if v.strip():
                out[v.strip().lower()].add(full)
    return {k: frozenset(v) for k, v in out.items()}


def first_names_match(a: str | None, b: str | None) -> bool:
    """Two first names of one person: equal, nickname variants, an initial of the other, or one
    missing."""
    if a is None or b is None or a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    table = nicknames()
    fa, fb = table.get(a, frozenset({a})), table.get(b, frozenset({b}))
    return bool(fa & fb) or a in fb or b in fa


@dataclass(frozen=True)
class PersonName:
    """A person's name read from a mention: lower-case words, titles and suffixes dropped."""

    words: tuple[str, ...]
    #: words dropped from the front ("house speaker"), as written in the normalised mention
    lead: tuple[str, ...] = ()
    #: "jr" or "sr" when the name ends in one: Donald Trump Jr. is not Donald Trump
    generation: str = ""

    @property
    def last(self) -> str:
        return self.words[-1]

    @property
    def first(self) -> str | None:
        return self.words[0] if len(self.words) > 1 else None

    @property
    def middle(self) -> tuple[str, ...]:
        """Initials of the middle names."""
        return tuple(w[0] for w in self.words[1:-1])


def person_name(text: str) -> PersonName | None:
    """The name in a mention of a person ("Sen. Charles E. Schumer's" -> charles e schumer)."""
    toks = normalize_mention(text).split()
    i = 0
    while i < len(toks) - 1 and (toks[i] in PERSON_LEAD_WORDS or toks[i] in OPENERS):
        i += 1
    words = toks[i:]
    if words and words[-1] in NOT_SURNAMES:
        return None
    generation = ""
    while len(words) > 1 and words[-1] in SUFFIXES:
        if words[-1] in ("jr", "sr"):
            generation = words[-1]
        words = words[:-1]
    if not words or not any(c.isalpha() for c in words[-1]):
        return None
    if len(words) == 1 and words[0] in PERSON_LEAD_WORDS:
        return None  # "the President", "Speaker": a title, not a name
    return PersonName(tuple(words), tuple(toks[:i]), generation)


def names_match(a: PersonName, b: PersonName) -> bool:
    """Same surname, compatible first names, middle initials and generations ("Jr." against
    none is compatible here; :class:`Actors` keeps them apart where an article names both)."""
    if a.last != b.last or (a.generation and b.generation and a.generation != b.generation):
        return False
    if not first_names_match(a.first, b.first):
        return False
    return not (a.middle and b.middle and a.middle != b.middle)


# ----------------------------------------------------------------------------- organisations


def org_key(text: str) -> str:
    """Matching form of an organisation's name: no "the", "U.S." or possessive; "X Department"
    read as "department of X" ("the U.S. Justice Department" -> "department of justice")."""
    toks = [t for t in normalize_mention(text).split() if t != "the"]
    while len(toks) > 1 and toks[0] in _ORG_PREFIXES:
        toks = toks[1:]
    if len(toks) > 2 and toks[:2] in (["u", "s"], ["united", "states"]):
        toks = toks[2:]
    if len(toks) >= 2 and toks[-1] in _INVERTIBLE_HEADS and "of" not in toks:
        toks = ["department" if toks[-1] == "dept" else toks[-1], "of", *toks[:-1]]
    return " ".join(toks)


def org_initials(key: str) -> set[str]:
    """Acronyms an organisation's matching form can be written as ("department of justice" ->
    {"dj", "doj"})."""
    out = {initials(key), initials(key, small_words=True)}
    return {x for x in out if len(x) >= 2}


# ----------------------------------------------------------------------------- typing


def guess_type(text: str) -> str | None:
    """Type of a name nothing else types: "person" after a person's title, "org" for an
    acronym or a name with an organisation's word, "other" for a law's or event's name, "name"
    for another proper name (read like a person's), None for what is not a name."""
    if not is_name(text):
        return None
    norm = normalize_mention(text)
    words = norm.split()
    if not words:
        return None
    if words[-1] in LAW_OR_EVENT_HEADS and len(words) > 1:
        return "other"
    pn = person_name(text)
    if pn is not None and set(pn.lead) & _PERSON_TITLE_WORDS and not set(words) & ORG_NAME_WORDS:
        return "person"
    if len(words) > 1 and words[0] in PERSON_TITLES and not set(words[1:]) & ORG_NAME_WORDS:
        return "person"
    if is_acronym(text) or words[-1] in ORG_HEADS or set(words) & ORG_NAME_WORDS or (
            "of" in words):
        return "org"
    return "name"


#: Attribution source kinds that name a person or an organisation.
SOURCE_TYPES = {"named_person": "person", "named_org": "org", "media": "org"}


def entity_class(label: str | None) -> str | None:
    """The resolution's type of an entity label."""
    if label is None:
        return None
    if label == "PERSON":
        return "person"
    if label == "ORG":
        return "org"
    return "other"


# ----------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class NameMention:
    """One name of an event: its text, what typed it (an entity label, "person"/"org" from an
    attribution, or None), where it is."""

    text: str
    type: str | None = None  # "person", "org", "other" or None
    article_id: str = ""
    outlet: str = ""
    #: from a headline, where every word is capitalised ("Mayor Asked to Quit, Aides Urge
    #: Sultani"): a "name" there that fits no one is read as its last word
    headline: bool = False


@dataclass
class _Cluster:
    key: str
    kind: str  # "person" or "organisation"
    names: list[PersonName] = field(default_factory=list)
    texts: Counter[str] = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)  # articles naming it in full
    norms: list[str] = field(default_factory=list)  # its full names, normalised
    titles: set[str] = field(default_factory=set)  # title words before its full names


class Actors:
    """The people and organisations of one event, and which of them each name is."""

    def __init__(self) -> None:
        self._clusters: dict[str, _Cluster] = {}
        self._of: dict[str, str | None] = {}  # normalised text -> actor key (None: not resolved)
        self._ambiguous: dict[str, list[str]] = {}  # normalised text -> the actors it may be
        self._types: dict[str, str | None] = {}  # normalised text -> voted type
        self._reason: dict[str, str] = {}  # normalised text -> why it joined a known actor
        self._by_last: dict[str, list[str]] = defaultdict(list)  # surname -> person clusters
        self._by_first: dict[str, list[str]] = defaultdict(list)  # first name -> clusters
        self._orgs: dict[str, str] = {}  # org matching form -> cluster
        self._by_initials: dict[str, set[str]] = defaultdict(set)
        self._articles_of: dict[str, set[str]] = defaultdict(set)  # normalised text -> articles
        self._weight: Counter[str] = Counter()  # normalised text -> mentions
        self.outlets: dict[str, set[str]] = defaultdict(set)

    # -- queries

    def actor(self, text: str, article_id: str = "", type: str | None = None) -> str | None:
        """The actor key of a mention (None: not a person or organisation), an ambiguous name
        read in the context of its article."""
        norm = normalize_mention(text)
        if not norm:
            return None
        cands = self._ambiguous.get(norm)
        if cands and article_id:
            here = [k for k in cands if article_id in self._clusters[k].articles]
            if len(here) == 1:
                return here[0]
        if norm not in self._of:
            self._assign(text, norm, self._types.get(norm) or type or guess_type(text))
            key = self._of[norm]
            if key is not None:
                self._clusters[key].texts[text.strip(_STRIP)] += 1
        return self._of[norm]

    def display(self, key: str) -> str:
        """How the actor is named: its most used full name, without titles or a possessive (a
        bare surname when it has none)."""
        c = self._clusters[key]
        if not c.texts:
            return key.split(":", 1)[1]
        shown: Counter[str] = Counter()
        for t, n in c.texts.items():
            shown[bare_name(t) if c.kind == "person" else _org_shown(t)] += n

        def rank(t: str) -> tuple[int, int, int, str]:
            pn = person_name(t) if c.kind == "person" else None
            full = pn is not None and len(pn.words) > 1 and len(pn.words[0]) > 1
            return (int(full or c.kind != "person"), shown[t], len(t), t)

        return max(shown, key=rank)

    def kind(self, key: str) -> str:
        """"person" or "organisation"."""
        return self._clusters[key].kind

    def keys(self) -> list[str]:
        return list(self._clusters)

    def reason(self, text: str) -> str:
        """Why a name joined an actor named before it ("name part", "name variant", "acronym",
        "organisation name"); "" for the first name of an actor or a name not resolved."""
        return self._reason.get(normalize_mention(text), "")

    def type_of(self, text: str) -> str | None:
        """The voted type of a name seen in the event ("person", "org", "other"), else None."""
        return self._types.get(normalize_mention(text))

    # -- building

    def _new(self, key: str, kind: str) -> _Cluster:
        c = self._clusters.get(key)
        if c is None:
            c = self._clusters[key] = _Cluster(key, kind)
        return c

    def _assign(self, text: str, norm: str, typ: str | None) -> None:
        """Resolve one normalised name not seen before against the actors known so far."""
        if typ in ("person", "name"):
            pn = person_name(text)
            if pn is not None and not (typ == "name" and pn.last in ORG_HEADS):
                self._assign_person(norm, pn)
                return
            typ = "org" if pn is not None or (typ == "person" and is_name(text)) else None
        if typ == "org":
            self._assign_org(text, norm)
            return
        self._of[norm] = None

    def _assign_person(self, norm: str, pn: PersonName, headline: bool = False) -> None:
        if len(pn.words) > 1:
            key, fits = self._match_full(norm, pn)
            if key is None and headline:
                # title case: "Urge Sultani" in "… Aides Urge Sultani to Quit" is Sultani
                pn = PersonName((pn.last,), pn.lead, pn.generation)
            else:
                if key is None:
                    key = self._person_key(pn)
                    self._new(key, "person")
                    self._by_last[pn.last].append(key)
                    if len(pn.words[0]) > 1:
                        self._by_first[pn.words[0]].append(key)
                    if len(fits) > 1:  # "George Bush" beside George W. and George H. W. Bush
                        self._ambiguous[norm] = fits
                c = self._clusters[key]
                if c.names:
                    first = c.names[0].words
                    self._reason[norm] = (
                        "same name" if pn.words == first else
                        "name part" if len(pn.words) < len(first)
                        and first[-len(pn.words):] == pn.words else "name variant")  # fmt: skip
                c.names.append(pn)
                c.norms.append(norm)
                c.titles.update(set(pn.lead) & DISTINCTIVE_TITLES)
                c.articles.update(self._articles_of.get(norm, ()))
                self._of[norm] = key
                return
        word = pn.words[0]
        cands = list(dict.fromkeys(self._by_last.get(word, ())))
        if pn.generation:
            cands = [k for k in cands if self._generation(k) == pn.generation]
        elif len(cands) > 1:
            # a bare surname is the father, not "Jr.", when both are in the event
            cands = [k for k in cands if not self._generation(k)] or cands
        if not cands and not pn.generation and word not in self._by_last:
            firsts = list(dict.fromkeys(self._by_first.get(word, ())))
            if not firsts and len(word) > 1:  # "Joe" for Joseph R. Biden Jr.
                firsts = [k for k, c in self._clusters.items() if c.kind == "person" and any(
                    len(x.words) > 1 and len(x.words[0]) > 1
                    and first_names_match(word, x.words[0]) for x in c.names)]
            if len(firsts) == 1:  # "Kim" for Kim Jong Un
                self._of[norm] = firsts[0]
                self._reason[norm] = "name part"
                return
        if len(cands) == 1:
            self._of[norm] = cands[0]
            self._reason[norm] = "name part"
            return
        titled = [k for k in cands if set(pn.lead) & self._clusters[k].titles]
        if len(titled) == 1:  # "Mayor Rahimi" beside Mayor Amina Rahimi and Omar Rahimi
            self._of[norm] = titled[0]
            self._reason[norm] = "name part"
            return
        main = self._dominant(cands) if not set(pn.lead) & HONORIFICS else None
        if main is not None:
            # "Rahimi" beside Amina Rahimi (named in full 40 times) and Omar Rahimi (once);
            # an article naming only the other in full still reads it as that one
            self._of[norm] = main
            self._reason[norm] = "name part (the event's most named of that surname)"
            self._ambiguous[norm] = cands
            return
        key = self._person_key(pn)
        self._new(key, "person")
        if len(cands) > 1:
            self._ambiguous[norm] = cands
        self._of[norm] = key

    def _dominant(self, keys: Sequence[str]) -> str | None:
        """The one of several people named in full at least :data:`DOMINANCE` times as often as
        each other one, else None."""
        w = sorted(((sum(self._weight[n] for n in self._clusters[k].norms), k) for k in keys),
                   reverse=True)
        if len(w) > 1 and w[0][0] >= DOMINANCE * max(1, w[1][0]):
            return w[0][1]
        return None

    @staticmethod
    def _person_key(pn: PersonName) -> str:
        return f"person:{' '.join(pn.words)}" + (f" {pn.generation}" if pn.generation else "")

    def _generation(self, key: str) -> str:
        return next((n.generation for n in self._clusters[key].names if n.generation), "")

    def _fits(self, norm: str, pn: PersonName, key: str) -> bool:
        """Whether a full name can be the known person ``key``: every name of it matches, and
        none that differs from it only in "Jr." shares an article with it (there they are
        father and son)."""
        c = self._clusters[key]
        if not all(names_match(pn, x) for x in c.names):
            return False
        here = self._articles_of.get(norm, set())
        return not any(x.generation != pn.generation and here & self._articles_of.get(n, set())
                       for x, n in zip(c.names, c.norms, strict=True))

    def _match_full(self, norm: str, pn: PersonName) -> tuple[str | None, list[str]]:
        """The one known person a full name fits (None: a new person), and every person it
        fits."""
        n = len(pn.words)
        same = self._person_key(pn)
        if same in self._clusters:
            return same, [same]
        # a name that ends the longer names of one person ("wasserman schultz")
        longer = {k for k in self._by_last.get(pn.last, ())
                  if any(len(x.words) > n and x.words[-n:] == pn.words
                         and x.generation == pn.generation for x in self._clusters[k].names)}
        if len(longer) == 1:
            key = longer.pop()
            return key, [key]
        fits = [k for k in dict.fromkeys(self._by_last.get(pn.last, ()))
                if self._fits(norm, pn, k)]
        if len(fits) > 1:  # Donald Trump beside Donald J. Trump and Donald Trump Jr.
            exact = [k for k in fits if self._generation(k) == pn.generation]
            if len(exact) == 1:
                return exact[0], fits
        return (fits[0] if len(fits) == 1 else None), fits

    def _assign_org(self, text: str, norm: str) -> None:
        key_text = org_key(text)
        key = self._orgs.get(key_text)
        if key is not None:
            self._reason[norm] = "organisation name"
        elif (letters := acronym(text)) is not None:
            found = self._by_initials.get(letters, set())
            if len(found) == 1:
                key = next(iter(found))
                self._reason[norm] = "acronym"
        else:
            # a name that ends exactly one longer name ("Hill" / "Capitol Hill"), unless its last
            # word names an institution of its own ("House" is not "White House")
            words = key_text.split()
            if words and words[-1] not in ORG_HEADS | _INSTITUTIONS:
                longer = {k for t, k in self._orgs.items()
                          if len(t.split()) > len(words) and t.split()[-len(words):] == words}
                if len(longer) == 1:
                    key = longer.pop()
                    self._reason[norm] = "name part"
        if key is None:
            key = f"org:{key_text}"
            self._new(key, "organisation")
            if not is_acronym(text):
                for ini in org_initials(key_text):
                    self._by_initials[ini].add(key)
        self._orgs.setdefault(key_text, key)
        self._of[norm] = key


def _vote(types: Counter[str]) -> str | None:
    """The type most of a name's typings give; a tie goes to person, then organisation."""
    if not types:
        return None
    order = {"person": 0, "org": 1, "other": 2}
    return min(types, key=lambda t: (-types[t], order.get(t, 3), t))


def resolve_actors(mentions: Iterable[NameMention]) -> Actors:
    """The actors of one event's names (every outlet's), each name resolved once.

    A name's type is the vote of its typings (a tie goes to person, then organisation); a name
    voted an organisation or a place that the event also types as a person and whose last word
    is the surname of a person's full name is a person ("Sultani", which the tagger takes for an
    organisation in two outlets, beside "Omar K. Sultani"). Full names are resolved before bare
    names, longer and more complete first, so a bare surname sees every full name of the event;
    organisations' full names before acronyms.
    """
    items = list(mentions)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[str, set[tuple[str, str]]] = defaultdict(set)
    in_body: set[str] = set()
    for m in items:
        norm = normalize_mention(m.text)
        if not norm:
            continue
        texts[norm][m.text.strip(_STRIP)] += 1
        where[norm].add((m.article_id, m.outlet))
        if not m.headline:
            in_body.add(norm)
        if m.type is not None:
            votes[norm][m.type] += 1
    actors = Actors()
    for norm, places in where.items():
        actors._articles_of[norm] = {a for a, _ in places if a}
        actors._weight[norm] = sum(texts[norm].values())
    typed: dict[str, str | None] = {}
    for norm, counter in texts.items():
        text = counter.most_common(1)[0][0]
        t = _vote(votes[norm])
        guess = guess_type(text)
        if t == "person" and guess == "other":
            t = "other"  # "Justice Against Sponsors of Terrorism Act" tagged as a person
        elif t == "person" and guess == "org" and votes[norm]["org"]:
            t = "org"  # "Tessel Police", a source the attribution took for a person
        typed[norm] = t if t is not None else guess
    for norm, t in typed.items():
        # a title makes a name a person's whatever the tagger says ("Vice President Rahimi")
        pn = person_name(texts[norm].most_common(1)[0][0])
        if t != "person" and pn is not None and set(pn.lead) & _PERSON_TITLE_WORDS and not (
                set(norm.split()) & ORG_NAME_WORDS):
            typed[norm] = "person"
    surnames = {n.split()[-1] for n, t in typed.items() if t == "person" and len(n.split()) > 1}
    # a single word that is the first name of a person of the event counts too ("Amina")
    surnames |= {pn.words[0] for n, t in typed.items() if t == "person"
                 and (pn := person_name(texts[n].most_common(1)[0][0])) is not None
                 and len(pn.words) > 1 and len(pn.words[0]) > 1}
    for norm, t in typed.items():
        # "Sultani": the surname of a person of the event, taken for an organisation or
        # a place by the tagger; not a name the event mostly uses for something else
        # ("Washington" beside a Ms. Washington)
        others = sum(n for k, n in votes[norm].items() if k != "person")
        if (t in ("org", "other") and norm.split()[-1] in surnames
                and (votes[norm]["person"] or others <= 2)
                and guess_type(texts[norm].most_common(1)[0][0]) in ("name", "person")):
            typed[norm] = "person"
    actors._types.update(typed)
    people: list[tuple[str, PersonName]] = []
    orgs: list[str] = []
    for norm, t in typed.items():
        text = texts[norm].most_common(1)[0][0]
        if t in ("person", "name"):
            pn = person_name(text)
            if pn is not None and not (t == "name" and pn.last in ORG_HEADS):
                people.append((norm, pn))
                continue
            if pn is not None or (t == "person" and is_name(text)):
                orgs.append(norm)  # "White House", a source taken for a person: no one's name
                continue
        if t == "org":
            orgs.append(norm)
        else:
            actors._of[norm] = None

    def person_order(item: tuple[str, PersonName]) -> tuple[int, int, int, int, int, str]:
        norm, pn = item
        first = pn.words[0] if len(pn.words) > 1 else ""
        return (int(norm not in in_body), -len(pn.words), -len(first), -len(pn.middle),
                -sum(texts[norm].values()), norm)

    for norm, pn in sorted(people, key=person_order):
        actors._assign_person(norm, pn, headline=norm not in in_body)
    for norm in sorted(orgs, key=lambda n: (is_acronym(texts[n].most_common(1)[0][0]),
                                            -len(n.split()), n)):
        actors._assign_org(texts[norm].most_common(1)[0][0], norm)
    for norm, counter in texts.items():
        key = actors._of.get(norm)
        if key is None:
            continue
        actors._clusters[key].texts.update(counter)
        for article_id, outlet in where[norm]:
            k = actors.actor(norm, article_id) if norm in actors._ambiguous else key
            if k is not None and outlet:
                actors.outlets[k].add(outlet)
    return actors


def add_text_mentions(actors: Actors, analyzed: Sequence[AnalyzedArticle]) -> None:
    """Count as mentioned by an outlet every person its articles name in full, and every
    organisation they name in two or more words, where the entity tagger missed the name
    ("City Hall Chief of Staff Omar Sultani" tagged as one organisation): the full names the
    event uses, as written, matched as whole runs of words (linear in the text: each run of up
    to :data:`_MAX_NAME_WORDS` words is looked up)."""
    variants: dict[str, str] = {}
    for key, c in actors._clusters.items():
        for text in c.texts:
            words = text.split()
            if c.kind == "person":
                pn = person_name(text)
                if pn is None or len(pn.words) < 2 or len(pn.words[0]) < 2:
                    continue
                words = bare_name(text).split()
            elif len(words) < 2:
                continue
            name = " ".join(words).strip(_STRIP)
            if (len(name) >= 5 and len(name.split()) <= _MAX_NAME_WORDS
                    and normalize_mention(name) not in actors._ambiguous):
                variants.setdefault(name, key)
    if not variants:
        return
    for art in analyzed:
        for text in (art.article.title or "", art.article.text):
            toks = text.split()
            for i in range(len(toks)):
                if not toks[i][:1].isupper() and not toks[i][1:2].isupper():
                    continue
                for n in range(2, min(_MAX_NAME_WORDS, len(toks) - i) + 1):
                    found = variants.get(_no_possessive(" ".join(toks[i:i + n])))
                    if found is not None:
                        actors.outlets[found].add(art.article.outlet)


#: Longest full name (in words) looked for in the text by :func:`add_text_mentions`.
_MAX_NAME_WORDS = 6


def _no_possessive(text: str) -> str:
    return re.sub(r"['’]s?$", "", text.strip(_STRIP)).strip(_STRIP) or text


def _org_shown(text: str) -> str:
    """An organisation's name as written, without a leading article, modifier or possessive."""
    words = _no_possessive(text).split()
    while len(words) > 1 and (words[0].lower() in DETERMINERS
                              or words[0].lower() in _ORG_PREFIXES - {"us"}):
        words = words[1:]
    return " ".join(words)


def bare_name(text: str) -> str:
    """A person's name as written, without leading titles, sentence openers and a possessive
    ("Vice President Amina Rahimi's" -> "Amina Rahimi")."""
    words = _no_possessive(text).split()
    while len(words) > 1:
        parts = [x for x in re.split(r"[-.]", words[0].lower()) if x]
        if not parts or not all(x in PERSON_LEAD_WORDS or x in OPENERS or x in DETERMINERS
                                for x in parts):
            break
        words = words[1:]
    return " ".join(words)


def titled(text: str, before: str) -> str:
    """A name with the title words written right before it ("President " + "Trump" ->
    "President Trump"): the tagger leaves titles out of its names, and they tell people of one
    surname apart."""
    words = before.split()
    lead: list[str] = []
    while words and len(lead) < 4:
        w = words[-1]
        if w.lower().strip(".").replace(".", "") not in PERSON_LEAD_WORDS or w.lower() in OPENERS:
            break
        lead.insert(0, w)
        words.pop()
    return " ".join([*lead, text]) if lead and before[-1:].isspace() else text


def source_text(name: str) -> str:
    """A source's name without the apposition the attribution kept ("Omar Sultani, the mayor"
    -> "Omar Sultani")."""
    head = name.split(",", 1)[0].strip()
    return head if head != name and is_name(head) else name


def event_names(analyzed: Sequence[AnalyzedArticle]) -> list[NameMention]:
    """Every name of the articles: their attributions' named sources (typed by the attribution
    layer) and named entities (typed by the tagger, a titled name a person and a one-word
    "organisation" in a place's context a place: :func:`framing.compare.labels.entity_type`)."""
    from framing.compare.labels import entity_type

    out: list[NameMention] = []
    for art in analyzed:
        a = art.article
        for s in art.sentences:
            for att in s.attributions:
                typ = SOURCE_TYPES.get(att.source.kind)
                name = source_text(att.source.name)
                if typ is not None and name.strip() and is_name(name):
                    # a name found in the headline only, whatever sentence credits it
                    headline = s.part == "title" or (name not in a.text
                                                     and name in (a.title or ""))
                    out.append(NameMention(name, typ, a.id, a.outlet, headline))
        for e in art.entities:
            text = re.sub(r"['’]s$", "", e.text).strip(_STRIP)
            if not text or not any(c.isupper() for c in text):
                continue
            before = a.text[max(0, e.span.start - 80): e.span.start]
            after = a.text[e.span.end: e.span.end + 40]
            # no names the article's sources carry: the attribution's typing votes on its own
            label = entity_type(text, e.label, before, set(), after)
            if label == "PERSON":
                text = titled(text, before)
            out.append(NameMention(text, entity_class(label), a.id, a.outlet))
    return out


def event_actors(analyzed: Sequence[AnalyzedArticle]) -> Actors:
    """The resolution of one event's people and organisations, with the outlets mentioning
    each (:func:`event_names`, :func:`resolve_actors`, :func:`add_text_mentions`)."""
    actors = resolve_actors(event_names(analyzed))
    add_text_mentions(actors, analyzed)
    return actors
