"""Spelling correction leaves tokens that hold digits alone, so they can be found."""
import pytest

from portal.search import spelling
from portal.search.engine import Doc, Engine

LANGS = ("en", "ko", "es", "ja")
TOKEN = "nodeword3f9a1b2c3d"


@pytest.fixture
def engine(tmp_path):
    engine = Engine(tmp_path / "search")
    docs = [Doc(slug="marked", lang=lang, title="Some page",
                markdown=f"# Some page\n\nThe marker {TOKEN} appears here, with oauth2.\n")
            for lang in LANGS]
    docs += [Doc(slug="other", lang=lang, title="Nodes",
                 markdown="# Nodes\n\nA node holds words, and sha256 sums.\n") for lang in LANGS]
    engine.rebuild(docs)
    yield engine
    engine.close()


@pytest.mark.parametrize("lang", LANGS)
def test_a_long_alphanumeric_token_is_found(engine, lang):
    # The letters before the digits (`nodeword`) used to be "corrected" into the whole
    # token, which searched for `nodeword3f9a1b2c3d3f9a1b2c3d` and found nothing.
    result = engine.search(lang, TOKEN)
    assert [hit.slug for hit in result.hits] == ["marked"]
    assert result.suggestion is None


@pytest.mark.parametrize("text", ["oauth2", "sha256 sums", f"marker {TOKEN}"])
def test_tokens_with_digits_get_no_correction(engine, text):
    assert engine.search("en", text).suggestion is None


def test_a_misspelt_word_beside_a_token_with_digits_is_still_corrected(engine):
    result = engine.search("en", "oauth2 markr")
    assert result.suggestion == "oauth2 marker"
    assert [hit.slug for hit in result.hits][0] == "marked"


@pytest.mark.parametrize("text, words", [
    ("nodeword3f9a1b2c3d", []), ("oauth2 uplaod", ["uplaod"]), ("file_uplaod", ["file", "uplaod"]),
    ("3dmodel", []), ("uplaod,file", ["uplaod", "file"])])
def test_words_looked_at_for_correction(text, words):
    assert spelling.WORD.findall(text) == words
