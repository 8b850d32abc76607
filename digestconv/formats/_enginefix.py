"""Gaps of citeproc-py filled in place, once, when the first style is loaded.

Each is a CSL 1.0.2 behaviour citeproc-py lacks and citeproc-js (Zotero's engine)
has; see :func:`patch_engine`.  Nothing here runs at import time.
"""

from __future__ import annotations

from typing import Any

from ._styles import CSL_NS

_PATCHED = False
#: the year suffix ("a", "b"...) of the entry being rendered, put after its first year
YEAR_SUFFIX: list[str] = []


def patch_engine() -> None:
    """Make ``cs:substitute`` suppress every variable it rendered, macros included.

    CSL 1.0.2 (``cs:substitute``): "Substituted variables are suppressed in the rest
    of the output".  citeproc-py suppresses only a variable named on the substituting
    element itself, and never a ``cs:number``, so APA and Chicago print the title (and
    the preprint number) twice for an item without author.  This records the
    variables that ``cs:text`` and ``cs:number`` print while a substitute renders, and
    suppresses them for the rest of the entry.

    It also honours ``initialize="false"`` on ``cs:name`` (Chicago prints full given
    names), which citeproc-py ignores, looks each macro of a style up once, and puts
    the year suffix the renderer chose after an entry's first year (citeproc-py has no
    ``disambiguate-add-year-suffix``).
    """
    global _PATCHED
    if _PATCHED:
        return
    from citeproc import model

    collecting: list[set[str]] = []
    text_variable = model.Text._variable
    number_process = model.Number.process
    substitute_render = model.Substitute.render
    number_tag = f"{{{CSL_NS}}}number"
    text_tag = f"{{{CSL_NS}}}text"

    def _variable(self: Any, item: Any, context: Any) -> Any:
        text = text_variable(self, item, context)
        if collecting and text is not None:
            collecting[-1].add(self.get("variable"))
        return text

    def process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        variable = self.get("variable")
        if context is not None and variable in context.get_layout().repressed.get(number_tag, ()):
            return None
        value = number_process(self, item, context=context, **kwargs)
        if collecting and value is not None:
            collecting[-1].add(variable)
        return value

    def render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        collecting.append(set())
        try:
            text = substitute_render(self, item, context=context, **kwargs)
        finally:
            found = collecting.pop()
        if text and found and context is not None:
            repressed = context.get_layout().repressed
            for tag in (text_tag, number_tag):
                repressed[tag] = [*repressed.get(tag, []), *sorted(found)]
        if collecting:
            collecting[-1].update(found)
        return text

    initialize = model.Name.initialize

    def initialize_unless_false(self: Any, given: str, mark: str, context: Any) -> str:
        # CSL 1.0.1 ``initialize="false"``: keep given names, only normalise the
        # initials already there ("Anil K" -> "Anil K.")
        if str(self.get("initialize", "true")).lower() != "false":
            return str(initialize(self, given, mark, context))
        words = given.split()
        out = []
        for word in words:
            bare = word.rstrip(".")
            out.append(bare + mark.rstrip() if len(bare) == 1 and bare.isupper() else word)
        return " ".join(out)

    get_macro = model.CitationStylesElement.get_macro

    def cached_macro(self: Any, name: str) -> Any:
        # citeproc-py runs an XPath search for every macro call (a third of its time);
        # the macros of a loaded style never change, so each is looked up once
        root = self.get_root()
        cache = getattr(root, "_digestconv_macros", None)
        if cache is None:
            cache = {}
            root._digestconv_macros = cache
        macro = cache.get(name)
        if macro is None:
            macro = cache[name] = get_macro(self, name)
        return macro

    date_part = model.Date_Part.process

    def date_part_process(self: Any, date: Any, context: Any = None) -> Any:
        text = date_part(self, date, context)
        if YEAR_SUFFIX and text and self.get("name") == "year":
            text = f"{text}{YEAR_SUFFIX.pop()}"  # after the first year of the entry only
        return text

    model.Text._variable = _variable
    model.Number.process = process
    model.Date_Part.process = date_part_process
    model.Substitute.render = render
    model.Name.initialize = initialize_unless_false
    model.CitationStylesElement.get_macro = cached_macro
    _PATCHED = True
