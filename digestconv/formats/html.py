"""``to html``: one self-contained reading page with a formatted reference per paper.

The page has no external asset (styles and script are inline) and works offline
from a file.  Papers travel as one JSON array in a ``<script type="application/json">``
block, one line per paper, and the page's script shows them 50 at a time, so a page
of 10,000 papers opens and filters without freezing the tab.

For each paper: the Chinese and English titles, the one-line summary, the Chinese
abstract with the English one in a ``<details>`` (collapsed), arXiv abs and PDF
links, authors and dates when enriched, the categories, marks for a cut abstract or
translation, and the reference in the chosen CSL style (GB/T 7714 numeric by
default, see :mod:`digestconv.formats._styles`) with a copy button.

Above the list: a search box (every word must appear, in any field: titles, summaries,
abstracts, authors, identifier), a category filter, and grouping by digest file (in
input order) or by month of first submission (newest first).  Results are counted
in a live region.

Accessibility: ``header``/``main``/``nav``/``footer`` landmarks, a skip link, labels on
every control, headings (page, group, paper), native buttons and ``details`` for
keyboard use, ``/`` to focus the search box, ``lang="zh"`` on the page and
``lang="en"`` on English text; light and dark colours follow the system setting.

Output is deterministic: no clock, the same batch gives the same bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any, ClassVar

from ..data import read_text
from .base import Batch
from .bibtex import TRUNCATION_MARKER
from .text import References

#: papers shown per page by the page's script
PAGE_SIZE = 50


def _json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _date_in_name(path: str) -> str | None:
    """A ``YYYY-MM-DD`` (or ``YYYYMMDD``) date in a file's name, else ``None``."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    digits = ""
    for i, ch in enumerate(name + " "):
        if ch.isdigit() and ch.isascii():
            digits += ch
            continue
        if ch == "-" and len(digits) in (4, 6) and name[i + 1 : i + 2].isdigit():
            continue
        if len(digits) == 8 and digits[:2] in ("19", "20"):
            month, day = int(digits[4:6]), int(digits[6:8])
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
        digits = ""
    return None


def _name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    parts = [name.get("given"), name.get("family"), name.get("suffix")]
    return " ".join(p for p in parts if p)


class Html(References):
    """A self-contained, searchable reading page with formatted references."""

    name: ClassVar[str] = "html"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm")
    aliases: ClassVar[tuple[str, ...]] = ("page",)
    media_type: ClassVar[str] = "text/html; charset=utf-8"
    description: ClassVar[str] = "reading page: search, categories, references to copy"
    output: ClassVar[str] = "html"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """The page head, one JSON line per paper, then the page's script."""
        from ._common import keyed
        from .csljson import item

        renderer = self.renderer()
        files: list[dict[str, Any]] = []
        where: dict[str, list[int]] = {}
        for index, source in enumerate(batch.sources):
            files.append({"path": source.path, "date": _date_in_name(source.path)})
            for paper in source.papers:
                if paper.arxiv_id is not None:
                    places = where.setdefault(paper.arxiv_id, [])
                    if not places or places[-1] != index:
                        places.append(index)
        yield _head(batch, renderer, files)
        first = True
        for number, (paper, key) in enumerate(keyed(batch.papers), 1):
            record = batch.record(paper)
            csl = item(paper, key, record)
            abstract = csl.get("abstract")
            cut = False
            if abstract is not None and abstract.endswith(TRUNCATION_MARKER):
                abstract, cut = abstract[: -len(TRUNCATION_MARKER)], True
            entry: dict[str, Any] = {
                "id": paper.arxiv_id,
                "n": number,
                "v": csl.get("version"),
                "t": csl.get("title"),
                "tz": paper.title_zh,
                "s": paper.summary_zh,
                "se": paper.summary_en,
                "a": abstract,
                "az": paper.abstract_zh,
                "at": cut,
                "tt": paper.translation_truncated,
                "cat": list(record.categories)
                if record is not None and record.categories
                else ([paper.primary_category] if paper.primary_category else []),
                "f": where.get(paper.arxiv_id or "", []),
                "d": "-".join(f"{x:02d}" for x in csl["issued"]["date-parts"][0])
                if "issued" in csl
                else None,
                "au": [_name(n) for n in csl.get("author", [])],
                "up": (record.updated or "")[:10] or None if record is not None else None,
                "u": csl.get("URL"),
                "r": renderer.render(csl, number),
            }
            line = _json({k: v for k, v in entry.items() if v not in (None, [], "", False)})
            yield ("" if first else ",\n") + line
            first = False
        yield _foot()


def _head(batch: Batch, renderer: Any, files: list[dict[str, Any]]) -> str:
    title = html.escape(batch.title)
    count = len(batch.papers)  # type: ignore[arg-type]
    style = html.escape(renderer.title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        '<meta name="generator" content="digestconv">\n'
        f"<title>{title}</title>\n<style>\n{read_text('page.css')}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#results">跳到论文列表</a>\n'
        "<header>\n"
        f"<h1>{title}</h1>\n"
        f'<p class="meta"><span id="total">{count}</span> 篇论文 · {len(files)} 个文件 · '
        f'引用格式：<span lang="en">{style}</span> ({html.escape(renderer.locale)})</p>\n'
        '<form id="filters" role="search" aria-label="筛选论文">\n'
        '<div class="field"><label for="q">搜索（标题、摘要、作者、编号）</label>\n'
        '<input type="search" id="q" name="q" autocomplete="off" '
        'aria-describedby="q-hint" placeholder="例如：causal 因果">\n'
        '<small id="q-hint">按 / 键跳到此处；多个词须同时出现。</small></div>\n'
        '<div class="field"><label for="cat">分类</label>\n'
        '<select id="cat" name="cat"><option value="">全部分类</option></select></div>\n'
        '<div class="field"><label for="group">分组</label>\n'
        '<select id="group" name="group"><option value="file">按文件</option>'
        '<option value="date">按首次提交月份</option></select></div>\n'
        "</form>\n</header>\n"
        '<main id="results" tabindex="-1">\n'
        '<p id="status" role="status" aria-live="polite" aria-atomic="true"></p>\n'
        "<noscript><p>此页面需要 JavaScript 才能显示论文列表。</p></noscript>\n"
        '<div id="list"></div>\n'
        '<nav id="pager" aria-label="分页"></nav>\n'
        "</main>\n"
        '<footer>\n<p class="copied-bar"><label for="copied">最近复制的引用</label>\n'
        '<output id="copied" for="list" aria-live="polite"></output></p>\n'
        "<p>由 digestconv 生成 · 引用由 citeproc-py 按 CSL 样式排版。</p>\n</footer>\n"
        f'<script type="application/json" id="files">{_json(files)}</script>\n'
        '<script type="application/json" id="papers">[\n'
    )


def _foot() -> str:
    script = read_text("page.js").replace("/*PAGE_SIZE*/50", str(PAGE_SIZE))
    return f"\n]</script>\n<script>\n{script}</script>\n</body>\n</html>\n"
