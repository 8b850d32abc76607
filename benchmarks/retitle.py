#!/usr/bin/env python3
"""Calibrate the retitle threshold: word overlap of real retitles against real wrong links.

Reads ``tests/data/retitles/`` (built by ``scripts/retitle_pairs.py``; see its
PROVENANCE.md):

* ``retitles.jsonl``: a paper's title at an older version (what a digest names)
  and at a later one (what arXiv's record says), both arXiv's own;
* ``wrong-links.jsonl``: the titles of two different papers listed next to each
  other on the same day (a digest row whose link points at its neighbour).

For each class it prints the distribution of
:func:`digestconv.enrich.merge.title_overlap`, then, for a range of thresholds,
the **false-error rate** (retitles scored below the threshold: reported as
``arxiv-title-mismatch`` errors) and the **missed-wrong-link rate** (wrong pairs
scored at or above it: reported as ``arxiv-retitled`` warnings instead of
errors), with the same figures for the rule this one replaced (an older version's
title sharing at least half its words, function words included, was accepted
without a word).  The chosen threshold is
:data:`digestconv.enrich.merge.RETITLE_OVERLAP`.

Usage: ``python benchmarks/retitle.py [--list N]`` (``--list`` prints the N
lowest-scored retitles and the N highest-scored wrong pairs).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digestconv.enrich.merge import RETITLE_OVERLAP, title_overlap  # noqa: E402

DATA = ROOT / "tests" / "data" / "retitles"
Pair = tuple[str, str, str]  # digest title, record title, source


def load() -> tuple[list[Pair], list[Pair]]:
    """(retitles, wrong pairs) as ``(older title, later title, source)``."""
    retitles = []
    for line in (DATA / "retitles.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        retitles.append((row["old"]["title"], row["new"]["title"], row["new"]["source"]))
    wrong = []
    for line in (DATA / "wrong-links.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        wrong.append((row["digest"]["title"], row["record"]["title"], row["source"]))
    return retitles, wrong


def previous_rule(a: str, b: str) -> bool:
    """The replaced rule: accepted (``True``) when the titles share half their words."""
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
    picks = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)
    return "  ".join(f"q{int(q * 100)}={ordered[round(q * (len(ordered) - 1))]:.3f}" for q in picks)


def rate(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.2f}%)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--list", type=int, default=0, help="show the N closest calls")
    args = parser.parse_args(argv)
    retitles, wrong = load()
    score: Callable[[Pair], float] = lambda p: title_overlap(p[0], p[1])  # noqa: E731
    pos = [score(p) for p in retitles]
    neg = [score(p) for p in wrong]
    sources = sorted({p[2] for p in retitles} | {p[2] for p in wrong})
    print(f"retitles: {len(retitles)} real papers retitled in a later version")
    print(f"wrong pairs: {len(wrong)} neighbouring papers of the same list and day\n")
    for name, scores in (("retitles", pos), ("wrong pairs", neg)):
        print(f"{name}: title_overlap distribution")
        print("  " + quantiles(scores))
        print("\n".join(histogram(scores)))
        print()
    print("threshold  false errors (retitle -> error)  missed wrong links (-> warning)")
    for t in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        mark = "  <- RETITLE_OVERLAP" if abs(t - RETITLE_OVERLAP) < 1e-9 else ""
        fe = sum(s < t for s in pos)
        mw = sum(s >= t for s in neg)
        print(f"  {t:4.2f}     {rate(fe, len(pos)):>28}  {rate(mw, len(neg)):>28}{mark}")
    print()
    print(f"at RETITLE_OVERLAP = {RETITLE_OVERLAP} by source:")
    for src in sources:
        p = [s for s, r in zip(pos, retitles, strict=True) if r[2] == src]
        n = [s for s, r in zip(neg, wrong, strict=True) if r[2] == src]
        fe = rate(sum(s < RETITLE_OVERLAP for s in p), len(p)) if p else "-"
        mw = rate(sum(s >= RETITLE_OVERLAP for s in n), len(n)) if n else "-"
        print(f"  {src:24} false errors {fe:>16}   missed wrong links {mw:>16}")
    print()
    old_fe = sum(not previous_rule(a, b) for a, b, _ in retitles)
    old_silent = sum(previous_rule(a, b) for a, b, _ in wrong)
    print("previous rule (half the words shared: accepted silently; else an error):")
    print(
        f"  false errors {rate(old_fe, len(pos))}; wrong links accepted without a word "
        f"{rate(old_silent, len(neg))}"
    )
    print("this rule: every title change is reported (a warning or an error), none is silent")
    if args.list:
        print(f"\nlowest-scored retitles (false errors below {RETITLE_OVERLAP}):")
        for s, (a, b, src) in sorted(zip(pos, retitles, strict=True))[: args.list]:
            print(f"  {s:.3f}  {a!r}\n         -> {b!r}  [{src}]")
        print("\nhighest-scored wrong pairs:")
        for s, (a, b, src) in sorted(zip(neg, wrong, strict=True), reverse=True)[: args.list]:
            print(f"  {s:.3f}  {a!r}\n      vs {b!r}  [{src}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
