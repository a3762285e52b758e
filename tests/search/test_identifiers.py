"""A code identifier in a query is one concept: `WebSocket` is searched as `websocket`, `web`
and `socket`, which used to count three times against a word typed once."""
import pytest

from portal.search import ranking
from portal.search.analysis import segment
from portal.search.engine import Doc, Engine

DOCS = [
    # Says WebSocket a lot; tests only in passing.
    Doc(slug="websockets", lang="en", title="WebSockets",
        markdown="# WebSockets\n\nUse a WebSocket in your app. A WebSocket stays open.\n\n"
                 "## WebSocket endpoint\n\nThe WebSocket endpoint reads messages; you can test it.\n"),
    # The page about testing them.
    Doc(slug="testing-websockets", lang="en", title="Testing",
        markdown="# Testing\n\nTest a WebSocket with the test client, as any test.\n"),
    Doc(slug="other", lang="en", title="Other", markdown="# Other\n\nNothing.\n"),
]


@pytest.fixture
def engine(tmp_path):
    engine = Engine(tmp_path / "search")
    engine.rebuild(DOCS)
    yield engine
    engine.close()


def _slugs(engine, text):
    return [hit.slug for hit in engine.search("en", text).hits]


def test_the_identifier_and_the_other_word_weigh_alike(engine, monkeypatch):
    assert _slugs(engine, "WebSocket test")[0] == "testing-websockets"
    # Without grouping, web + socket + websocket outweigh test.
    monkeypatch.setattr(ranking, "_identifier_groups", lambda clauses: {})
    monkeypatch.setattr(ranking, "_without_parts", lambda found: found)
    assert _slugs(engine, "WebSocket test")[0] == "websockets"


@pytest.mark.parametrize("word, known, parts", [
    ("websocket", {"web", "socket", "test"}, ["web", "socket"]),
    ("uploadfil", {"upload", "file"}, ["upload", "file"]),  # stemmed whole, unstemmed part
    ("file", {"fil"}, None), ("webs", {"web"}, None)])
def test_segment(word, known, parts):
    assert segment(word, known) == parts


def test_titles_and_queries_lose_only_the_parts():
    assert ranking._without_parts({"websocket", "web", "socket", "test"}) == {"websocket", "test"}
    assert ranking._without_parts({"web", "socket"}) == {"web", "socket"}
