"""Snippets: the fast matcher finds what the word-start regex finds, and windows pick the
passage with the most distinct terms."""
import pytest

from portal.search import snippets
from portal.search.snippets import _matches, _regex_matches, snippet

TEXTS = [
    "Upload files: uploading a File uses UploadFile. Reupload is not an upload word start.",
    "파일을 업로드하려면 파일 업로드 예제를 보세요. 다중파일업로드도 됩니다.",
    "ファイルをアップロードするにはFileを使います。",
    "path params and path_params, Path(), query parameters; pathological.",
    "İstanbul Upload",  # lower-casing changes the length: the regex path
]
MARKS = [{"upload", "file"}, {"파일", "업로드"}, {"ファイル", "アップロード"},
         {"path", "param", "query"}, {"x", "upload"}, {"uploadfil", "upload"}]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("marks", MARKS)
def test_fast_matches_equal_the_regex(text, marks):
    assert _matches(text, marks) == _regex_matches(text[:snippets.MAX_SCAN], marks)


def test_word_start_only_for_latin_anywhere_for_cjk():
    text = "reupload upload 다중파일"
    found = [text[a:b] for a, b in _matches(text, {"upload", "파일"})]
    assert found == ["upload", "파일"]


def test_window_prefers_the_passage_with_more_distinct_terms():
    text = ("token " * 30) + "filler " * 40 + "oauth2 password token hashing " + "end " * 60
    html = snippet(text, {"token", "oauth2", "password", "hash"})
    assert "<mark>oauth2</mark> <mark>password</mark> <mark>token</mark>" in html
    assert "<mark>hashing</mark>" in html


def test_snippet_without_matches_starts_at_the_top():
    assert snippet("alpha beta gamma", {"zeta"}) == "alpha beta gamma"
