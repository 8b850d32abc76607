#!/usr/bin/env python3
"""Calibrate the retitle split: title and abstract overlap, real retitles against wrong links.

Reads ``tests/data/retitles/`` (built by ``scripts/retitle_pairs.py``; see its
PROVENANCE.md):

* ``retitles.jsonl.gz``: a paper's title and English abstract at an older version
  (what a digest names) and at a later one (what arXiv's record says), both arXiv's
  own;
* ``wrong-links.jsonl.gz``: the titles and abstracts of two different papers listed
  next to each other on the same day (a digest row whose link points at its
  neighbour).

Titles first: the distribution of :func:`digestconv.enrich.merge.title_overlap` in
each class and, for a range of thresholds, the **false-error rate** (retitles
scored below the threshold) and the **missed-wrong-link rate** (wrong pairs scored
at or above it), with the figures of the rule that preceded it (an older version's
title sharing half its words was accepted without a word).  The chosen threshold
is :data:`~digestconv.enrich.merge.RETITLE_OVERLAP`.

Then abstracts, which decide when the titles share fewer words than that: the
distribution of :func:`~digestconv.enrich.merge.abstract_overlap` (on the compared
prefix, each side's cut respected) in each class and by source, and the same two
rates at a range of thresholds, over every pair and over the pairs whose titles
are unrelated; the chosen threshold is
:data:`~digestconv.enrich.merge.ABSTRACT_OVERLAP`.

Last, the rules themselves (``title_conflict``, ``title_revised``) on every pair,
the digest naming v1 and arXiv's record at v2: how many real retitles are errors
and how many wrong links are warnings, with titles alone and with the abstracts,
by source.

Usage: ``python benchmarks/retitle.py [--list N]`` (``--list`` prints the N closest
calls of each measure).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digestconv.enrich.merge import (  # noqa: E402
    ABSTRACT_OVERLAP,
    RETITLE_OVERLAP,
    abstract_overlap,
    title_conflict,
    title_overlap,
    title_revised,
)
from digestconv.enrich.record import ArxivRecord  # noqa: E402
from digestconv.model import Paper  # noqa: E402

DATA = ROOT / "tests" / "data" / "retitles"


@dataclass(frozen=True)
class Side:
    """One paper at one version: its title and English abstract as a source listed them."""

    title: str
    abstract: str | None
    cut: bool


@dataclass(frozen=True)
class Pair:
    """What a digest shows (``digest``) and what arXiv's record says (``record``)."""

    digest: Side
    record: Side
    source: str

    def titles(self) -> float:
        return title_overlap(self.digest.title, self.record.title)

    def abstracts(self) -> float | None:
        if not self.digest.abstract or not self.record.abstract:
            return None
        return abstract_overlap(
            self.digest.abstract, self.record.abstract, a_cut=self.digest.cut, b_cut=self.record.cut
        )

    def outcome(self) -> str:
        """What the rules report with the digest naming v1 and arXiv at v2: an ``error``
        (arxiv-title-mismatch) or a ``warning`` (arxiv-retitled)."""
        paper = Paper(
            arxiv_id="0000.00000",
            version=1,
            title=self.digest.title,
            abstract=self.digest.abstract,
            abstract_truncated=self.digest.cut,
        )
        record = ArxivRecord("0000.00000", 2, self.record.title, self.record.abstract or "")
        error, warning = title_conflict(paper, record), title_revised(paper, record)
        assert error != warning, self  # exactly one of the two rules speaks
        return "error" if error else "warning"


