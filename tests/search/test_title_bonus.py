"""The title bonus reads title terms from the title field's postings: same ranking as
analysing each candidate's stored title, including titles holding query-only intent words."""
import pytest

from portal.search import ranking
from portal.search.analysis import terms
from portal.search.engine import Doc, Engine

TITLES = {
    "en": ["Upload files", "Request files", "Possible ways to deploy", "Deploy with Docker",
           "Security and passwords", "Files and forms"],
    "ko": ["파일 업로드", "파일 업로드하는 방법", "도커로 배포", "비밀번호 해싱 가능", "양식과 파일"],
    "es": ["Subir archivos", "Cómo hacer - Recetas", "Desplegar con Docker", "Archivos y formularios"],
}
QUERIES = {"en": ["upload files", "deploy", "possible way to deploy", "files"],
           "ko": ["파일 업로드", "업로드하는 방법", "배포", "방법", "비밀번호 해싱"],
           "es": ["subir archivos", "cómo hacer", "recetas", "docker"]}


@pytest.fixture
def engine(tmp_path):
    engine = Engine(tmp_path / "search")
    docs = [Doc(slug=f"page-{i}", lang=lang, title=title, section="",
                markdown=f"# {title}\n\n{title} {' '.join(titles)} text.\n")
            for lang, titles in TITLES.items() for i, title in enumerate(titles)]
    engine.rebuild(docs, langs=("en", "ko", "es"))
    yield engine
    engine.close()


def _ranked(engine, lang, monkeypatch, stored):
    if stored:
        monkeypatch.setattr(ranking, "_title_index", lambda scorer, field, an: None)
    else:
        monkeypatch.undo()
    return {q: [(h.slug, h.score) for h in engine.search(lang, q, limit=20).hits]
            for q in QUERIES[lang]}


@pytest.mark.parametrize("lang", ["en", "ko", "es"])
def test_postings_give_the_same_ranking_as_stored_titles(engine, lang, monkeypatch):
    from_postings = _ranked(engine, lang, monkeypatch, stored=False)
    from_stored = _ranked(engine, lang, monkeypatch, stored=True)
    assert any(from_postings.values())
    assert from_postings == from_stored


@pytest.mark.parametrize("lang", ["en", "ko", "es"])
def test_title_terms_match_the_query_side_analysis(engine, lang):
    searcher, scorer = engine.searcher(lang)
    an = engine.analyzer(lang, ngram=(lang == "ko"))
    field = ranking._title_field(scorer, an)
    assert field == ("title_ng" if lang == "ko" and engine._has_ngrams("ko") else "title")
    index = ranking._title_index(scorer, field, an)
    for docnum, stored in scorer.reader.iter_docs():
        found = index.get(docnum, ())
        if found is not None:  # None: an intent word, analysed from the stored title
            assert set(terms(an, stored["title"])) == set(found)
    # titles with an intent word (방법, 가능, cómo, hacer, possible, way) take the stored path
    assert sum(found is None for found in index.values()) >= 1
