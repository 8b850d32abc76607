"""The rule engine: which rules run on a path, and running them.

:class:`Planner` resolves :class:`~digestconv.settings.Settings` into a
:class:`Plan` per path (enabled rules and their severities).  The functions
here run a plan's file rules on a parsed digest, the cross-file rules on a
file's :class:`~digestconv.rules.facts.PaperFact` tuple, the metadata rules on
the plain outcome of an arXiv lookup, and apply suppression comments.  The
pipeline calls them; so do the formatter and the markdown writer, which check
the digests they make.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import IO_ERROR_CODE, Diagnostic, Digest, Span, Suppression
from ..settings import Settings, _path_matches
from . import all_rules, get, iter_corpus_rules, iter_lookup_rules, iter_metadata_rules
from .facts import CorpusIndex, PaperFact, paper_fact
from .registry import Finding, Rule

if TYPE_CHECKING:
    from ..enrich.apply import Outcome
    from ..enrich.record import ArxivRecord

IO_RULE = "io-error"
INTERNAL_RULE = "internal-error"
SCHEMA_RULE = "schema"
UNUSED_RULE = "unused-suppression"
NOT_CONVERTED_RULE = "not-converted"
#: rules the engine itself emits (their registered check functions find nothing)
ENGINE_RULES = frozenset({IO_RULE, INTERNAL_RULE, UNUSED_RULE, NOT_CONVERTED_RULE})
#: rules that always report at error severity and cannot be deselected
FATAL_RULES = frozenset({IO_RULE, INTERNAL_RULE})


@dataclass(frozen=True)
class Plan:
    """Settings resolved for one path: the enabled file rules and every severity."""

    #: enabled file rules the pipeline calls, with their severity, in code order
    file_rules: tuple[tuple[Rule, str], ...]
    #: rule name -> severity, for every enabled rule (engine and corpus rules included)
    severity: Mapping[str, str]

    def on(self, name: str) -> bool:
        """Whether rule ``name`` is enabled here."""
        return name in self.severity


class Planner:
    """Resolves :class:`Settings` into a :class:`Plan` per path, once per distinct answer.

    A path that a nearer configuration governs (``settings.by_path``) is planned
    with its own settings, by a planner kept for them.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rules = all_rules()
        self._patterns = tuple(settings.per_file_ignores)
        self._plans: dict[tuple[str, ...], Plan] = {}
        #: id of a path's own settings -> (those settings, their planner)
        self._others: dict[int, tuple[Settings, Planner]] = {}

    def settings_for(self, path: str) -> Settings:
        """The settings that govern ``path``."""
        return self.settings.for_path(path)

    def _for(self, path: str) -> Planner:
        own = self.settings.for_path(path)
        if own is self.settings:
            return self
        kept = self._others.get(id(own))
        if kept is None:  # the settings object is kept alive here, so its id stays its own
            kept = self._others[id(own)] = (own, Planner(own))
        return kept[1]

    def plan(self, path: str) -> Plan:
        """The plan of ``path``."""
        if self.settings.by_path:
            other = self._for(path)
            if other is not self:
                return other.plan(path)
        key = tuple(p for p in self._patterns if _path_matches(path, p))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._resolve(path if key else None)
        return plan

    def _resolve(self, path: str | None) -> Plan:
        s = self.settings
        severity: dict[str, str] = {}
        file_rules = []
        for r in self.rules:
            if r.name in FATAL_RULES:
                severity[r.name] = "error"
                continue
            if not s.enabled(r.code, r.name, path):
                continue
            severity[r.name] = s.severity_of(r.code, r.name, r.severity)
            if r.scope == "file" and r.name not in ENGINE_RULES and r.name != SCHEMA_RULE:
                file_rules.append((r, severity[r.name]))
        return Plan(tuple(file_rules), severity)

    def corpus_errors(self, path: str) -> bool:
        """Whether a cross-file rule reports at error severity on ``path``."""
        severity = self.plan(path).severity
        return any(severity.get(r.name) == "error" for r in self.rules if r.scope == "corpus")

    def emit(self, name: str, path: str, span: Span, message: str) -> Diagnostic | None:
        """A diagnostic of registered rule ``name`` at ``path``, or ``None`` when disabled there."""
        severity = self.plan(path).severity.get(name)
        if severity is None:
            return None
        return _registered(name).diagnostic(path, _finding(span, message), severity)  # type: ignore[arg-type]


