(function () {
  "use strict";
  var PAGE = /*PAGE_SIZE*/50;
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
  // the search text of each paper, built in small slices after the first page shows
  var haystack = new Array(papers.length);

  function prepare(start) {
    var end = Math.min(start + 500, papers.length);
    for (var i = start; i < end; i++) {
      if (haystack[i] === undefined) { haystack[i] = text(papers[i]); }
    }
    if (end < papers.length) { setTimeout(function () { prepare(end); }, 0); }
  }

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
    results = [];
    for (var i = 0; i < papers.length; i++) {
      var p = papers[i];
      if (wanted && (p.cat || []).indexOf(wanted) < 0) { continue; }
      var ok = true;
      if (words.length && haystack[i] === undefined) { haystack[i] = text(p); }
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
  setTimeout(function () { prepare(0); }, 0);
})();
