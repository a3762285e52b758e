"""A worker's threads share what scorers derive from one index version, not across versions."""
import threading

from portal.search.engine import Doc, Engine


def _scorer_in_thread(engine, lang):
    found = []
    thread = threading.Thread(target=lambda: found.append(engine.searcher(lang)))
    thread.start()
    thread.join()
    return found[0]


def test_threads_share_posting_caches_of_one_index_version(tmp_path):
    engine = Engine(tmp_path / "search")
    engine.rebuild([Doc("a", "en", "Upload files", "Upload a file."),
                    Doc("b", "en", "Background tasks", "Run tasks later.")])
    searcher_a, scorer_a = _scorer_in_thread(engine, "en")
    searcher_b, scorer_b = _scorer_in_thread(engine, "en")
    assert searcher_a is not searcher_b  # each thread reads through its own searcher
    assert scorer_a._postings is scorer_b._postings and scorer_a.memo is scorer_b.memo
    scorer_a.postings("body", "upload")
    assert ("body", "upload") in scorer_b._postings

    engine.add([Doc("c", "en", "Uploads again", "Upload more.")])
    _, scorer_c = _scorer_in_thread(engine, "en")
    assert scorer_c._postings is not scorer_a._postings  # a new version starts afresh
    assert len(scorer_c.postings("body", "upload")[0]) == 2


def test_searches_borrow_pooled_searchers_instead_of_one_per_thread(tmp_path):
    from portal.search import engine as engine_module
    engine = Engine(tmp_path / "search")
    engine.rebuild([Doc("a", "en", "Upload files", "Upload a file.")])
    for _ in range(6):  # six threads, one after another, each searching
        thread = threading.Thread(target=lambda: engine.search("en", "upload"))
        thread.start()
        thread.join()
    idle = engine._idle["en"]
    assert 1 <= len(idle) <= engine_module.IDLE_SEARCHERS
    assert not engine._local.__dict__.get("searchers")  # nothing kept per thread

    engine.add([Doc("b", "en", "Uploads again", "Upload more.")])
    assert engine.search("en", "upload").total == 2  # a stale pooled searcher is replaced
    assert all(entry[0].up_to_date() for entry in engine._idle["en"])
