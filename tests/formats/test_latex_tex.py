r"""Math and TeX from any arXiv source: BibTeX that typesets and reads the same, and plain
text that reads as Unicode.

Real records: the recorded arXiv API responses of ``tests/data/arxiv/*.xml`` (today's API
writes Unicode inside math, ``$ω$``) and arXiv's own ``.abs`` metadata files of
``tests/data/arxiv/abs-tex.json.gz`` (the TeX as submitted, as the bulk snapshot has it;
see ``tests/data/PROVENANCE.md``).  Every title and abstract is escaped as the BibTeX
writer escapes it and typeset with pdflatex (``--ascii``) and LuaLaTeX (UTF-8).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pylatexenc.latex2text import LatexNodes2Text

from digestconv.enrich.atom import parse_feed
from digestconv.enrich.record import ArxivRecord
from digestconv.formats.base import Batch
from digestconv.formats.bibtex import BibTeX, normalise
from digestconv.latex import (
    decode,
    escape,
    math_balanced,
    mathspans,
    tables,
    tex_math,
    to_unicode,
    unescape,
)
from digestconv.model import Paper

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "arxiv"
#: what a document that typesets arXiv metadata loads; "valid TeX" is TeX these define
PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath,amssymb,mathrsfs,bm,url}\n"
TEX_TIMEOUT = 600


def _abs_fields(text: str) -> tuple[str, str]:
    """Title and abstract of an arXiv ``.abs`` file, white space folded."""
    parts = text.split("\\\\\n")
    title: list[str] = []
    for line in parts[1].split("\n"):
        if line.startswith("Title:"):
            title = [line[6:]]
        elif title and line.startswith("  "):
            title.append(line)
        elif title:
            break
    return " ".join(" ".join(title).split()), " ".join(parts[2].split())


@cache
def abs_records() -> dict[str, tuple[str, str]]:
    """Title and abstract of every stored ``.abs`` file, by path (``ftp/arxiv/...``)."""
    files = json.loads(gzip.decompress((DATA / "abs-tex.json.gz").read_bytes()))
    return {path.split("abs_files/", 1)[1]: _abs_fields(text) for path, text in files.items()}


@cache
def api_records() -> dict[str, ArxivRecord]:
    """Every record of the recorded API responses, by identifier."""
    out: dict[str, ArxivRecord] = {}
    for path in sorted(DATA.glob("*.xml")):
        if "error" not in path.name:
            out.update(parse_feed(path.read_bytes()).records)
    return out


def real_fields() -> list[tuple[str, str, str]]:
    """``(source, field, text)`` of every real title and abstract, normalised as the
    BibTeX writer normalises text."""
    out = []
    for key, record in sorted(api_records().items()):
        out += [(f"api:{key}", "title", record.title), (f"api:{key}", "abstract", record.abstract)]
    for name, (title, abstract) in sorted(abs_records().items()):
        out += [(f"abs:{name}", "title", title), (f"abs:{name}", "abstract", abstract)]
    return [(s, f, text) for s, f, t in out if (text := normalise(t))]


def _engine(name: str) -> str:
    path, kpsewhich = shutil.which(name), shutil.which("kpsewhich")
    if path is None or kpsewhich is None:
        pytest.skip(f"{name} is not installed (Debian: texlive-latex-base, texlive-luatex)")
    for package in ("amsmath.sty", "amssymb.sty", "mathrsfs.sty", "bm.sty", "url.sty"):
        found = subprocess.run(
            [kpsewhich, package], capture_output=True, text=True, timeout=60, check=False
        )
        if not found.stdout.strip():
            pytest.skip(f"TeX package {package} is not installed (texlive-latex-recommended)")
    return path


def typeset(engine: str, lines: list[str], folder: Path) -> dict[int, list[str]]:
    """Typeset each line as a paragraph; the TeX errors of each line, by index."""
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f"\\noindent {line}\\par\n" for line in lines)
    (folder / "doc.tex").write_text(
        PREAMBLE + "\\begin{document}\n" + body + "\\end{document}\n", encoding="utf-8"
    )
    subprocess.run(
        [engine, "-interaction=nonstopmode", "-file-line-error", "-no-shell-escape", "doc.tex"],
        cwd=folder,
        capture_output=True,
        timeout=TEX_TIMEOUT,
        check=False,
    )
    log = (folder / "doc.log").read_text("utf-8", errors="replace")
    assert "Output written on doc.pdf" in log, log[-3000:]
    first = PREAMBLE.count("\n") + 2  # the line number of the first paragraph
    errors: dict[int, list[str]] = {}
    for m in re.finditer(r"^\./doc\.tex:(\d+): (.*)$", log, re.MULTILINE):
        errors.setdefault(int(m[1]) - first, []).append(m[2])
    return errors


@pytest.mark.parametrize(
    ("engine", "ascii_only"),
    [("pdflatex", True), ("lualatex", False)],
    ids=["pdflatex-ascii", "lualatex-utf8"],
)
def test_every_real_record_with_valid_tex_typesets(
    engine: str, ascii_only: bool, tmp_path: Path
) -> None:
    exe = _engine(engine)
    fields = real_fields()
    lines = [
        escape(text, title=field == "title", ascii_only=ascii_only, pdflatex=True)
        for _source, field, text in fields
    ]
    assert sum("$" in line for line in lines) > 200  # math is there to typeset
    failed = typeset(exe, lines, tmp_path / "escaped")
    # every API record typesets, among them $ω$Test, $γ:V$, $(π, 1-π)$, $Θ(\sqrt{n})$,
    # $\mathbfθ \in Γ$ and arXiv's own broken $\tildeΘ(...)$
    api = {fields[k][0]: errors for k, errors in failed.items() if fields[k][0].startswith("api:")}
    assert not api, api
    # a record that fails is one whose own TeX fails, typeset alone as it was submitted
    # (macros the authors defined themselves, a text accent inside math)
    invalid = []
    for k in sorted(failed):
        source, field, text = fields[k]
        alone = typeset(exe, [text], tmp_path / f"source{k}")
        assert alone, (source, field, failed[k], lines[k])
        invalid.append(source)
    assert len(invalid) < 0.03 * len(fields), invalid
    for must in (
        "abs:ftp/arxiv/papers/0704/0704.0106.abs",
        "abs:ftp/arxiv/papers/0704/0704.0068.abs",
    ):
        assert must not in invalid


def test_the_records_of_the_known_failures_are_there() -> None:
    records = api_records()
    texts = {k: (r.title + " " + r.abstract) for k, r in records.items()}
    for arxiv_id, needle in [
        ("2306.03845", "$ω$Test"),
        ("1309.0683", "$γ:V"),
        ("2403.16981", "$(π, 1-π)$"),
        ("2106.13414", "$Θ(\\sqrt{n})$"),
        ("2507.16734", "$\\mathbfθ \\in Γ"),
        ("2007.09895", "$\\tildeΘ("),
    ]:
        assert needle in texts[arxiv_id], arxiv_id
    assert len(records) >= 130


@pytest.mark.parametrize(
    ("api", "tex", "written"),
    [
        ("$ω$Test", "$\\omega$Test", "$\\omega${Test}"),
        ("$γ:V \\rightarrow \\{1\\}$", "$\\gamma:V \\rightarrow \\{1\\}$", None),
        ("$(π, 1-π)$", "$(\\pi, 1-\\pi)$", None),
        ("$Θ(\\sqrt{n})$", "$\\Theta(\\sqrt{n})$", None),
        ("$\\mathbfθ \\in Γ$", "$\\mathbf\\theta \\in \\Gamma$", None),
        ("$\\tildeΘ(x)$", "$\\tilde\\Theta(x)$", None),
        ("$ωt$", "$\\omega t$", None),
        ("$x∈ℝ^n, f′≤∞$", "$x\\in\\mathbb{R}^n, f'\\leq\\infty$", None),
        ("\\[ω\\] and \\(γ\\)", "\\[\\omega\\] and \\(\\gamma\\)", None),
    ],
)
def test_math_is_the_same_tex_whichever_spelling(api: str, tex: str, written: str | None) -> None:
    for title in (False, True):
        for ascii_only in (False, True):
            for pdflatex in (False, True):
                assert escape(api, title, ascii_only, pdflatex) == escape(
                    tex, title, ascii_only, pdflatex
                )
    assert escape(tex) == tex
    if written is not None:
        assert escape(api, title=True) == written
    assert tex_math(api) == tex


#: the TeX macro of each Unicode letter the recorded API responses put inside math
_SNAPSHOT_SPELLING = {"ω": "omega", "γ": "gamma", "π": "pi", "Θ": "Theta", "Γ": "Gamma",
                      "θ": "theta", "α": "alpha", "β": "beta", "δ": "delta"}  # fmt: skip


def _snapshot_spelling(text: str) -> str:
    """How the bulk snapshot spells what the API gives: ``$ω$`` is ``$\\omega$``."""
    out = []
    for k, c in enumerate(text):
        name = _SNAPSHOT_SPELLING.get(c)
        if name is None:
            out.append(c)
            continue
        out.append("\\" + name)
        if text[k + 1 : k + 2].isalpha() and text[k + 1] not in _SNAPSHOT_SPELLING:
            out.append(" ")
    return "".join(out)


def test_real_records_give_the_same_bibtex_from_api_and_snapshot() -> None:
    changed = 0
    for arxiv_id, record in sorted(api_records().items()):
        snap = dataclasses.replace(
            record,
            title=_snapshot_spelling(record.title),
            abstract=_snapshot_spelling(record.abstract),
        )
        if snap == record:
            continue
        changed += 1
        paper = Paper(arxiv_id=arxiv_id, url=f"https://arxiv.org/abs/{arxiv_id}")
        for ascii_only in (False, True):
            outputs = [
                BibTeX().write(Batch(papers=(paper,), records={arxiv_id: r}, ascii=ascii_only))
                for r in (record, snap)
            ]
            assert outputs[0] == outputs[1], arxiv_id
    assert changed >= 6


def test_display_and_inline_math_delimiters_are_math() -> None:
    text = r"bounded by \[\tilde Θ\left(\frac{n}{\log n}\right)\] and \(O(n^{-2})\) here"
    written = escape(text, ascii_only=True, pdflatex=True)
    assert written == (
        r"bounded by \[\tilde \Theta\left(\frac{n}{\log n}\right)\] and \(O(n^{-2})\) here"
    )
    assert unescape(written) == tex_math(text)
    assert to_unicode(text) == text.replace("\\[", "\\[")  # genuine math stays
    # a backslash pair before a bracket is a line break, not math
    assert escape(r"a \\[x\]").startswith(r"a \textbackslash{}\textbackslash{}[")


@pytest.mark.parametrize(
    ("source", "bibtex", "text"),
    [
        (r"A. Petojevi\' c verified", r"A. Petojevi{\' c} verified", "A. Petojević verified"),
        (r"Schr\" odinger", r"Schr{\" o}dinger", "Schrödinger"),
        (r"caf\' {e}", r"caf{\' {e}}", "café"),
        (r"Rodr\'{\i}guez", r"Rodr{\'{\i}}guez", "Rodríguez"),
        (r"Gon\c calves", r"Gon{\c c}alves", "Gonçalves"),
        (r"Stra\ss e", r"Stra{\ss }e", "Straße"),
        (r"Sm\o rgrav", r"Sm{\o }rgrav", "Smørgrav"),
        (r"Schr{\"o}dinger", r"Schr{{\"o}}dinger", "Schrödinger"),
    ],
)
def test_accents_spaced_and_braced_decode(source: str, bibtex: str, text: str) -> None:
    assert escape(source) == bibtex
    assert unescape(bibtex) == source
    assert to_unicode(source) == text
    # what a LaTeX reader makes of the BibTeX value
    assert LatexNodes2Text().latex_to_text(bibtex) == text


def test_real_spaced_accent_reads_as_the_letter() -> None:
    _title, abstract = abs_records()["ftp/arxiv/papers/0704/0704.0068.abs"]
    assert "Petojevi\\' c" in abstract
    assert "A. Petojević verified" in to_unicode(abstract)
    written = escape(abstract, ascii_only=True, pdflatex=True)
    assert "textbackslash" not in written
    assert "A. Petojević verified" in LatexNodes2Text().latex_to_text(written)


def test_real_unbalanced_dollar_never_swallows_prose() -> None:
    _title, abstract = abs_records()["ftp/arxiv/papers/0704/0704.0106.abs"]
    assert abstract.count("$") % 2 == 1
    assert not math_balanced(abstract)
    written = escape(abstract, pdflatex=True)
    # every dollar is a dollar sign: no prose between two dollars is typeset as math
    assert "$" not in written.replace("\\$", "")
    assert written.count("\\$") == abstract.count("$")
    assert unescape(written) == abstract
    assert to_unicode(abstract).count("$") == abstract.count("$")
    # the same text with the lost dollar restored pairs up and keeps its math
    fixed = abstract.replace("order \\cal", "order $\\cal", 1)
    assert math_balanced(fixed)
    assert "$\\cal{O}(\\alpha_{s}^2)$" in escape(fixed)


@pytest.mark.parametrize(
    ("text", "balanced"),
    [
        ("no math", True),
        ("$x$ and $y$", True),
        ("$$x$$ and \\(y\\)", True),
        ("costs \\$5", True),
        ("$x$ and $y", False),
        ("$x%$ and $y$", False),  # a pair whose body is not math
        ("$$", False),
        ("$a$$b$", True),
    ],
)
def test_math_balanced(text: str, balanced: bool) -> None:
    assert math_balanced(text) is balanced
    written = escape(text)
    if not balanced:
        assert "$" not in written.replace("\\$", "")


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (r"Navega\c{c}\~ao", "Navegação"),
        (r"$\alpha$-divergence and $ω$-nets", "α-divergence and ω-nets"),
        (r"${\sim}$1.8\% and 30$^\circ$", "∼1.8% and 30°"),
        (r"over $\mathbb{R}$, $\ell_1$", "over ℝ, $\\ell_1$"),
        (r"Liptser--Shiryaev, 1990---2000, --enrich", "Liptser–Shiryaev, 1990—2000, --enrich"),
        (r"we propose \textit{look before} and {\bf SAM}", "we propose look before and SAM"),
        (r"the ``wealth'' gap", "the “wealth” gap"),
        (r"Fig.~1 and 1~10 and RL~(S)", "Fig.\xa01 and 1~10 and RL\xa0(S)"),
        (r"\cite{x} and \foo{y}", r"\cite{x} and \foo{y}"),
        (r"$x$ costs $", r"$x$ costs $"),
    ],
)  # fmt: skip
def test_to_unicode_reads_tex_letters_and_symbols(source: str, text: str) -> None:
    assert to_unicode(source) == text


def test_to_unicode_keeps_genuine_math_of_real_records() -> None:
    kept = symbols = 0
    for _source, _field, text in real_fields():
        out = to_unicode(text)
        spans = mathspans._spans(text)
        for k in range(0, len(spans), 2):
            span = text[spans[k] : spans[k + 1]]
            if decode._single_symbol(span) is None:
                assert span in out  # math is copied, never rewritten
                kept += 1
            else:
                symbols += 1
        # no accent or letter command is left outside math
        outside = mathspans._spans(out)
        cut = [out[outside[k - 1] if k else 0 : outside[k]] for k in range(0, len(outside), 2)]
        tail = out[outside[-1] :] if outside else out
        assert not any(tables._SOURCE_RE.search(part) for part in [*cut, tail]), out
    assert kept > 500 and symbols > 50


_HOSTILE = st.lists(
    st.sampled_from(
        ["$", "$$", "\\", "{", "}", "\\(", "\\)", "\\[", "\\]", "\\'", "\\' ", "{\\\"", "\\ss",
         "\\textit{", "{\\it ", "--", "---", "``", "''", "~", "a", " ", "α", "ω", "\\alpha"]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@given(_HOSTILE)
def test_hostile_tex_never_breaks_a_writer(text: str) -> None:
    to_unicode(text)
    math_balanced(text)
    for title in (False, True):
        written = escape(text, title=title, ascii_only=True, pdflatex=True)
        assert unescape(written) == tex_math(text)
        library = bibtexparser.parse_string("@misc{k, title = {" + written + "}}")
        assert not library.failed_blocks and len(library.entries) == 1


@pytest.mark.parametrize(
    "text",
    [
        "\\(" * 20_000,  # no closer: each opener must not rescan the rest
        "\\(%" * 20_000 + "\\)",  # one closer far away, every body invalid
        "$" * 20_001,
        "\\textit{" * 20_000,
        "\\\\textit{" * 20_000,
        "{\\it " * 20_000,
        "\\' " * 20_000,
        "$" + "ω" * 40_000 + "$",
        "-" * 40_000,
        "``" * 20_000,
    ],
)
def test_hostile_shapes_are_handled_in_one_pass(text: str) -> None:
    # linear by construction (a quadratic pass would take minutes here); the results
    # are checked against what the pieces must give
    written = escape(text, ascii_only=True, pdflatex=True)
    assert unescape(written) == tex_math(text)
    assert isinstance(to_unicode(text), str)
    assert math_balanced(text) in (True, False)


#: TeX reads text left to right, and a backslash with the non-letter after it is one token
#: (a control symbol): the second backslash of ``\\`` (a forced line break, or a doubled
#: backslash) never starts a command, an accent or an escaped special of its own
CONTROL_SYMBOLS = [
    (r"a \\textbf{x} b", r"a \\textbf{x} b"),
    (r"C:\\\\path", r"C:\\\\path"),
    (r"\\\textbf{x} and \\\\\emph{y}", r"\\x and \\\\y"),
    (r"line\\ \emph{next}", r"line\\ next"),
    (r"up 5\\% and 5\\\%", r"up 5\\% and 5\\%"),
    (r'Schr\\"odinger and Schr\\\"odinger', r'Schr\\"odinger and Schr\\ödinger'),
    (r"\\ss{} and \\o and \\' c", r"\\ss{} and \\o and \\' c"),
    (r"{\\bf x} and \\{\it y}", r"{\\bf x} and \\y"),
    (r"\\~x and a\\--b", r"\\~x and a\\–b"),
]


@pytest.mark.parametrize(("source", "text"), CONTROL_SYMBOLS)
def test_to_unicode_reads_a_control_symbol_as_one_token(source: str, text: str) -> None:
    assert to_unicode(source) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (r"a\\&b", r"a\\&b"),
        (r"\\\textbackslash{}", "\\" * 3),
        (r"\\'{e} and \\\'{e}", r"\\'e and \\é"),
        (r"\\\{x\}", r"\\{x}"),
        (r"\\~ and \~", "\\\\\xa0 and \\~"),  # a tie after the break; an accent on nothing
    ],
)
def test_unescape_reads_a_control_symbol_as_one_token(value: str, text: str) -> None:
    assert unescape(value) == text


@given(
    st.text(alphabet="abiosL", min_size=1, max_size=4),
    st.text(alphabet=st.sampled_from([*"\\{}$~'\"`-_%&#( )[]", "a", "é", "α"]), max_size=30),
)
def test_a_doubled_backslash_never_lends_its_second_half(word: str, text: str) -> None:
    # a command spelt after ``\\`` is text, read as the TeX around it reads it
    source = "\\\\" + word + " " + text
    assert to_unicode(source) == "\\\\" + to_unicode(word) + " " + to_unicode(text)
    assert unescape(source) == "\\\\" + unescape(word) + " " + unescape(text)
