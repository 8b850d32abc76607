"""Name splitting: arXiv's rules on a table of names, and a round trip through BibTeX readers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.enrich.names import PARTICLES, from_parsed, split_name
from digestconv.enrich.record import Author

TABLE = [
    # plain: last token is the family name
    ("Mohit Kumar Ahuja", Author(family="Ahuja", given="Mohit Kumar")),
    ("B. Scott Gaudi", Author(family="Gaudi", given="B. Scott")),
    ("José Raúl Romero", Author(family="Romero", given="José Raúl")),
    # particles, case-insensitive, one or two
    ("Adrian Del Maestro", Author(family="Del Maestro", given="Adrian")),
    ("Ludwig van Beethoven", Author(family="van Beethoven", given="Ludwig")),
    ("Johannes van der Waals", Author(family="van der Waals", given="Johannes")),
    ("Maria da Silva", Author(family="da Silva", given="Maria")),
    ("Carlo di Benedetto", Author(family="di Benedetto", given="Carlo")),
    ("Jean de la Fontaine", Author(family="de la Fontaine", given="Jean")),
    # particles arXiv's list lacks, and runs of more than two
    ("Willem-Jan van den Heuvel", Author(family="van den Heuvel", given="Willem-Jan")),
    ("Ursula von der Leyen", Author(family="von der Leyen", given="Ursula")),
    ("Juan de la Cruz", Author(family="de la Cruz", given="Juan")),
    ("Fernanda dos Santos", Author(family="dos Santos", given="Fernanda")),
    ("Sankar Das Sarma", Author(family="Das Sarma", given="Sankar")),
    ("Jacobus Henricus van 't Hoff", Author(family="van 't Hoff", given="Jacobus Henricus")),
    ("Gerard ten Brink", Author(family="ten Brink", given="Gerard")),
    ("W. E. B. Du Bois", Author(family="Du Bois", given="W. E. B.")),
    ("Pierre du Pont", Author(family="du Pont", given="Pierre")),
    ("Maria von und zu Liechtenstein", Author(family="von und zu Liechtenstein", given="Maria")),
    ("Manfredo do Carmo", Author(family="do Carmo", given="Manfredo")),
    ("Anna degli Esposti", Author(family="degli Esposti", given="Anna")),
    ("Jean le Rond", Author(family="le Rond", given="Jean")),
    ("Willem Van Den Heuvel", Author(family="Van Den Heuvel", given="Willem")),
    # words that are particles only in lower case stay given names when capitalised
    ("Hoang Le Minh", Author(family="Minh", given="Hoang Le")),
    ("Thanh Do Nguyen", Author(family="Nguyen", given="Thanh Do")),
    # a given name is always left
    ("van der Waals", Author(family="der Waals", given="van")),
    # suffixes
    ("Martin Luther King Jr.", Author(family="King", given="Martin Luther", suffix="Jr.")),
    ("Martin Luther King, Jr.", Author(family="King", given="Martin Luther", suffix="Jr.")),
    ("John Smith III", Author(family="Smith", given="John", suffix="III")),
    ("Robert Downey Sr", Author(family="Downey", given="Robert", suffix="Sr")),
    # collaborations, groups, teams: literal
    ("ATLAS Collaboration", Author(literal="ATLAS Collaboration")),
    ("The LIGO Scientific Collaboration", Author(literal="The LIGO Scientific Collaboration")),
    ("Planck Team", Author(literal="Planck Team")),
    ("BaBar Group", Author(literal="BaBar Group")),
    # CJK and single names: literal
    ("张三", Author(literal="张三")),
    ("山田 太郎", Author(literal="山田 太郎")),
    ("김민수", Author(literal="김민수")),
    ("Sukarno", Author(literal="Sukarno")),
    # whitespace is folded
    ("  Ada \n  Lovelace ", Author(family="Lovelace", given="Ada")),
]


@pytest.mark.parametrize(("name", "expected"), TABLE, ids=[n for n, _ in TABLE])
def test_split_name(name: str, expected: Author) -> None:
    assert split_name(name) == expected


def test_empty_name() -> None:
    assert split_name("  ") is None


def test_affiliations_are_kept() -> None:
    author = split_name("Andrew Gould", ["Ohio State", " "])
    assert author == Author(family="Gould", given="Andrew", affiliations=("Ohio State",))


@pytest.mark.parametrize(
    ("parsed", "expected"),
    [
        (["Balázs", "C.", ""], Author(family="Balázs", given="C.")),
        (["Wang", "C. -P.", ""], Author(family="Wang", given="C.-P.")),
        (
            ["King", "Martin Luther", "Jr."],
            Author(family="King", given="Martin Luther", suffix="Jr."),
        ),
        (["ATLAS Collaboration", "", ""], Author(literal="ATLAS Collaboration")),
        (["Sukarno", "", ""], Author(literal="Sukarno")),
        # what arXiv's parser gives for a particle its list lacks
        (
            ["Heuvel", "Willem-Jan van den", ""],
            Author(family="van den Heuvel", given="Willem-Jan"),
        ),
        (["Morrison", "Van", ""], Author(family="Morrison", given="Van")),
        (
            ["Gould", "Andrew", "", "Ohio State"],
            Author(family="Gould", given="Andrew", affiliations=("Ohio State",)),
        ),
        ([], None),
        (["", "", ""], None),
    ],
)
def test_from_parsed(parsed: list[str], expected: Author | None) -> None:
    assert from_parsed(parsed) == expected


def _bibtex_name(author: Author) -> str:
    """``Last, [Jr.,] First`` as BibTeX wants it (the writers' form)."""
    if author.literal is not None:
        return "{" + author.literal + "}"
    parts = [author.family or ""]
    if author.suffix:
        parts.append(author.suffix)
    if author.given:
        parts.append(author.given)
    return ", ".join(parts)


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüß", min_size=2, max_size=8).map(str.title)


@given(
    given_names=st.lists(WORD, min_size=1, max_size=3),
    family=WORD,
    suffix=st.sampled_from([None, "Jr.", "Sr.", "II", "III", "IV"]),
)
def test_round_trip_through_pybtex_and_bibtexparser(
    given_names: list[str], family: str, suffix: str | None
) -> None:
    from bibtexparser.middlewares.names import parse_single_name_into_parts
    from pybtex.database import Person

    name = " ".join([*given_names, family] + ([suffix] if suffix else []))
    author = split_name(name)
    assert author is not None
    if len(given_names) > 1 and given_names[-1].lower() in PARTICLES:
        return  # particles move into the family name: covered by the table
    assert author.family == family and author.suffix == suffix
    assert author.given == " ".join(given_names)
    text = _bibtex_name(author)
    person = Person(text)
    assert " ".join(person.last_names) == family
    assert " ".join(person.first_names + person.middle_names) == author.given
    assert " ".join(person.lineage_names) == (suffix or "")
    parts = parse_single_name_into_parts(text)
    assert " ".join(parts.last) == family
    assert " ".join(parts.first) == author.given
    assert " ".join(parts.jr) == (suffix or "")


def _arxiv_rule(name: str) -> tuple[str, str]:
    """arXiv's own split (at most two particles, its list only), as the reference."""
    listed = set("van der de la von del della da mac ter dem di vaziri".split())  # noqa: SIM905
    tokens = name.split()
    low = [t.lower() for t in tokens]
    if len(tokens) >= 4 and low[-3] in listed and low[-2] in listed:
        cut = len(tokens) - 3
    elif len(tokens) >= 3 and low[-2] in listed:
        cut = len(tokens) - 2
    else:
        cut = len(tokens) - 1
    return " ".join(tokens[cut:]), " ".join(tokens[:cut])


def test_real_names_split_as_arxiv_splits_them() -> None:
    """On the real names of an API response, arXiv's rule and ours agree (names of two
    or more tokens, no suffix or collaboration), except for the one name with a
    particle arXiv's list lacks."""
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "arxiv-author-names.json"
    names = json.loads(data.read_text("utf-8"))["names"]
    compared = 0
    for name in names:
        author = split_name(name)
        if author is None or author.literal is not None or author.suffix is not None:
            continue
        compared += 1
        if name == "Willem-Jan van den Heuvel":
            assert _arxiv_rule(name) == ("Heuvel", "Willem-Jan van den")
            assert (author.family, author.given) == ("van den Heuvel", "Willem-Jan")
        else:
            assert (author.family, author.given) == _arxiv_rule(name), name
    assert compared > 250


def test_the_snapshot_and_the_api_agree_on_particles() -> None:
    for name, parsed in [
        ("Willem-Jan van den Heuvel", ["Heuvel", "Willem-Jan van den", ""]),
        ("Johannes van der Waals", ["van der Waals", "Johannes", ""]),
        ("Ursula von der Leyen", ["von der Leyen", "Ursula", ""]),
    ]:
        assert split_name(name) == from_parsed(parsed)