def _registered(name: str) -> Rule:
    found = get(name)
    if found is None:  # pragma: no cover - the registry lists every engine rule
        raise LookupError(f"rule {name} is not registered")
    return found


def _finding(span: Span, message: str, path: str | None = None) -> Finding:
    return Finding(span, message, path)


def io_error(name: str, message: str) -> Diagnostic:
    """The ``io-error`` diagnostic of a path that could not be read (always an error)."""
    rule = _registered(IO_RULE)
    assert rule.code == IO_ERROR_CODE
    return rule.diagnostic(name, _finding(Span.point(1), message), "error")


def internal_error(name: str, exc: BaseException, where: str = "") -> Diagnostic:
    """The ``internal-error`` diagnostic of an unexpected exception while handling ``name``."""
    rule = _registered(INTERNAL_RULE)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if len(text) > 300:
        text = text[:300] + "…"
    message = (
        f"internal error{' in ' + where if where else ''}: {text}; the rest of this file was "
        "not checked (please report this with the file)"
    )
    return rule.diagnostic(name, _finding(Span.point(1), message), "error")


# --------------------------------------------------------------- the worker

#: which rules already report a defect in each field of the JSON form
_FIELD_OWNERS: dict[str, frozenset[str]] = {
    "ref": frozenset({"ref-order", "ref-duplicate"}),
    "arxiv_id": frozenset({"id-malformed", "id-mismatch", "url-not-arxiv", "missing-field"}),
    "version": frozenset({"version-mismatch", "id-malformed", "id-mismatch"}),
    "url": frozenset({"url-not-arxiv", "url-mismatch"}),
    "primary_category": frozenset({"unknown-category"}),
}


def run_file_rules(digest: Digest, planner: Planner) -> list[Diagnostic]:
    """Every enabled file rule's diagnostics on ``digest`` (before suppressions).

    A rule that raises gives one ``internal-error`` diagnostic; the other rules
    still run.  The JSON Schema check runs last and reports only what no other
    rule reported (one defect, one diagnostic).
    """
    path = digest.path
    plan = planner.plan(path)
    settings = planner.settings_for(path)
    found: list[Diagnostic] = []
    for rule, severity in plan.file_rules:
        try:
            found.extend(
                rule.diagnostic(path, f, severity)  # type: ignore[arg-type]
                for f in rule.check(digest, settings)  # type: ignore[arg-type]
            )
        except Exception as exc:
            found.append(internal_error(path, exc, f"rule {rule.name}"))
    if plan.on(SCHEMA_RULE):
        try:
            found.extend(_schema(digest, plan, found))
        except Exception as exc:
            found.append(internal_error(path, exc, f"rule {SCHEMA_RULE}"))
    return found


def _schema(digest: Digest, plan: Plan, found: list[Diagnostic]) -> Iterator[Diagnostic]:
    from .. import schema as json_schema

    if json_schema.surely_valid(digest):
        return
    document = digest.to_dict()
    errors = list(json_schema.errors(document))
    if not errors:
        return
    rule = _registered(SCHEMA_RULE)
    severity = plan.severity[SCHEMA_RULE]
    at = {(d.line, d.column) for d in found}
    for where, message in errors:
        span = json_schema.locate(digest, where)
        if (span.line, span.column) in at:
            continue  # another rule reports this very place
        if len(where) >= 3 and where[0] == "entries" and isinstance(where[1], int):
            owners = _FIELD_OWNERS.get(str(where[2]))
            if owners and where[1] < len(digest.papers):
                fact = paper_fact(digest.papers[where[1]])
                if any(d.rule in owners and fact.covers(d.line) for d in found):
                    continue  # the field's own rule reports it on this paper
        text = "/".join(map(str, where)) or "(file)"
        yield rule.diagnostic(digest.path, _finding(span, f"{text}: {message}"), severity)  # type: ignore[arg-type]


