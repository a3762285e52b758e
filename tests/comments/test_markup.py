"""Markdown-lite for comments: markup works, hostile input stays text."""
from portal.comments.markup import mentioned_names, render


def test_bold_italic_code_and_paragraphs():
    html = str(render("**bold** and *it*\n\n`a < b`\nnext"))
    assert html == ("<p><strong>bold</strong> and <em>it</em></p>"
                    "<p><code>a &lt; b</code><br>next</p>")


def test_script_and_event_handlers_are_escaped():
    html = str(render('<script>alert(1)</script> <img src=x onerror="alert(2)">'))
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html


def test_only_safe_links_become_anchors():
    html = str(render("[ok](https://example.com/a_b_c?x=1&y=2) [bad](javascript:alert(1)) "
                      "[data](data:text/html,hi) [local](/en/docs/x)"))
    assert '<a href="https://example.com/a_b_c?x=1&amp;y=2" rel="nofollow ugc noopener">ok</a>' in html
    assert '<a href="/en/docs/x"' in html
    assert "javascript:" in html and 'href="javascript' not in html
    assert 'href="data:' not in html


def test_quotes_cannot_break_out_of_a_link():
    html = str(render('[x](https://e.com/"onmouseover="alert(1))'))
    assert 'onmouseover="' not in html


def test_mentions_are_found_once_each():
    assert mentioned_names("hi @Ann and @bob.lee. and @ann, mail a@b.c") == ["ann", "bob.lee"]
    assert '<span class="mention">@ann</span>' in str(render("hello @ann"))
