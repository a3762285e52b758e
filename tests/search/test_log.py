"""The search log: queries grouped by their analyzed key, clicks linked to searches, no personal data."""
from portal.extensions import db
from portal.search.log import log_search, popular_pages, query_groups, record_click
from portal.search.models import SearchClick, SearchLog

SESSION = "3f9c0e7a1b2d4c5e8f9a0b1c2d3e4f50"


def test_spellings_of_one_korean_query_are_one_group(app):
    for q in ("파일 업로드", "파일업로드", "파일을 업로드", "도커 배포"):
        log_search(db.session, q, "ko", 3)
    db.session.commit()
    groups = {key: count for key, _, count, _ in query_groups(db.session, lang="ko")}
    assert groups == {"파일 업로드": 3, "docker 배포": 1}  # 도커 is keyed as Docker (lang_ko)


def test_log_stores_trimmed_query_and_only_a_well_formed_session(app):
    good = log_search(db.session, "  upload   files ", "en", 7, session_id=SESSION)
    bad = log_search(db.session, "upload", "en", 7, session_id="alice@example.com")
    db.session.commit()
    assert (good.query, good.results, good.session, good.lang) == ("upload files", 7, SESSION, "en")
    assert bad.session is None
    assert good.created_at is not None


def test_overlong_query_is_cut(app):
    entry = log_search(db.session, "x" * 500, "en", 0)
    assert len(entry.query) == 200 and len(entry.query_key) <= 200


def test_clicks_link_to_their_search(app):
    search = log_search(db.session, "upload", "en", 2, session_id=SESSION)
    db.session.commit()
    click = record_click(db.session, search.id, 2, "tutorial/request-files", "en", SESSION)
    db.session.commit()
    assert db.session.get(SearchClick, click.id).search.query == "upload"
    assert click.rank == 2


def test_click_on_unknown_search_or_bad_rank_is_refused(app):
    assert record_click(db.session, 99999, 1, "x", "en") is None
    search = log_search(db.session, "upload", "en", 2)
    assert record_click(db.session, search.id, 0, "x", "en") is None
    assert record_click(db.session, "nope", 1, "x", "en") is None
    assert db.session.query(SearchClick).count() == 0


def test_popular_pages_come_from_clicks(app, docs):
    search = log_search(db.session, "docker", "en", 1)
    for _ in range(3):
        record_click(db.session, search.id, 1, "deployment/docker", "en")
    record_click(db.session, search.id, 2, "tutorial/security", "en")
    db.session.commit()
    assert popular_pages(db.session, "en", limit=2) == [
        ("deployment/docker", "FastAPI in Containers - Docker"), ("tutorial/security", "Security")]
    assert popular_pages(db.session, "ko") == []


def test_log_keeps_no_other_personal_data():
    columns = set(SearchLog.__table__.columns.keys())
    assert columns == {"id", "query", "query_key", "lang", "results", "session", "created_at",
                       "from_page", "is_return"}


def test_the_page_a_search_was_made_from_is_kept(client, docs):
    client.get("/api/v1/search", query_string={"q": "upload", "lang": "en", "session": SESSION,
                                                "from": "tutorial/security"})
    client.get("/en/search", query_string={"q": "docker", "session": SESSION,
                                           "from": "deployment/docker"})
    client.get("/en/search", query_string={"q": "tokens", "from": "../../etc passwd"})
    entries = db.session.query(SearchLog).order_by(SearchLog.id).all()
    assert [e.from_page for e in entries] == ["tutorial/security", "deployment/docker", None]


def test_returning_to_a_results_page_is_logged_but_not_counted(client, docs):
    client.get("/en/search", query_string={"q": "upload", "session": SESSION})
    first = db.session.query(SearchLog).one()
    for extra in ({"page": 2}, {"section": "tutorial"}, {}):
        assert client.get("/en/search", query_string={"q": "upload", "sid": first.id,
                                                      **extra}).status_code == 200
    entries = db.session.query(SearchLog).order_by(SearchLog.id).all()
    assert [e.is_return for e in entries] == [False, True, True, True]
    assert {e.session for e in entries} == {SESSION}
    assert [count for _, _, count, _ in query_groups(db.session, lang="en")] == [1]
