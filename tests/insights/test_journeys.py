"""Journeys and funnels: counting on plain session paths, and funnel definitions."""
import pytest

from portal.insights.funnel_models import Funnel
from portal.insights.journeys import (FunnelError, SessionPath, funnel_steps, list_funnels,
                                      parse_steps, save_funnel, top_paths)

P = SessionPath


def test_top_paths_count_the_first_three_pages_per_language():
    paths = [P("en", ("a", "b", "c", "d")), P("en", ("a", "b", "c")), P("en", ("a", "x")),
             P("ko", ("a", "b", "c")), P("en", ())]
    top = top_paths(paths)
    assert top[0] == {"lang": "en", "steps": ["a", "b", "c"], "sessions": 2, "share": round(2 / 3, 4)}
    assert {"lang": "ko", "steps": ["a", "b", "c"], "sessions": 1, "share": 1.0} in top
    assert {"lang": "en", "steps": ["a", "x"], "sessions": 1, "share": round(1 / 3, 4)} in top
    assert len(top_paths(paths, limit=1)) == 1


def test_funnel_counts_steps_in_order_with_pages_between():
    paths = [P("en", ("a", "z", "b", "c")),  # all three, with a detour
             P("en", ("a", "b")),            # stops after two
             P("en", ("b", "a", "c")),       # a then c: only step 1 in order
             P("ko", ("a", "b", "c")),
             P("ko", ("x",))]                # never entered
    report = funnel_steps(paths, ["a", "b", "c"])
    assert [(r["entered"], r["continued"], r["drop_off"]) for r in report["all"]] == \
        [(4, 3, 1), (3, 2, 1), (2, None, None)]
    assert report["all"][0]["drop_off_rate"] == 0.25
    assert [r["entered"] for r in report["by_lang"]["en"]] == [3, 2, 1]
    assert [r["entered"] for r in report["by_lang"]["ko"]] == [1, 1, 1]


def test_parse_steps_accepts_lines_or_commas():
    assert parse_steps(" /a/b/ \n\nc, d ") == ["a/b", "c", "d"]


@pytest.fixture
def pages(make_docs, import_docs):
    files = {f"en/{s}.md": f"# {s}\n\nText.\n" for s in ("one", "two", "three")}
    import_docs(make_docs(files))
    return {"one", "two", "three"}


def test_save_funnel_validates_and_stores(app, pages):
    with app.test_request_context():  # messages are translated for the request's locale
        _save_funnel_checks(pages)


def _save_funnel_checks(pages):
    from portal.extensions import db
    with pytest.raises(FunnelError) as bad:
        save_funnel(db.session, None, "Start", ["one"], pages)
    assert bad.value.field == "steps"
    with pytest.raises(FunnelError) as bad:
        save_funnel(db.session, None, "Start", ["one", "nope"], pages)
    assert "nope" in bad.value.message
    with pytest.raises(FunnelError):
        save_funnel(db.session, None, "Start", ["one", "one"], pages)
    with pytest.raises(FunnelError) as bad:
        save_funnel(db.session, None, " ", ["one", "two"], pages)
    assert bad.value.field == "name"
    with pytest.raises(FunnelError):
        save_funnel(db.session, None, "Start", [f"p{i}" for i in range(9)], pages)
    funnel = save_funnel(db.session, None, "Start", ["one", "two", "three"], pages)
    db.session.commit()
    assert [f.steps for f in list_funnels(db.session)] == [["one", "two", "three"]]
    with pytest.raises(FunnelError) as bad:
        save_funnel(db.session, None, "Start", ["one", "two"], pages)
    assert bad.value.field == "name"
    save_funnel(db.session, funnel, "Start", ["two", "one"], pages)  # same name, same funnel
    db.session.commit()
    assert db.session.get(Funnel, funnel.id).steps == ["two", "one"]


