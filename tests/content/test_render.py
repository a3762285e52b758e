"""Rendering: MkDocs-flavoured Markdown to sanitised HTML."""
import re

import pytest

from portal.cache import LRU
from portal.content.render import render_markdown

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "<svg onload=alert(1)><circle/></svg>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<object data=\"x.swf\"></object>",
    "<embed src=\"x.swf\">",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form action=\"https://evil.example\"><button>go</button></form>",
    "<input onfocus=alert(1) autofocus>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<style>body{display:none}</style>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<abbr title=\"x\" onmouseover=alert(1)>HTML</abbr>",
    "<<script>script>alert(1)<</script>/script>",
    "```html\n<script>alert(1)</script>\n```",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
]
DANGEROUS = re.compile(
    r"<\s*(script|iframe|object|embed|style|link|meta|base|form|svg|math)\b"
    r"|\son\w+\s*=|javascript:|data:text/html|style\s*=", re.I)


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_sanitiser_removes_active_content(vector):
    html = render_markdown(f"# Title\n\n{vector}\n", slug="x", lang="en").html
    assert not DANGEROUS.search(html), html


def test_safe_html_is_kept():
    html = render_markdown(
        '<abbr title="HyperText">HTML</abbr>\n\n<details><summary>More</summary>Body</details>\n',
        slug="x").html
    assert '<abbr title="HyperText">HTML</abbr>' in html
    assert "<details>" in html and "<summary>More</summary>" in html


def test_code_is_highlighted_and_escaped():
    html = render_markdown('```python\nprint("<b>")\n```\n', slug="x").html
    assert 'class="highlight"' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_admonitions_both_syntaxes_and_tabs():
    md = ("!!! warning \"Careful\"\n    Old style.\n\n"
          "/// note | Heads up\nNew style.\n///\n\n"
          "//// tab | Python\nPy body\n////\n\n//// tab | Shell\nSh body\n////\n")
    html = render_markdown(md, slug="x").html
    assert 'class="admonition warning"' in html and "Careful" in html
    assert 'class="admonition note"' in html and "Heads up" in html
    assert html.count('class="tabbed-') >= 2 and "Py body" in html and "Sh body" in html
    assert "///" not in html


def test_classic_collapsible_and_tabbed_syntax():
    md = '??? tip "Click me"\n    Hidden.\n\n=== "One"\n    First\n\n=== "Two"\n    Second\n'
    html = render_markdown(md, slug="x").html
    assert "<details" in html and "Click me" in html and "Hidden." in html
    assert "First" in html and "Second" in html and "===" not in html


def test_explicit_heading_ids_and_toc():
    rendered = render_markdown("# Page\n\n## Configure it { #configure }\n\n### Sub\n", slug="x")
    assert 'id="configure"' in rendered.html
    assert "{ #configure }" not in rendered.html
    ids = [h[1] for h in rendered.headings]
    assert "configure" in ids
    assert rendered.toc[0]["id"] == "configure"  # the TOC starts below the page title
    assert rendered.toc[0]["children"][0]["id"] == "sub"


def test_tables_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n", slug="x").html
    assert "<table>" in html and "<td>1</td>" in html


def test_unresolvable_mkdocs_syntax_degrades_to_placeholders():
    md = ("{* ../../docs_src/first_steps/tutorial001.py hl[3] *}\n\n"
          "{% include 'x.md' %}\n\n/// unknownblock | Odd\nstill shown\n///\n\n"
          "![diagram](img/missing.png)\n")
    html = render_markdown(md, slug="tutorial/first-steps", lang="en").html
    assert "{*" not in html and "{%" not in html and "///" not in html
    assert "tutorial001.py" in html  # named in the placeholder, not silently dropped
    assert "still shown" in html
    assert "<img" not in html


def test_an_image_placeholder_keeps_the_text_after_it_and_is_labelled_only_by_alt_text():
    html = render_markdown("before ![](img/a.png) after ![A cat](c.png) end", slug="x",
                           lang="en").html
    assert "before " in html and " after " in html and " end" in html
    # with alt text: an image named by it; without: the file's name as plain text, not an
    # image with an empty name (axe role-img-alt)
    assert '<span aria-label="A cat" class="missing-image" role="img">A cat</span>' in html
    assert '<span class="missing-image no-alt">a.png</span>' in html
    assert 'aria-label=""' not in html


def test_an_image_written_as_html_gets_the_same_placeholder():
    html = render_markdown('a <img src="/img/x.png?v=1"> b <img src="c.png" alt="A cat"> c\n\n'
                           '<img src="border.png" alt="">', slug="x", lang="en").html
    assert "<img" not in html  # it could only show broken: the portal serves no images
    assert 'a <span class="missing-image no-alt">x.png</span> b' in html
    assert '<span aria-label="A cat" class="missing-image" role="img">A cat</span> c' in html
    assert "border.png" not in html  # decorative (alt=""): nothing stands in for it


def test_md_links_become_portal_urls_in_same_language():
    html = render_markdown("[Next](../advanced/index.md#top) [Ext](https://example.com)",
                           slug="tutorial/first-steps", lang="ko", url_prefix="").html
    assert 'href="/ko/docs/advanced/index#top"' in html or 'href="/ko/docs/advanced#top"' in html
    assert 'href="https://example.com"' in html


def test_render_cache_reuses_and_evicts():
    cache = LRU(2)
    calls = []

    def compute(key):
        return lambda: calls.append(key) or key
    assert cache.get("a", compute("a")) == "a"
    assert cache.get("a", compute("a")) == "a"
    assert calls == ["a"]
    cache.get("b", compute("b"))
    cache.get("c", compute("c"))  # evicts the least recently used ("a")
    cache.get("a", compute("a"))
    assert calls == ["a", "b", "c", "a"]