def _rows(name: str) -> list[dict[str, object]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _side(row: object) -> Side:
    assert isinstance(row, dict)
    return Side(row["title"], row["abstract"], bool(row["abstract_cut"]))


def load() -> tuple[list[Pair], list[Pair]]:
    """(retitles, wrong pairs)."""
    retitles = [
        Pair(_side(r["old"]), _side(r["new"]), r["new"]["source"])  # type: ignore[index]
        for r in _rows("retitles.jsonl.gz")
    ]
    wrong = [
        Pair(_side(r["digest"]), _side(r["record"]), str(r["source"]))
        for r in _rows("wrong-links.jsonl.gz")
    ]
    return retitles, wrong


def previous_rule(a: str, b: str) -> bool:
    """The rule before the title overlap: accepted (``True``) when the titles share half
    their words."""
    from digestconv.latex import to_unicode

    def words(title: str) -> set[str]:
        text = unicodedata.normalize("NFKC", to_unicode(title)).casefold()
        return {w for w in re.split(r"[^\w]+", text) if w}

    wa, wb = words(a), words(b)
    return len(wa & wb) * 2 >= max(len(wa | wb), 1)


def histogram(scores: Sequence[float], width: float = 0.05) -> list[str]:
    bins = [0] * (int(1 / width) + 1)
    for s in scores:
        bins[min(int(s / width + 1e-9), len(bins) - 1)] += 1
    peak = max(bins) or 1
    out = []
    for i, n in enumerate(bins):
        if i == len(bins) - 1 and n == 0:
            continue
        lo = i * width
        label = f"{lo:4.2f}-{lo + width:4.2f}" if i < len(bins) - 1 else "1.00     "
        bar = "#" * max(1 if n else 0, round(40 * n / peak))
        out.append(f"  {label} {n:6d} {100 * n / len(scores):5.1f}% {bar}")
    return out


def quantiles(scores: Sequence[float]) -> str:
    ordered = sorted(scores)
    if not ordered:
        return "-"
    picks = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)
    return "  ".join(f"q{int(q * 100)}={ordered[round(q * (len(ordered) - 1))]:.3f}" for q in picks)


def rate(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.2f}%)" if total else "-"


