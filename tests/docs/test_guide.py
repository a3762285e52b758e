"""The user guide in docs/: same pages in English and Korean, all render, links resolve."""
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"


def _slugs(lang):
    return {p.relative_to(DOCS / lang).with_suffix("").as_posix() for p in (DOCS / lang).rglob("*.md")}


def _h2_ids(text):
    return re.findall(r"^##+ .*\{ #([\w-]+) \}\s*$", text, re.M)


@pytest.fixture
def guide(import_docs):
    return import_docs(DOCS, mkdocs=True)


def test_english_and_korean_have_the_same_pages():
    assert len(_slugs("en")) >= 12
    assert _slugs("en") == _slugs("ko")


@pytest.mark.parametrize("slug", sorted(_slugs("en")))
def test_headings_have_the_same_ids_in_both_languages(slug):
    en = _h2_ids((DOCS / "en" / f"{slug}.md").read_text(encoding="utf-8"))
    ko = _h2_ids((DOCS / "ko" / f"{slug}.md").read_text(encoding="utf-8"))
    assert en and en == ko


def test_every_page_renders_with_title_and_working_links(client, guide):
    for lang in ("en", "ko"):
        for slug in sorted(_slugs(lang)):
            response = client.get(f"/{lang}/docs/{slug}")
            assert response.status_code == 200, (lang, slug)
            html = response.get_data(as_text=True)
            assert f'<html lang="{lang}"' in html
            assert "notice-fallback" not in html, (lang, slug)
            other = "ko" if lang == "en" else "en"
            assert f'hreflang="{other}" href="http://localhost/{other}/docs/{slug}"' in html or \
                f'hreflang="{other}" href="/{other}/docs/{slug}"' in html, (lang, slug)
            body = html.split('class="doc-body"', 1)[1].split("</article>", 1)[0]
            for href in re.findall(r'href="(/[a-z]{2}/docs/[^"#?]+)(?:#([\w-]+))?"', body):
                target = client.get(href[0])
                assert target.status_code == 200, (lang, slug, href)
                if href[1]:
                    assert f'id="{href[1]}"' in target.get_data(as_text=True), (lang, slug, href)
            prose = re.sub(r"<code>.*?</code>|<pre.*?</pre>", "", body, flags=re.S)
            assert "{*" not in prose and "{%" not in prose and "///" not in prose, (lang, slug)


def test_navigation_follows_mkdocs_order(client, guide):
    html = client.get("/ko/").get_data(as_text=True)
    order = [s for s in re.findall(r'href="/ko/docs/([\w-]+)"', html)]
    assert order.index("getting-started") < order.index("reading") < order.index("cli")
