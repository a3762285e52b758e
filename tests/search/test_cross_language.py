"""When a Korean, Spanish or Japanese search finds nothing: source-language results, did you mean."""
import pytest

from portal.search import spelling


@pytest.mark.parametrize("lang, query, slug", [
    ("es", "security", "tutorial/security"),
    ("ja", "docker", "deployment/docker"),
    ("ko", "notification", "tutorial/background-tasks"),
])
def test_api_offers_source_language_results(client, docs, lang, query, slug):
    body = client.get(f"/api/v1/search?q={query}&lang={lang}").get_json()
    assert body["total"] == 0 and body["results"] == []
    fallback = body["fallback"]
    assert fallback["lang"] == "en" and fallback["total"] >= 1
    assert fallback["results"][0]["slug"] == slug
    assert fallback["results"][0]["url"].startswith(f"/en/docs/{slug}?from_search={body['search_id']}")
    assert fallback["notice"]


def test_no_fallback_when_something_was_found_or_nothing_in_english(client, docs):
    assert client.get("/api/v1/search?q=docker&lang=ko").get_json()["fallback"] is None
    assert client.get("/api/v1/search?q=도커&lang=ko").get_json()["fallback"] is None
    assert client.get("/api/v1/search?q=zebra&lang=es").get_json()["fallback"] is None
    assert client.get("/api/v1/search?q=zebra&lang=en").get_json()["fallback"] is None


def test_results_page_lists_the_source_language_results_with_a_notice(client, docs):
    html = client.get("/ja/search?q=docker").get_data(as_text=True)
    assert 'class="search-fallback"' in html
    assert "/en/docs/deployment/docker?from_search=" in html


def test_korean_did_you_mean(client, docs):
    body = client.get("/api/v1/search?q=업루드&lang=ko").get_json()
    assert body["total"] == 0 and body["suggestion"] == "업로드"
    html = client.get("/ko/search?q=업루드").get_data(as_text=True)
    assert "q=%EC%97%85%EB%A1%9C%EB%93%9C" in html  # a link to 업로드


def test_japanese_correction_by_kana():
    vocabulary = spelling.cjk_vocabulary(["アップロードするファイル", "アップロード", "ドッカー"], "ja")
    assert spelling.correct_cjk(vocabulary, "アップロート", "ja") == "アップロード"
    assert spelling.correct_cjk(vocabulary, "アップロード", "ja") is None
    assert spelling.correct_cjk(vocabulary, "ファイアウォール", "ja") is None


def test_korean_correction_by_jamo():
    vocabulary = spelling.cjk_vocabulary(["파일 업로드", "업로드할 파일", "보안"], "ko")
    assert spelling.correct_cjk(vocabulary, "업루드 방법", "ko") == "업로드 방법"
    assert spelling.correct_cjk(vocabulary, "배포", "ko") is None
