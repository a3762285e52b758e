"""Analyzers: Korean particles, endings and spacing; English stems; query keys group spellings."""
from portal.search.analysis import analyzer, terms
from portal.search.log import query_key


def test_korean_particles_and_endings_are_dropped():
    ko = analyzer("ko")
    assert terms(ko, "파일을") == ["파일"]
    assert terms(ko, "업로드하려면") == ["업로드"]
    assert terms(ko, "yield를 사용하는 의존성")[0] == "yield"


def test_korean_without_spaces_splits_into_words():
    assert terms(analyzer("ko"), "파일업로드") == ["파일", "업로드"]


def test_korean_bigram_analyzer_for_comparison():
    assert terms(analyzer("ko", cjk="bigram"), "파일업로드") == ["파일", "일업", "업로", "로드"]


def test_english_is_stemmed_without_stop_words():
    assert terms(analyzer("en"), "How to upload files") == ["upload", "file"]


def test_japanese_is_split_into_words():  # bigrams without the dictionary: test_languages.py
    assert terms(analyzer("ja"), "ファイルを") in (["file"], ["ファ", "ァイ", "イル", "ルを"])


def test_query_key_groups_korean_spellings():
    keys = {query_key(q, "ko") for q in ("파일 업로드", "파일업로드", "파일을 업로드", " 파일을  업로드 ")}
    assert keys == {"파일 업로드"}


def test_query_key_groups_english_forms_but_not_different_queries():
    assert query_key("Uploading files", "en") == query_key("upload file", "en")
    assert query_key("upload file", "en") != query_key("download file", "en")


def test_query_key_of_only_stop_words_falls_back_to_the_text():
    assert query_key("  The ", "en") == "the"


def test_adjacent_pairs_stay_within_a_line():
    from portal.search.analysis import pairs
    assert pairs(analyzer("en"), "Background tasks\nStatic files") == [
        "background task", "static file"]
    assert pairs(analyzer("ko"), "다중 파일 업로드") == ["다중 파일", "파일 업로드"]
