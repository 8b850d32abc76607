"""``to html``: one self-contained reading page with a formatted reference per paper.

The page has no external asset (styles and script are inline) and works offline
from a file.  Papers travel as one JSON array in a ``<script type="application/json">``
block, one line per paper, and the page's script shows them 50 at a time, so a page
of 10,000 papers opens and filters without freezing the tab.

For each paper: the Chinese and English titles, the one-line summary, the Chinese
abstract with the English one in a ``<details>`` (collapsed), arXiv abs and PDF
links, authors and dates when enriched, the categories, marks for a cut abstract or
translation, and the reference in the chosen CSL style (GB/T 7714 numeric by
default, see :mod:`digestconv.formats._citeproc`) with a copy button.

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
        from ._common import iter_paper_keys
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
        for number, (paper, key) in enumerate(iter_paper_keys(batch.papers), 1):
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
        yield _FOOT


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
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
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


_CSS = """
:root{color-scheme:light dark;--bg:#fdfdfc;--fg:#1d1d1f;--muted:#5a5a63;--card:#fff;
--line:#d9d9de;--accent:#0b57d0;--mark:#fff3c4;--warn:#8a4b00;--warnbg:#fff1dc}
@media (prefers-color-scheme:dark){:root{--bg:#141416;--fg:#ececf0;--muted:#a7a7b2;
--card:#1e1e22;--line:#38383f;--accent:#8ab4f8;--mark:#4a3f10;--warn:#ffcf8a;--warnbg:#3a2a10}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.6 system-ui,-apple-system,
"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5em 1em}
.skip:focus{left:1em;z-index:2}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
.meta,small,.dates,.byline,.also{color:var(--muted)}
#filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end;margin:1rem 0;
padding:1rem;border:1px solid var(--line);border-radius:.5rem;background:var(--card)}
.field{display:flex;flex-direction:column;gap:.25rem;min-width:12rem}
.field:first-child{flex:1 1 20rem}
input,select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);
border-radius:.375rem;padding:.4rem .6rem}
button{cursor:pointer;background:var(--card)}
button:hover{border-color:var(--accent)}
#status{font-weight:600}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem;padding-bottom:.25rem;border-bottom:2px solid var(--line)}
.paper{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;
margin:.75rem 0}
.paper h3{font-size:1.1rem;margin:0}
.en-title{margin:.1rem 0 .5rem;font-style:italic}
.summary{margin:.5rem 0;font-weight:500}
.badge{display:inline-block;font-size:.8rem;padding:0 .4rem;border-radius:.25rem;
background:var(--warnbg);color:var(--warn);margin-left:.25rem}
.cat{display:inline-block;font-size:.8rem;padding:0 .4rem;border:1px solid var(--line);
border-radius:.25rem;margin-right:.25rem}
details{margin:.5rem 0}
summary{cursor:pointer;color:var(--accent)}
.ref{display:flex;gap:.75rem;align-items:flex-start;margin-top:.75rem;padding:.5rem .75rem;
border-left:4px solid var(--line);background:var(--bg)}
.ref p{margin:0;flex:1;overflow-wrap:anywhere}
.links a{margin-right:1rem}
#pager{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1.5rem 0}
footer{padding-bottom:2rem;border-top:1px solid var(--line);margin-top:2rem}
.copied-bar output{display:block;min-height:1.6em;padding:.25rem .5rem;border:1px dashed var(--line);
overflow-wrap:anywhere}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
mark{background:var(--mark);color:inherit}
@media (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var PAGE = %(page)d;
  var papers = JSON.parse(document.getElementById("papers").textContent);
  var files = JSON.parse(document.getElementById("files").textContent);
  var q = document.getElementById("q");
  var cat = document.getElementById("cat");
  var group = document.getElementById("group");
  var list = document.getElementById("list");
  var pager = document.getElementById("pager");
  var status = document.getElementById("status");
  var copied = document.getElementById("copied");
  var results = [];
  var page = 0;
  var haystack = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  // categories with their counts, most used first
  var counts = {};
  papers.forEach(function (p) {
    (p.cat || []).forEach(function (c) { counts[c] = (counts[c] || 0) + 1; });
  });
  Object.keys(counts).sort(function (a, b) {
    return counts[b] - counts[a] || (a < b ? -1 : a > b ? 1 : 0);
  }).forEach(function (c) {
    cat.appendChild(el("option", { value: c }, c + " (" + counts[c] + ")"));
  });

  function text(p) {
    return [p.id, p.t, p.tz, p.s, p.se, p.a, p.az, (p.au || []).join(" "),
      (p.cat || []).join(" ")].join("\n").toLowerCase();
  }

  function fileName(i) { return i === undefined ? "（未列出的文件）" : files[i].path; }
  function month(p) { return p.d ? p.d.slice(0, 7) : "（无日期）"; }
  function groupKey(p) { return group.value === "date" ? month(p) : fileName((p.f || [])[0]); }

  function filter() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var wanted = cat.value;
    if (words.length && haystack === null) { haystack = papers.map(text); }
    results = [];
    for (var i = 0; i < papers.length; i++) {
      var p = papers[i];
      if (wanted && (p.cat || []).indexOf(wanted) < 0) { continue; }
      var ok = true;
      for (var w = 0; w < words.length && ok; w++) { ok = haystack[i].indexOf(words[w]) >= 0; }
      if (ok) { results.push(p); }
    }
    if (group.value === "date") {
      results.sort(function (a, b) {
        var x = a.d || "", y = b.d || "";
        return x < y ? 1 : x > y ? -1 : a.n - b.n;
      });
    } else {
      results.sort(function (a, b) {
        var x = (a.f || [1e9])[0], y = (b.f || [1e9])[0];
        return x - y || a.n - b.n;
      });
    }
    page = 0;
    render();
  }

  function card(p) {
    var art = el("article", { "class": "paper", "aria-labelledby": "t-" + p.n });
    var h = el("h3", { id: "t-" + p.n });
    if (p.tz) { h.textContent = p.tz; } else { h.setAttribute("lang", "en"); h.textContent = p.t || p.id; }
    art.appendChild(h);
    if (p.tz && p.t) { art.appendChild(el("p", { "class": "en-title", lang: "en" }, p.t)); }
    if (p.s) { art.appendChild(el("p", { "class": "summary" }, p.s)); }
    if (p.au && p.au.length) {
      art.appendChild(el("p", { "class": "byline", lang: "en" }, p.au.join(", ")));
    }
    var dates = el("p", { "class": "dates" });
    var bits = [];
    if (p.d) { bits.push((p.d.length > 7 ? "首次提交 " : "首次提交月份 ") + p.d); }
    if (p.up) { bits.push("更新 " + p.up); }
    if (p.v) { bits.push("版本 v" + p.v); }
    dates.appendChild(document.createTextNode(bits.join(" · ") + (bits.length ? " · " : "")));
    (p.cat || []).forEach(function (c) { dates.appendChild(el("span", { "class": "cat", lang: "en" }, c)); });
    art.appendChild(dates);
    if (p.az) {
      var abs = el("p", { "class": "abstract" }, p.az);
      if (p.tt) { abs.appendChild(el("span", { "class": "badge" }, "译文不完整")); }
      art.appendChild(abs);
    }
    if (p.a) {
      var det = el("details");
      var sum = el("summary", null, "英文摘要 ");
      sum.appendChild(el("span", { lang: "en" }, "(English abstract)"));
      if (p.at) { sum.appendChild(el("span", { "class": "badge" }, "摘要被截断")); }
      det.appendChild(sum);
      det.appendChild(el("p", { lang: "en" }, p.a + (p.at ? " […]" : "")));
      art.appendChild(det);
    }
    if (p.id) {
      var links = el("p", { "class": "links", lang: "en" });
      var abs2 = el("a", { href: "https://arxiv.org/abs/" + p.id }, "arXiv:" + p.id);
      var pdf = el("a", { href: "https://arxiv.org/pdf/" + p.id }, "PDF");
      pdf.setAttribute("aria-label", "PDF arXiv:" + p.id);
      links.appendChild(abs2);
      links.appendChild(pdf);
      art.appendChild(links);
    }
    if ((p.f || []).length > 1) {
      art.appendChild(el("p", { "class": "also" }, "也见于：" + p.f.slice(1).map(fileName).join("、")));
    }
    var ref = el("div", { "class": "ref" });
    var refText = el("p", { id: "r-" + p.n, "class": "ref-text" });
    refText.innerHTML = p.r || "";
    var button = el("button", { type: "button", "class": "copy", "data-ref": "r-" + p.n }, "复制引用");
    button.setAttribute("aria-describedby", "t-" + p.n);
    ref.appendChild(refText);
    ref.appendChild(button);
    art.appendChild(ref);
    return art;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(results.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var start = page * PAGE;
    var shown = results.slice(start, start + PAGE);
    var sizes = {};
    results.forEach(function (p) { var k = groupKey(p); sizes[k] = (sizes[k] || 0) + 1; });
    var frag = document.createDocumentFragment();
    var last = null;
    shown.forEach(function (p) {
      var k = groupKey(p);
      if (k !== last) {
        var h2 = el("h2", null, k);
        var fi = (p.f || [])[0];
        if (group.value === "file" && fi !== undefined && files[fi].date) {
          h2.appendChild(document.createTextNode(" · " + files[fi].date));
        }
        h2.appendChild(document.createTextNode("（" + sizes[k] + " 篇）"));
        frag.appendChild(h2);
        last = k;
      }
      frag.appendChild(card(p));
    });
    list.replaceChildren(frag);
    status.textContent = results.length === papers.length
      ? "共 " + papers.length + " 篇论文"
      : "找到 " + results.length + " 篇论文（共 " + papers.length + " 篇）";
    if (results.length > PAGE) {
      status.textContent += "，第 " + (page + 1) + " / " + pages + " 页";
    }
    var nav = document.createDocumentFragment();
    if (results.length > PAGE) {
      var prev = el("button", { type: "button", id: "prev" }, "上一页");
      prev.disabled = page === 0;
      prev.addEventListener("click", function () { go(page - 1); });
      var next = el("button", { type: "button", id: "next" }, "下一页");
      next.disabled = page >= pages - 1;
      next.addEventListener("click", function () { go(page + 1); });
      var label = el("label", { "for": "page" }, "页码");
      var input = el("input", { type: "number", id: "page", min: "1", max: String(pages), value: String(page + 1) });
      input.addEventListener("change", function () { go(parseInt(input.value, 10) - 1); });
      nav.appendChild(prev);
      nav.appendChild(label);
      nav.appendChild(input);
      nav.appendChild(el("span", null, "/ " + pages));
      nav.appendChild(next);
    }
    pager.replaceChildren(nav);
    pager.hidden = results.length <= PAGE;
  }

  function go(n) {
    var pages = Math.max(1, Math.ceil(results.length / PAGE));
    if (isNaN(n)) { return; }
    page = Math.min(Math.max(n, 0), pages - 1);
    render();
    document.getElementById("results").focus();
  }

  function announce(message) { status.textContent = message; }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) { return; }
    var ref = document.getElementById(button.getAttribute("data-ref"));
    var value = ref.textContent;
    copied.textContent = value;
    var done = function () { button.textContent = "已复制"; announce("已复制引用：" + value); };
    var manual = function () {
      var range = document.createRange();
      range.selectNodeContents(ref);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      button.textContent = "已选中";
      announce("已选中引用，请按 Ctrl+C 复制");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value).then(done, manual);
    } else {
      manual();
    }
  });

  var timer = null;
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(filter, 120);
  });
  document.getElementById("filters").addEventListener("submit", function (e) {
    e.preventDefault();
    filter();
  });
  cat.addEventListener("change", filter);
  group.addEventListener("change", filter);
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
    if (e.key === "/" && !typing) { e.preventDefault(); q.focus(); }
    if (e.key === "Escape" && t === q && q.value) { q.value = ""; filter(); }
  });
  filter();
})();
"""

_FOOT = (
    "\n]</script>\n<script>" + _SCRIPT.replace("%(page)d", str(PAGE_SIZE)) + "</script>\n"
    "</body>\n</html>\n"
)
