"""The report's key-table pages (painstress.files.write_html_table): every row, escaped,
sortable and searchable by a small inline script, and small enough to e-mail (a page is its
data plus a few kB, not a copy of a table library)."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from painstress.files import write_html_table, write_tsv

HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


def de_like(n: int) -> pd.DataFrame:
    """A table shaped like a DE table: ids, symbols, floats, flags."""
    rng = np.random.default_rng(1)
    return pd.DataFrame({
        "GeneID": np.arange(100_000, 100_000 + n),
        "symbol": [f"Gene{i}" for i in range(n)],
        "log2FoldChange": rng.normal(size=n),
        "pvalue": rng.uniform(size=n),
        "padj": rng.uniform(size=n),
        "sig_modern": rng.uniform(size=n) < 0.1,
    })


class Elements(HTMLParser):
    """Tags and their attributes, in order."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(page: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(page)
    return parser.tags


def rows(page: str) -> list[list[str]]:
    """The cell texts of the table body's rows, in document order."""
    body = page[page.index("<tbody"):page.index("</tbody>")]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>.*?</td>", r)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)]


def test_hostile_text_in_cells_columns_and_title_is_shown_not_run(tmp_path):
    table = pd.DataFrame({HOSTILE: [HOSTILE, "Fos"], "padj": [0.01, 0.2]})
    path = tmp_path / "page.html"
    write_html_table(table, path, f"Title {HOSTILE}")
    page = path.read_text()
    tags = elements(page)
    assert [t for t, _ in tags].count("script") == 1  # ours only
    assert not any(t == "img" or any(k.startswith("on") for k in a) for t, a in tags)
    assert html.escape(HOSTILE) in page
    assert rows(page)[0][0] == HOSTILE  # the text itself is shown
    assert not list(tmp_path.glob(".*part"))  # written atomically


def test_every_row_with_numbers_to_four_digits_and_empty_missing_cells(tmp_path):
    table = pd.DataFrame({"symbol": ["A", None] + [f"G{i}" for i in range(1200)],
                          "padj": [1.23456e-7, np.nan] + [0.5] * 1200,
                          "n": [3, 4] + [5] * 1200})
    path = tmp_path / "page.html"
    write_html_table(table, path, "t")
    cells = rows(path.read_text())
    assert len(cells) == 1202 and cells[-1] == ["G1199", "0.5", "5"]
    assert cells[0] == ["A", "1.235e-07", "3"] and cells[1] == ["", "", "4"]


def test_sorting_and_search_markup(tmp_path):
    path = tmp_path / "page.html"
    write_html_table(de_like(5), path, "t")
    tags = elements(path.read_text())
    heads = [a for t, a in tags if t == "th"]
    assert len(heads) == 6 and sum(t == "button" for t, _ in tags) == 6  # every column sorts
    # numeric columns sort as numbers; text and flag columns as text
    assert [a.get("data-type") for a in heads] == [
        "num", None, "num", "num", "num", None]
    assert ("input", {"type": "search", "id": "search", "placeholder": "Search",
                      "aria-label": "Search the table"}) in tags
    assert not any(t == "script" and "src" in a for t, a in tags)  # nothing from the network


def test_page_is_its_data_plus_a_few_kilobytes(tmp_path):
    """The fixed part (style and script) is a few kB, and each row costs a small multiple of
    its TSV bytes (markup of 10-20 bytes a cell): a report with many table pages stays
    small."""
    empty, full = tmp_path / "empty.html", tmp_path / "full.html"
    write_html_table(de_like(0), empty, "t")
    write_html_table(de_like(2000), full, "t")
    write_tsv(de_like(2000), tmp_path / "full.tsv")
    assert empty.stat().st_size < 6_000
    per_data = (full.stat().st_size - empty.stat().st_size) / (tmp_path / "full.tsv").stat().st_size
    assert per_data < 3.5, per_data


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")
def test_sorts_and_searches_in_a_browser(tmp_path):
    """The page's script run by a real browser: a click on a column name sorts by it (numbers
    as numbers, empty cells last; a second click reverses), the search box hides rows without
    every word, and the row count follows."""
    table = pd.DataFrame({"symbol": ["b", "a", "c", "d"], "padj": [0.5, 10.0, np.nan, 2.0]})
    path = tmp_path / "page.html"
    write_html_table(table, path, "t")
    clicks = """<script>
    var buttons = document.querySelectorAll("th button");
    buttons[1].click();
    document.body.setAttribute("data-up", Array.from(document.querySelectorAll("tbody tr"),
        function (r) { return r.cells[0].textContent; }).join(","));
    buttons[1].click();
    document.body.setAttribute("data-down", Array.from(document.querySelectorAll("tbody tr"),
        function (r) { return r.cells[0].textContent; }).join(","));
    var search = document.getElementById("search");
    search.value = "A 10";
    search.dispatchEvent(new Event("input"));
    </script></body>"""
    path.write_text(path.read_text().replace("</body>", clicks))
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    assert 'data-up="b,d,a,c"' in dom  # 0.5 < 2 < 10 (not "10" < "2"), empty last
    assert 'data-down="a,d,b,c"' in dom  # reversed, empty still last
    assert ">1 of 4 rows<" in dom
    hidden = re.findall(r"<tr( hidden=\"\")?><td>(\w)</td>", dom)
    assert sorted(name for flag, name in hidden if not flag) == ["a"]