def tradeoff(
    pos: Sequence[float | None],
    neg: Sequence[float | None],
    thresholds: Sequence[float],
    chosen: float,
    what: str,
) -> None:
    """False errors (retitles below ``t``, or without a score) and wrong links at or
    above ``t``, for each threshold."""
    print(f"threshold  {'false errors (retitle -> error)':>34}  {what:>34}")
    for t in thresholds:
        mark = "  <- chosen" if abs(t - chosen) < 1e-9 else ""
        fe = sum(s is None or s < t for s in pos)
        mw = sum(s is not None and s >= t for s in neg)
        print(f"  {t:4.2f}     {rate(fe, len(pos)):>34}  {rate(mw, len(neg)):>34}{mark}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--list", type=int, default=0, help="show the N closest calls")
    args = parser.parse_args(argv)
    retitles, wrong = load()
    sources = sorted({p.source for p in retitles} | {p.source for p in wrong})
    print(f"retitles: {len(retitles)} real papers retitled in a later version")
    print(f"wrong pairs: {len(wrong)} neighbouring papers of the same list and day\n")

    # -- titles -----------------------------------------------------------------------------
    pos = [p.titles() for p in retitles]
    neg = [p.titles() for p in wrong]
    for name, scores in (("retitles", pos), ("wrong pairs", neg)):
        print(f"{name}: title_overlap distribution")
        print("  " + quantiles(scores))
        print("\n".join(histogram(scores)))
        print()
    tradeoff(
        pos,
        neg,
        (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
        RETITLE_OVERLAP,
        "related titles (-> warning)",
    )
    print(f"\nat RETITLE_OVERLAP = {RETITLE_OVERLAP} by source:")
    for src in sources:
        p = [s for s, r in zip(pos, retitles, strict=True) if r.source == src]
        n = [s for s, r in zip(neg, wrong, strict=True) if r.source == src]
        fe = rate(sum(s < RETITLE_OVERLAP for s in p), len(p))
        mw = rate(sum(s >= RETITLE_OVERLAP for s in n), len(n))
        print(f"  {src:24} unrelated titles {fe:>16}   related titles {mw:>16}")
    old_fe = sum(not previous_rule(p.digest.title, p.record.title) for p in retitles)
    old_silent = sum(previous_rule(p.digest.title, p.record.title) for p in wrong)
    print("\nthe rule before the title overlap (half the words shared: accepted silently):")
    print(
        f"  false errors {rate(old_fe, len(pos))}; wrong links accepted without a word "
        f"{rate(old_silent, len(neg))}\n"
    )

    # -- abstracts --------------------------------------------------------------------------
    apos = [p.abstracts() for p in retitles]
    aneg = [p.abstracts() for p in wrong]
    for name, scores, pairs in (("retitles", apos, retitles), ("wrong pairs", aneg, wrong)):
        known = [s for s in scores if s is not None]
        print(f"{name}: abstract_overlap distribution (on the compared prefix)")
        print(f"  no score (an abstract missing or under 8 words): {len(scores) - len(known)}")
        print("  " + quantiles(known))
        print("\n".join(histogram(known)))
        for src in sources:
            mine = [s for s, r in zip(scores, pairs, strict=True) if r.source == src]
            got = [s for s in mine if s is not None]
            print(
                f"  {src:24} n={len(mine):5d} no score {len(mine) - len(got):3d}  {quantiles(got)}"
            )
        print()
    print("abstracts, every pair:")
    thresholds = (0.1, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3, 0.4)
    tradeoff(apos, aneg, thresholds, ABSTRACT_OVERLAP, "agreeing abstracts (-> warning)")
    hard = [i for i, s in enumerate(pos) if s < RETITLE_OVERLAP]
    easy = [i for i, s in enumerate(neg) if s < RETITLE_OVERLAP]
    print(f"\nabstracts, where they decide (titles below RETITLE_OVERLAP = {RETITLE_OVERLAP}):")
    hpos, hneg = [apos[i] for i in hard], [aneg[i] for i in easy]
    tradeoff(hpos, hneg, thresholds, ABSTRACT_OVERLAP, "agreeing abstracts (-> warning)")
    print(f"\nat ABSTRACT_OVERLAP = {ABSTRACT_OVERLAP} by source (every pair | where they decide):")
    for src in sources:
        cells = []
        for p, n, rp, rn in (
            (apos, aneg, retitles, wrong),
            (hpos, hneg, [retitles[i] for i in hard], [wrong[i] for i in easy]),
        ):
            ps = [s for s, r in zip(p, rp, strict=True) if r.source == src]
            ns = [s for s, r in zip(n, rn, strict=True) if r.source == src]
            fe = sum(s is None or s < ABSTRACT_OVERLAP for s in ps)
            mw = sum(s is not None and s >= ABSTRACT_OVERLAP for s in ns)
            cells.append(
                f"retitles below {rate(fe, len(ps)):>15} wrong at/above {rate(mw, len(ns))}"
            )
        print(f"  {src:24} {cells[0]}\n  {'':24} {cells[1]}")

    # -- the rules --------------------------------------------------------------------------
    print("\nthe rules, the digest naming v1 and arXiv's record at v2 (titles, then abstracts):")
    now_pos, now_neg = [p.outcome() for p in retitles], [p.outcome() for p in wrong]
    print(f"  {'':24} {'retitles that are errors':>30}  {'wrong links that are warnings':>30}")
    for src in [*sources, "all"]:
        keep = [i for i, r in enumerate(retitles) if src in ("all", r.source)]
        keepn = [i for i, r in enumerate(wrong) if src in ("all", r.source)]
        before = sum(pos[i] < RETITLE_OVERLAP for i in keep)
        after = sum(now_pos[i] == "error" for i in keep)
        wbefore = sum(neg[i] >= RETITLE_OVERLAP for i in keepn)
        wafter = sum(now_neg[i] == "warning" for i in keepn)
        n, m = len(keep), len(keepn)
        print(f"  {src:24} titles alone {rate(before, n):>16}  {rate(wbefore, m):>16}")
        print(f"  {'':24} + abstracts   {rate(after, n):>16}  {rate(wafter, m):>16}")
    print("every title change is reported (a warning or an error), none is silent")

    if args.list:
        print(f"\nlowest title overlap among retitles (errors below {RETITLE_OVERLAP} by title):")
        for s, p in sorted(zip(pos, retitles, strict=True), key=lambda t: t[0])[: args.list]:
            a = p.abstracts()
            print(f"  {s:.3f} (abstracts {'-' if a is None else f'{a:.3f}'})  {p.digest.title!r}")
            print(f"         -> {p.record.title!r}  [{p.source}]")
        print("\nhighest title overlap among wrong pairs:")
        for s, p in sorted(zip(neg, wrong, strict=True), key=lambda t: -t[0])[: args.list]:
            print(f"  {s:.3f}  {p.digest.title!r}\n      vs {p.record.title!r}  [{p.source}]")
        print("\nhighest abstract overlap among wrong pairs with unrelated titles:")
        scored = [(aneg[i], wrong[i]) for i in easy if aneg[i] is not None]
        for s, p in sorted(scored, key=lambda t: -(t[0] or 0.0))[: args.list]:
            print(f"  {s:.3f}  {p.digest.title!r}\n      vs {p.record.title!r}  [{p.source}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
