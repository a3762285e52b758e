"""The engine on its own: finding pages in four languages, typos, snippets, removal."""
import pytest
from markupsafe import Markup

from portal.search.engine import Doc, Engine
from tests.search.conftest import DOCS, slugs


def _docs():
    for path, markdown in DOCS.items():
        lang, rest = path.split("/", 1)
        slug = rest[:-3]
        yield Doc(slug=slug, lang=lang, title=markdown.splitlines()[0][2:], markdown=markdown,
                  section=slug.rsplit("/", 1)[0] if "/" in slug else "")


@pytest.fixture
def engine(tmp_path):
    engine = Engine(tmp_path / "search")
    engine.rebuild(list(_docs()), langs=("en", "ko", "es", "ja"))
    yield engine
    engine.close()


@pytest.mark.parametrize("query", ["파일을 업로드하는 방법", "업로드하려면", "파일업로드", "파일 업로드"])
def test_korean_particles_endings_and_spacing_find_the_page(engine, query):
    assert slugs(engine.search("ko", query))[0] == "tutorial/request-files"


def test_korean_compound_without_spaces(engine):
    assert slugs(engine.search("ko", "비밀번호해싱"))[0] == "tutorial/security"
    assert slugs(engine.search("ko", "도커로배포"))[0] == "deployment/docker"


def test_mixed_hangul_and_latin(engine):
    assert slugs(engine.search("ko", "JWT 토큰으로 인증하기"))[0] == "tutorial/security"


@pytest.mark.parametrize("query, slug", [("uplaod", "tutorial/request-files"),
                                         ("file uplaod", "tutorial/request-files"),
                                         ("authentcation", "tutorial/security")])
def test_english_typos_still_find_the_page(engine, query, slug):
    result = engine.search("en", query)
    assert slugs(result)[0] == slug
    assert result.suggestion and "uplaod" not in result.suggestion
    assert "authentcation" not in result.suggestion


def test_correct_spelling_gets_no_suggestion(engine):
    assert engine.search("en", "upload").suggestion is None


def test_japanese_and_spanish_work(engine):
    assert slugs(engine.search("ja", "アップロード"))[0] == "tutorial/request-files"
    assert slugs(engine.search("es", "configuraciones"))[0] == "tutorial/request-files"


def test_snippet_highlights_and_escapes(engine, tmp_path):
    engine.add([Doc(slug="xss", lang="en", title="Script <b>page</b>",
                    markdown="# Script\n\nThe <script>alert(1)</script> upload example & more.\n")])
    hit = next(h for h in engine.search("en", "upload example").hits if h.slug == "xss")
    assert isinstance(hit.snippet, Markup)
    assert "<script>" not in hit.snippet
    assert "<mark>upload</mark>" in hit.snippet
    assert "&amp;" in hit.snippet


def test_remove_and_replace(engine):
    engine.remove("tutorial/background-tasks", "en")
    assert "tutorial/background-tasks" not in slugs(engine.search("en", "background tasks"))
    engine.add([Doc(slug="tutorial/request-files", lang="en", title="Request Files",
                    markdown="# Request Files\n\nNothing about the old topic.\n")])
    assert slugs(engine.search("en", "multiple uploads")) == []


def test_paging_sections_and_totals(engine):
    everything = engine.search("en", "file upload docker", limit=50, with_sections=True)
    first = engine.search("en", "file upload docker", limit=1)
    second = engine.search("en", "file upload docker", limit=1, offset=1)
    assert first.total == everything.total >= 2
    assert slugs(first) + slugs(second) == slugs(everything)[:2]
    assert everything.sections["tutorial"] >= 1 and everything.sections["deployment"] == 1
    only = engine.search("en", "file upload docker", section="deployment")
    assert slugs(only) == ["deployment/docker"] and only.total == 1


def test_prefix_suggestions_complete_the_last_word(engine):
    hits = engine.search("en", "backgr", prefix=True, with_snippets=False).hits
    assert hits and hits[0].slug == "tutorial/background-tasks"


def test_missing_index_answers_empty(tmp_path):
    result = Engine(tmp_path / "none").search("en", "anything")
    assert result.total == 0 and result.hits == []


def test_rebuild_is_seen_by_an_open_searcher(engine):
    assert slugs(engine.search("en", "docker"))[0] == "deployment/docker"
    engine.rebuild([Doc(slug="other", lang="en", title="Other", markdown="# Other\n\nDocker.\n")])
    assert slugs(engine.search("en", "docker")) == ["other"]
