"""Reader pages: language negotiation, switcher, fallback, hreflang, 404."""
import re

import pytest

GUIDE = {
    "en/index.md": "---\ntitle: Welcome\n---\n# Welcome\n\nStart [here](guide/install.md#configure).\n",
    "en/guide/install.md": "# Install\n\nIntro.\n\n## Configure\n\nSet things.\n",
    "en/guide/only-english.md": "# Only English\n\nNo translation yet.\n",
    "ko/index.md": "# 환영합니다\n\n[설치](guide/install.md)부터 시작하세요.\n",
    "ko/guide/install.md": "# 설치\n\n소개.\n\n## 설정 { #configure }\n\n설정합니다.\n",
}


@pytest.fixture
def guide(make_docs, import_docs):
    return import_docs(make_docs(GUIDE))


def test_root_negotiates_language(client, guide):
    assert client.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).location.endswith("/ko/")
    assert client.get("/", headers={"Accept-Language": "en-US"}).location.endswith("/en/")
    assert client.get("/", headers={"Accept-Language": "fr"}).location.endswith("/en/")


@pytest.mark.parametrize("url", ["/ko/docs/", "/ko/docs"])
def test_the_docs_folder_leads_to_the_docs_home(client, guide, url):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/ko/"
    assert "환영합니다" in response.get_data(as_text=True)
    assert client.get("/xx/docs/").status_code == 404  # not a language of the site


def test_page_links_to_every_translation_with_hreflang(client, guide):
    html = client.get("/ko/docs/guide/install").get_data(as_text=True)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', html))
    assert alternates["en"].endswith("/en/docs/guide/install")
    assert alternates["ko"].endswith("/ko/docs/guide/install")
    assert "x-default" in alternates
    assert '<html lang="ko"' in html


def test_switcher_keeps_the_page(client, guide):
    html = client.get("/ko/docs/guide/install").get_data(as_text=True)
    assert re.search(r'<a data-keep-hash hreflang="en"[^>]*\s+href="/en/docs/guide/install"', html)


def test_missing_translation_falls_back_with_translated_notice(client, guide):
    response = client.get("/ko/docs/guide/only-english")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Only English" in html
    assert 'class="notice notice-fallback"' in html
    assert "not translated" not in html.split("notice-fallback")[1].split("</aside>")[0]


def test_links_to_md_files_become_portal_urls_in_same_language(client, guide):
    html = client.get("/ko/").get_data(as_text=True)
    assert 'href="/ko/docs/guide/install"' in html
    html = client.get("/en/").get_data(as_text=True)
    assert 'href="/en/docs/guide/install#configure"' in html


def test_unknown_page_and_language_give_404(client, guide):
    assert client.get("/ko/docs/nope").status_code == 404
    assert client.get("/xx/docs/guide/install").status_code == 404


def test_breadcrumbs_toc_and_pager(client, make_docs, import_docs):
    import_docs(make_docs({
        "en/index.md": "# Welcome\n",
        "en/guide/index.md": "# Guide\n",
        "en/guide/install.md": "# Install\n\n## Download\n\n### Mirrors\n\n## Configure\n",
        "en/guide/upgrade.md": "# Upgrade\n",
    }))
    html = client.get("/en/docs/guide/install").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert crumbs, "no breadcrumb trail"
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs.group(1)) == [
        ("/en/", "Home"), ("/en/docs/guide/index", "Guide")]
    toc = re.search(r'<nav class="toc"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [
        ("download", "Download"), ("mirrors", "Mirrors"), ("configure", "Configure")]
    assert all(f'id="{anchor}"' in html for anchor in ("download", "mirrors", "configure"))
    pager = dict((rel, href) for rel, href in re.findall(
        r'<a class="(?:prev|next)" rel="(prev|next)" href="([^"]+)"', html))
    assert pager == {"prev": "/en/docs/guide/index", "next": "/en/docs/guide/upgrade"}


def test_security_headers_forbid_inline_scripts(client, guide):
    response = client.get("/en/docs/guide/install")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.get_data(as_text=True)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_static_files_are_linked_by_content_hash_and_cached_for_good(client, guide, app):
    import hashlib
    import re
    html = client.get("/en/docs/guide/install").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"', html)
    assert {path.rsplit("/", 1)[1] for path, _ in links} >= {"site.css", "beacon.js"}
    for path, version in links:
        body = (app.static_folder + path.removeprefix("/static")).replace("//", "/")
        with open(body, "rb") as fh:
            assert version == hashlib.sha256(fh.read()).hexdigest()[:12], path
        with client.get(f"{path}?v={version}") as response:
            assert response.status_code == 200
            assert "immutable" in response.headers["Cache-Control"]
    with client.get(links[0][0] + "?v=000000000000") as stale:
        assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
