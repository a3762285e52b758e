"""The JSON API, suggestions and the results page."""
import re

import pytest

from portal.extensions import db
from portal.search.models import SearchLog

SESSION = "3f9c0e7a1b2d4c5e8f9a0b1c2d3e4f50"


def test_api_answers_the_documented_shape(client, docs):
    r = client.get(f"/api/v1/search?q=uplaod&lang=en&limit=2&session={SESSION}")
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"query", "lang", "total", "search_id", "suggestion", "results", "fallback"}
    assert body["query"] == "uplaod" and body["lang"] == "en" and body["suggestion"] == "upload"
    first = body["results"][0]
    assert {"slug", "title", "url", "snippet", "score", "section"} <= set(first)
    assert first["slug"] == "tutorial/request-files"
    assert first["url"] == f"/en/docs/tutorial/request-files?from_search={body['search_id']}&rank=1"
    entry = db.session.get(SearchLog, body["search_id"])
    assert (entry.query, entry.lang, entry.results, entry.session) == (
        "uplaod", "en", body["total"], SESSION)


def test_api_limit_and_default_language(client, docs):
    body = client.get("/api/v1/search?q=file&limit=1").get_json()
    assert body["lang"] == "en" and len(body["results"]) == 1


@pytest.mark.parametrize("query, status, words", [
    ("", 400, "q parameter"),
    ("q=%20%20", 400, "q parameter"),
    ("q=" + "x" * 201, 400, "too long"),
    ("q=file&lang=xx", 422, "Unknown language"),
    ("q=file&limit=0", 400, "limit"),
    ("q=file&limit=51", 400, "limit"),
    ("q=file&limit=ten", 400, "limit"),
])
def test_api_rejects_bad_input_with_a_message(client, docs, query, status, words):
    r = client.get("/api/v1/search?" + query)
    assert r.status_code == status
    assert words in r.get_json()["error"]
    assert db.session.query(SearchLog).count() == 0


def test_suggest_is_not_logged(client, docs):
    body = client.get("/api/v1/search/suggest?q=backgr&lang=en").get_json()
    assert body["suggestions"][0]["slug"] == "tutorial/background-tasks"
    assert body["suggestions"][0]["url"] == "/en/docs/tutorial/background-tasks"
    assert db.session.query(SearchLog).count() == 0


def test_results_page_lists_hits_with_snippets_and_tracking_links(client, docs):
    html = client.get("/ko/search?q=파일을 업로드").get_data(as_text=True)
    entry = db.session.query(SearchLog).one()
    assert entry.query == "파일을 업로드" and entry.session is None
    assert f'href="/ko/docs/tutorial/request-files?from_search={entry.id}&amp;rank=1"' in html
    assert "<mark>업로드</mark>" in html
    assert 'class="search-count"' in html


def test_results_page_escapes_the_query(client, docs):
    html = client.get('/en/search?q=<script>alert("x")</script> upload').get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_results_page_did_you_mean(client, docs):
    html = client.get("/en/search?q=uplaod").get_data(as_text=True)
    assert "Did you mean" in html and 'href="/en/search?q=upload"' in html


def test_results_paging_reuses_the_search(client, make_docs, import_docs):
    import_docs(make_docs({f"en/page-{i:02d}.md": f"# Page {i}\n\nCommon word widget.\n"
                           for i in range(23)}))
    first = client.get("/en/search?q=widget").get_data(as_text=True)
    assert "23 results" in first and "Page 1 of 3" in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    third = client.get(next_link.replace("page=2", "page=3")).get_data(as_text=True)
    assert "Page 3 of 3" in third and third.count('class="search-result"') == 3
    assert 'start="21"' in third and "rank=21" in third
    assert db.session.query(SearchLog).count() == 1


def test_section_filter(client, docs):
    html = client.get("/en/search?q=docker upload&section=deployment").get_data(as_text=True)
    assert "/en/docs/deployment/docker" in html and "/en/docs/tutorial/request-files" not in html
    assert "Show all sections" in html


def test_empty_state_offers_source_language_and_popular_pages(client, docs):
    # Korean pages are checked by structure: their UI strings get translated.
    html = client.get("/ko/search?q=notification").get_data(as_text=True)
    assert 'class="search-empty"' in html and '<ol class="search-results" start=' not in html
    assert 'href="/en/search?q=notification"' in html
    assert 'class="search-fallback"' in html  # the English results themselves, with a notice
    assert 'class="search-popular"' in html and "/ko/docs/tutorial/request-files" in html
    english = client.get("/en/search?q=zebra").get_data(as_text=True)
    assert "No pages match" in english and "Popular pages" in english
    assert db.session.query(SearchLog).filter_by(results=0).count() == 2


def test_search_page_without_query_shows_the_form(client, docs):
    r = client.get("/en/search")
    assert r.status_code == 200
    assert 'id="search-q"' in r.get_data(as_text=True)
    assert db.session.query(SearchLog).count() == 0


def test_unknown_language_search_page_is_404(client, docs):
    assert client.get("/xx/search?q=file").status_code == 404


def test_results_page_switches_language_keeping_the_query(client, docs):
    html = client.get("/ko/search?q=%ED%8C%8C%EC%9D%BC").get_data(as_text=True)
    switcher = html[html.index('class="lang-switcher"'):]
    assert 'href="/en/search?q=%ED%8C%8C%EC%9D%BC"' in switcher
    assert 'aria-current="true">한국어' in switcher