def test_owner_creates_edits_and_deletes_a_funnel(client, login_as, pages, monkeypatch):
    from portal.extensions import db
    from portal.insights import journeys
    paths = [P("en", ("one", "two", "three")), P("en", ("one", "two")), P("ko", ("one",))]
    monkeypatch.setattr(journeys, "session_paths", lambda *args, **kwargs: paths)
    login_as("owner")
    response = client.post("/insights/funnels/new", data={"name": "Onboarding", "steps": "one\nmissing"})
    assert response.status_code == 422
    assert "missing" in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = client.post("/insights/funnels/new", data={"name": "Onboarding", "steps": "one\ntwo\nthree"})
    assert response.status_code == 303
    funnel = db.session.scalar(db.select(Funnel))
    page = client.get("/insights/journeys").get_data(as_text=True)
    assert "Onboarding" in page and "Steps, all languages" in page and "Steps in 한국어" in page
    # one -> two: 3 entered, 2 continued, 1 dropped off (33%)
    assert '<td class="num">3</td>\n        <td class="num">2</td>' in page
    assert "1 (33%)" in page
    assert 'aria-label="Sessions entering each step of the funnel Onboarding"' in page
    assert client.post(f"/insights/funnels/{funnel.id}", data={"name": "Renamed", "steps": "two, three"}).status_code == 303
    db.session.expire_all()
    assert (funnel.name, funnel.steps) == ("Renamed", ["two", "three"])
    assert client.post(f"/insights/funnels/{funnel.id}/delete").status_code == 303
    assert db.session.scalar(db.select(Funnel)) is None
    assert client.post(f"/insights/funnels/{funnel.id}/delete").status_code == 404


def test_writers_cannot_manage_funnels(client, login_as, pages):
    login_as("writer")
    assert client.post("/insights/funnels/new", data={"name": "x", "steps": "one\ntwo"}).status_code == 403


def test_journeys_read_the_rollups_path_table(client, login_as, make_docs, import_docs):
    from tests.insights.scenario import Reader, docs_tree
    import_docs(make_docs(docs_tree(["guide/one", "guide/two", "guide/three"])))
    for i in range(3):
        r = Reader(client, "ko" if i else "en")
        r.read("guide/one", ref="direct")
        r.read("guide/two", from_page="guide/one")
        r.read("guide/three", from_page="guide/two")
    login_as("owner")
    client.post("/insights/funnels/new", data={"name": "Guide", "steps": "guide/one\nguide/three"})
    data = client.get("/api/v1/insights/journeys").json
    assert {(p["lang"], tuple(p["steps"]), p["sessions"]) for p in data["paths"]} == {
        ("ko", ("guide/one", "guide/two", "guide/three"), 2),
        ("en", ("guide/one", "guide/two", "guide/three"), 1)}
    steps = data["funnels"][0]["report"]["all"]
    assert [(s["entered"], s["continued"]) for s in steps] == [(3, 3), (3, None)]
    assert data["funnels"][0]["report"]["by_lang"]["ko"][0]["entered"] == 2
    html = client.get("/insights/journeys?lang=ko").get_data(as_text=True)
    assert "guide/two" in html.split('id="paths-table"')[1]
    rows = client.get("/api/v1/insights/journeys.csv?lang=ko").data.decode("utf-8")
    assert rows.splitlines()[1] == "ko,guide/one,guide/two,guide/three,2,1.0"


def test_paths_counted_by_the_database_match_a_python_recount(app, client, make_docs, import_docs):
    from datetime import date, timedelta
    from portal.extensions import db
    from portal.insights import journeys
    from tests.insights.scenario import Reader, docs_tree
    slugs = ["a/one", "a/two", "a/three", "a/four_x"]
    import_docs(make_docs(docs_tree(slugs)))
    shapes = [("en", ["a/one"]), ("en", ["a/one", "a/two"]), ("ko", ["a/two", "a/one", "a/three"]),
              ("en", ["a/one", "a/two", "a/three", "a/four_x"]), ("ko", ["a/four_x", "a/two"])]
    for i in range(12):
        lang, pages = shapes[i % len(shapes)]
        r = Reader(client, lang)
        for before, page in zip([None] + pages, pages):
            r.read(page, ref="direct" if before is None else "internal", from_page=before)
    start, end = date.today() - timedelta(days=1), date.today()
    with app.test_request_context():
        for lang in (None, "en", "ko"):
            paths = journeys.session_paths(db.session, start, end, lang)
            assert journeys.top_paths_report(db.session, start, end, lang) == journeys.top_paths(paths)
            funnel = Funnel(name="f", steps=["a/one", "a/three"])
            assert journeys.funnel_report(db.session, funnel, start, end, lang) == \
                journeys.funnel_steps(paths, funnel.steps)
        assert len(journeys.session_paths(db.session, start, end, containing="a/four_x")) == 4