# ------------------------------------------------------------- suppressions


def suppress(
    diagnostics: Iterable[Diagnostic], suppressions: Sequence[Suppression], plan: Plan | None = None
) -> tuple[list[Diagnostic], set[int]]:
    """Drop the diagnostics a suppression covers; also the indices of the suppressions used.

    I/O, internal and unused-suppression diagnostics cannot be suppressed.
    The matching (:func:`digestconv.suppress.suppress`) grows with the
    diagnostics and suppressions, not their product.
    """
    from ..suppress import suppress as match

    return match(diagnostics, suppressions, exempt={*FATAL_RULES, UNUSED_RULE})


def unused_suppressions(
    path: str, suppressions: Sequence[Suppression], used: Iterable[int], planner: Planner
) -> list[Diagnostic]:
    """One ``unused-suppression`` diagnostic per suppression that silenced nothing or names an
    unknown rule."""
    if not suppressions or not planner.plan(path).on(UNUSED_RULE):
        return []
    used = set(used)
    out = []
    for i, s in enumerate(suppressions):
        unknown = [r for r in s.rules if get(r) is None]
        if unknown:
            message = (
                f"suppression names unknown rule(s) {', '.join(unknown)}: see 'digestconv rules'"
            )
        elif i not in used:
            what = ", ".join(s.rules) or "any rule"
            message = f"suppression of {what} silences nothing here: delete it"
        else:
            continue
        diag = planner.emit(UNUSED_RULE, path, s.span, message)
        if diag is not None:
            out.append(diag)
    return out


# ------------------------------------------------------------------ the fold

# ------------------------------------------------------------ cross-file rules


def corpus_diagnostics(
    path: str,
    facts: Sequence[PaperFact],
    index: CorpusIndex,
    planner: Planner,
    corpus_rules: Sequence[Rule] | None = None,
) -> list[Diagnostic]:
    """The cross-file rules' diagnostics on one file, given the index of the files before it.

    A rule that raises gives one ``internal-error`` diagnostic; the others still run.
    """
    plan = planner.plan(path)
    out: list[Diagnostic] = []
    for rule in iter_corpus_rules() if corpus_rules is None else corpus_rules:
        severity = plan.severity.get(rule.name)
        if severity is None:
            continue
        try:
            out.extend(
                rule.diagnostic(path, f, severity)  # type: ignore[arg-type]
                for f in rule.check(path, facts, index, planner.settings_for(path))  # type: ignore[call-arg]
            )
        except Exception as exc:
            out.append(internal_error(path, exc, f"rule {rule.name}"))
    return out


def finish(
    path: str,
    diagnostics: Sequence[Diagnostic],
    extra: Sequence[Diagnostic],
    suppressions: Sequence[Suppression],
    used: Iterable[int],
    planner: Planner,
) -> list[Diagnostic]:
    """A file's final, sorted diagnostics: its file-rule ``diagnostics`` (already
    suppressed), plus the cross-file ``extra`` after suppression, plus one
    ``unused-suppression`` per comment that silenced nothing."""
    if not extra and not suppressions:
        return list(diagnostics)
    kept, used_extra = suppress(extra, suppressions)
    out = list(diagnostics) + kept
    out += unused_suppressions(path, suppressions, {*used, *used_extra}, planner)
    out.sort(key=Diagnostic.sort_key)
    return out


