"""The text of an HTML page as the content profile counts it: what a reader sees, not the markup."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbom.profile.html_text import html_text


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        # block elements cut lines; inline ones do not; white space runs are one space
        ("<p>One  two\n  <b>three</b></p>\n<p>four</p>", "One two three\nfour"),
        ("<div>a<br>b<br/>c</div><ul><li>x</li><li>y</li></ul>", "a\nb\nc\nx\ny"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1\n2"),
        # the head, scripts, styles and the like are not shown; comments neither
        ("<html><head><title>T</title><meta charset=utf-8></head><body><p>body</p></body></html>", "body"),
        ("<p>a</p><script>var s = '<p>no</p>';</script><style>p{}</style><noscript>no</noscript><p>b</p>", "a\nb"),
        ("<p>a<!-- hidden 10.0.0.1 -->b</p><template><p>no</p></template><svg><text>no</text></svg>", "ab"),
        # a <body> ends a <head> left open; nested hidden elements close one by one
        ("<head><title>T</title><body>shown", "shown"),
        ("<svg><svg></svg>still hidden</svg>shown", "shown"),
        # character references decoded; a no-break space is not white space to collapse
        ("<p>Caf&eacute; &amp; bar&nbsp;&nbsp;x &#8364;5</p>", "Caf\u00e9 & bar\u00a0\u00a0x \u20ac5"),
        # lenient with broken markup and plain text
        ("<p>unclosed <b>bold <i>both", "unclosed bold both"),
        ("just text, no markup", "just text, no markup"),
        # `<![...` is a bogus comment up to `>` (html.parser's own reading fails on `<![x`)
        ("<p>a<![if x]>b<![CDATA[c]]>d<![endif]></p><![;x>e", "abd\ne"),
        ("", ""),
    ],
)
def test_the_shown_text(markup: str, text: str) -> None:
    assert html_text(markup) == text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>!/[]-=\"'&#;:?% \n\tabcpxscriptyleheadbody0123456789")), max_size=60)
       | st.text(max_size=60))
def test_any_markup_gives_text_and_no_error(markup: str) -> None:
    text = html_text(markup)
    assert isinstance(text, str) and not text.startswith((" ", "\n")) and "\n\n" not in text
