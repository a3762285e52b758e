"""English results: a page that answers the query in one section passes a longer page that
names the query's words in different places (ranking.by_passages)."""
import pytest

from portal.search import ranking
from portal.search.engine import Doc, Engine
from portal.search.text import sections

FILLER = " ".join(f"word{i}" for i in range(60))

# A recipe page naming gzip often and compression once, far apart, among other topics.
SPREAD = (
    "# Custom request classes\n\n"
    "Decode gzip bodies in a custom request class. The gzip body is read, the gzip stream "
    "is unpacked and the gzip header checked.\n\n"
    f"## Route handlers\n\n{FILLER}\n\n"
    f"## Timing\n\n{FILLER}\n\n"
    "## Notes\n\nSee the standard library for compression.\n")
# A middleware page whose one section is about exactly that.
FOCUSED = (
    "# Middleware\n\n"
    f"Middleware runs for every request. {FILLER} {FILLER}\n\n"
    "## Response compression\n\nAdd the gzip middleware for compression of large responses.\n\n"
    f"## Other middleware\n\n{FILLER} {FILLER}\n")
OTHERS = [("Path parameters", "Declare path parameters with types."),
          ("Query parameters", "Declare query parameters with defaults."),
          ("Deployment", "Deploy behind a proxy with compression turned off.")]


@pytest.fixture
def engine(tmp_path):
    engine = Engine(tmp_path / "search")
    docs = [Doc(slug="how-to/custom-request", lang="en", title="Custom request classes",
                markdown=SPREAD),
            Doc(slug="advanced/middleware", lang="en", title="Middleware", markdown=FOCUSED)]
    docs += [Doc(slug=f"page-{i}", lang="en", title=title, markdown=f"# {title}\n\n{text}\n")
             for i, (title, text) in enumerate(OTHERS)]
    docs += [Doc(slug="advanced/middleware", lang="ko", title="미들웨어",
                 markdown="# 미들웨어\n\n## 응답 압축\n\ngzip 미들웨어를 추가합니다.\n")]
    engine.rebuild(docs)
    yield engine
    engine.close()


def _order(engine, query):
    return [hit.slug for hit in engine.search("en", query, with_snippets=False).hits]


def test_the_page_answering_in_one_section_comes_first(engine, monkeypatch):
    assert _order(engine, "gzip compression")[0] == "advanced/middleware"
    # Without passages the page naming gzip most often wins: the test measures the feature.
    monkeypatch.setitem(ranking.PASSAGE_WEIGHT, "en", 0)
    assert _order(engine, "gzip compression")[0] == "how-to/custom-request"


def test_only_the_first_hits_move_and_scores_only_grow(engine, monkeypatch):
    with_passages = engine.search("en", "gzip compression", with_snippets=False).hits
    monkeypatch.setitem(ranking.PASSAGE_WEIGHT, "en", 0)
    without = {hit.slug: hit.score for hit in
               engine.search("en", "gzip compression", with_snippets=False).hits}
    assert {hit.slug for hit in with_passages} == set(without)
    assert all(hit.score >= without[hit.slug] for hit in with_passages)
    scores = [hit.score for hit in with_passages]
    assert scores == sorted(scores, reverse=True)


def test_a_query_naming_one_page_only_is_unchanged(engine, monkeypatch):
    with_passages = _order(engine, "path parameters types")
    monkeypatch.setitem(ranking.PASSAGE_WEIGHT, "en", 0)
    assert with_passages == _order(engine, "path parameters types")
    assert with_passages[0] == "page-0"


def test_sections_split_at_second_level_headings_as_plain_text():
    found = sections("# Title\n\nIntro **bold** text.\n\n## First part\n\nSee [the docs](x.md).\n"
                     "\n```python\ncode()\n```\n\n### Deeper\n\nMore.\n")
    assert found[0] == "Title. Intro bold text."
    assert found[1].startswith("First part. See the docs")
    assert "code()" in found[1] and "```" not in found[1]
    assert found[2] == "Deeper. More."


def test_passages_are_stored_for_english_only(engine):
    searcher, scorer = engine.searcher("en")
    assert ranking._has_passages(scorer)
    column = scorer.reader.column_reader("passages")
    stored = {fields["slug"]: column[docnum] for docnum, fields in scorer.reader.iter_docs()}
    lengths = [length for length, _ in stored["advanced/middleware"]]
    assert len(lengths) == 3
    counts = dict(stored["advanced/middleware"][1][1])
    assert counts["gzip"] == 1 and counts["compress"] == 2  # heading + text, stemmed
    _, ko_scorer = engine.searcher("ko")
    assert not ranking._has_passages(ko_scorer)


def test_an_index_without_passages_still_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(ranking, "PASSAGE_WEIGHT", {})
    engine = Engine(tmp_path / "old")
    engine.rebuild([Doc(slug="advanced/middleware", lang="en", title="Middleware",
                        markdown=FOCUSED),
                    Doc(slug="how-to/custom-request", lang="en", title="Custom request classes",
                        markdown=SPREAD)])
    before = _order(engine, "gzip compression")
    monkeypatch.setattr(ranking, "PASSAGE_WEIGHT", {"en": 0.5})
    try:
        assert _order(engine, "gzip compression") == before
    finally:
        engine.close()
