"""Query understanding per language: intent words, Korean spellings, Spanish and Japanese words."""
import pytest

from portal.search import lang_ja
from portal.search.analysis import analyzer, terms
from portal.search.engine import Doc, Engine
from portal.search.lang_ko import normalize


def index_terms(an, text):
    """Terms as the index sees them (mode="index": intent words are kept there)."""
    return [t.text for t in an(text, mode="index")]


def test_korean_loanwords_and_synonyms_meet_the_pages_spelling():
    ko = analyzer("ko")
    assert terms(ko, "경로 파라미터") == terms(ko, "경로 매개변수")
    assert terms(ko, "웹소켓") == terms(ko, "WebSocket")
    assert terms(ko, "에러 처리") == terms(ko, "오류 처리")
    assert normalize("바디 파라미터") == "본문 매개변수"
    assert normalize("파일 업로드") == "파일 업로드"


def test_intent_words_are_dropped_from_queries_but_not_from_pages():
    ko, ja, es, en = (analyzer(lang) for lang in ("ko", "ja", "es", "en"))
    assert "방법" not in terms(ko, "파일을 업로드하는 방법")
    assert "방법" in index_terms(ko, "파일을 업로드하는 방법")
    assert "cómo" not in terms(es, "cómo subir un archivo")
    assert terms(en, "can I upload files") == ["upload", "file"]
    if lang_ja.tagger() is not None:
        assert "方法" not in terms(ja, "エラーを処理する方法")


def test_a_query_of_intent_words_only_is_kept():
    assert terms(analyzer("ko"), "방법") == ["방법"]


def test_spanish_stems_and_stem_changing_verbs():
    es = analyzer("es")
    assert terms(es, "archivos") == terms(es, "archivo")
    assert terms(es, "probar") == terms(es, "pruebas")
    assert terms(es, "respuesta") == terms(es, "Response")


@pytest.mark.skipif(lang_ja.tagger() is None, reason="fugashi / unidic-lite not installed")
def test_japanese_words_from_the_dictionary_and_loanword_glosses():
    ja = analyzer("ja")
    assert terms(ja, "エラーを処理する") == ["error", "処理"]
    assert terms(ja, "クッキー") == terms(ja, "Cookie")


@pytest.mark.skipif(lang_ja.tagger() is None, reason="fugashi / unidic-lite not installed")
def test_japanese_katakana_compounds_of_loanwords_are_split():
    ja = analyzer("ja")
    # MeCab keeps the unknown run whole; its known loanwords are what a page writes.
    assert terms(ja, "リクエストヘッダーを読む") == ["request", "header", "読む"]
    assert terms(ja, "レスポンスモデル") == terms(ja, "Response Model")
    assert lang_ja._loanword_compound("ヘッダー") is None  # one loanword: LOANWORDS itself
    assert lang_ja._loanword_compound("ヘッダーボディ") is None  # ボディ is not a loanword
    # A run far longer than any word is left whole (no deep search over page noise).
    assert lang_ja._loanword_compound("ファイル" * 2000) is None
    assert terms(ja, "ファイル" * 2000) == ["file"]


def test_japanese_falls_back_to_bigrams_without_the_dictionary(monkeypatch):
    monkeypatch.setattr(lang_ja, "_tagger", None)
    monkeypatch.setattr(lang_ja, "_missing", True)
    assert terms(analyzer("ja"), "ファイル") == ["ファ", "ァイ", "イル"]


def test_engine_finds_pages_written_the_other_way(tmp_path):
    engine = Engine(tmp_path)
    engine.rebuild([
        Doc("advanced/websockets", "ko", "WebSockets", "# WebSockets\n\nWebSocket 연결을 엽니다.\n"),
        Doc("tutorial/path-params", "ko", "경로 매개변수", "# 경로 매개변수\n\n경로 매개변수를 선언합니다.\n"),
        Doc("advanced/response-cookies", "ja", "レスポンスの Cookie",
            "# レスポンスの Cookie\n\nCookie を設定します。\n"),
        Doc("tutorial/testing", "es", "Pruebas", "# Pruebas\n\nEscribe pruebas con pytest.\n"),
        Doc("tutorial/debugging", "es", "Depuración", "# Depuración\n\nUsa un depurador.\n"),
    ])
    assert engine.search("ko", "웹소켓").hits[0].slug == "advanced/websockets"
    assert engine.search("ko", "경로 파라미터 사용하는 방법").hits[0].slug == "tutorial/path-params"
    assert engine.search("ja", "クッキーを設定する方法").hits[0].slug == "advanced/response-cookies"
    assert engine.search("es", "cómo probar mi aplicación").hits[0].slug == "tutorial/testing"
    engine.close()