def check_file(digest: Digest, planner: Planner) -> tuple[list[Diagnostic], set[int]]:
    """The file rules' diagnostics on ``digest`` after its suppressions, sorted, and the
    indices of the suppressions that silenced something."""
    found = run_file_rules(digest, planner)
    kept, used = suppress(found, digest.suppressions, planner.plan(digest.path))
    kept.sort(key=Diagnostic.sort_key)
    return kept, used


def check(digests: Iterable[Digest], settings: Settings | None = None) -> list[Diagnostic]:
    """Every enabled rule over ``digests`` in memory, in order; diagnostics in report order."""
    planner = Planner(settings or Settings())
    index = CorpusIndex()
    out: list[Diagnostic] = []
    for digest in digests:
        found, used = check_file(digest, planner)
        facts = tuple(paper_fact(p) for p in digest.papers)
        extra = corpus_diagnostics(digest.path, facts, index, planner)
        if planner.settings.cross_file:
            index.add(digest.path, facts)
        out += finish(digest.path, found, extra, digest.suppressions, used, planner)
    out.sort(key=Diagnostic.sort_key)
    return out


# ------------------------------------------------------------ metadata rules


def lookup_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """Diagnostics of the ``lookup`` rules (DC502, DC503), as configured."""
    out: list[Diagnostic] = []
    for rule in iter_lookup_rules():
        for finding in rule.check(outcome, settings):  # type: ignore[arg-type,call-arg]
            path = finding.path or ""
            own = settings.for_path(path)
            if own.enabled(rule.code, rule.name, path):
                severity = own.severity_of(rule.code, rule.name, rule.severity)
                out.append(rule.diagnostic(path, finding, severity))
    return out


def metadata_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """Run the metadata rules: found papers with their record, misses with ``None``.

    Papers whose lookup failed are not passed: nothing is known of them.
    """
    metadata_rules = list(iter_metadata_rules())
    if not metadata_rules:
        return []
    out: list[Diagnostic] = []
    result = outcome.result
    for path, paper in outcome.papers:
        key = paper.arxiv_id
        if key is None:
            continue
        if key in result.records:
            record: ArxivRecord | None = result.records[key]
        elif key in result.missing:
            record = None
        else:
            continue
        own = settings.for_path(path)
        for rule in metadata_rules:
            if not own.enabled(rule.code, rule.name, path):
                continue
            severity = own.severity_of(rule.code, rule.name, rule.severity)
            for finding in rule.check(paper, record, own):  # type: ignore[call-arg,arg-type]
                out.append(rule.diagnostic(path, finding, severity))
    return out


def enrichment_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """Everything ``to``/``validate --enrich`` report: lookup rules, then metadata rules."""
    return lookup_diagnostics(outcome, settings) + metadata_diagnostics(outcome, settings)


def paper_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """What ``enrich`` reports: one diagnostic per paper arXiv does not have (DC501), then
    the lookup rules (DC502, DC503) exactly as ``to``/``validate --enrich`` report them.

    A paper arXiv does not have is reported by the registered ``enrich-not-found``
    rule, so ``enrich`` and ``validate --enrich`` say the same; the papers that
    could not be looked up are one ``enrich-unavailable`` line with their count and why.
    """
    not_found = get("enrich-not-found")
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    result = outcome.result
    for path, paper in outcome.papers:
        key = paper.arxiv_id
        if key is None or (path, key) in seen:
            continue
        seen.add((path, key))
        span = paper.span("url")
        plain_miss = key in result.missing and result.missing[key].startswith("arXiv has no")
        if plain_miss and not_found is not None and not_found.scope == "metadata":
            for finding in not_found.check(paper, None, settings):  # type: ignore[call-arg,arg-type]
                out.append(not_found.diagnostic(path, finding))
            continue
        if key in result.missing and not_found is not None:
            message = f"arXiv:{key}: {result.missing[key]}: the link points nowhere"
            out.append(not_found.diagnostic(path, Finding(span, message), "error"))
    return out + lookup_diagnostics(outcome, settings)
