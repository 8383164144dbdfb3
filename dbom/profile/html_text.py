"""The text of an HTML page, as the content profile counts it: what a reader sees, not the markup.

A crawl's `response` records hold HTML; its words, tokens, languages and personal data are those of the
page's text, as in the WET file a crawler extracts from the same page, not of its tags and scripts. The text
is read with Python's own HTML parser (`html.parser`, lenient with broken markup, no dependency):

- the text nodes of the page, character references decoded (`&amp;` is `&`), comments left out;
- leaving out what is not shown as text: the `<head>` (title, metadata), `<script>`, `<style>`,
  `<noscript>`, `<template>`, `<svg>` and `<math>` elements with all they hold (a `<body>` ends an
  unclosed `<head>`);
- a block element (`<p>`, `<div>`, `<li>`, `<br>`, headings, table rows and cells...) starts a new line;
  in a line, each run of white space is one space, as a browser renders it (in `<pre>` too: a crawl's
  text is counted, not laid out); lines are stripped, empty ones dropped, and joined with `\\n`.

So `<p>One  two</p>\\n<p>three</p>` is `One two\\nthree`. Pure Python: some 40 MB/s of simple HTML on one core,
several times slower than the Rust WARC reader (bench/bench_warc.py: `profile rows` beside `iter_warc_texts`).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HIDDEN = frozenset({"head", "script", "style", "noscript", "template", "svg", "math"})
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul",
})
_SPACE = re.compile("[ \t\n\r\f]+")  # HTML's white space: not U+00A0, `&nbsp;` stays


def html_text(markup: str) -> str:
    """The text of the HTML page `markup`, as the module's docstring says."""
    parser = _TextParser()
    try:
        parser.feed(markup)
        parser.close()
    except AssertionError:  # html.parser's last resort on markup it cannot step over: the text up to there
        pass
    return parser.text()


class _TextParser(HTMLParser):
    """Collects the shown text nodes of a page, a block element cutting a line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: dict[str, int] = {}  # open hidden elements by tag
        self.lines: list[str] = []
        self.line: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.hidden.pop("head", None)
        if tag in _HIDDEN:
            self.hidden[tag] = self.hidden.get(tag, 0) + 1
        elif tag in _BLOCKS:
            self._break()

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """`<![...`: a bogus comment up to the next `>`, as browsers read it in HTML (`<![CDATA[` too).

        The parser's own reading of marked sections (SGML's) fails with AssertionError on `<![x`.
        """
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:  # `<br/>`; a self-closed hidden element holds nothing
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            if self.hidden.get(tag, 0) > 1:
                self.hidden[tag] -= 1
            else:
                self.hidden.pop(tag, None)
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.line.append(data)

    def _break(self) -> None:
        line = _SPACE.sub(" ", "".join(self.line)).strip()
        if line:
            self.lines.append(line)
        self.line = []

    def text(self) -> str:
        """The lines collected, joined with newlines."""
        self._break()
        return "\n".join(self.lines)
