"""Known reading problems sent through the public APIs must top the stuck ranking, per
language, with the right signal named first; healthy pages must not."""
import pytest

from tests.insights.scenario import HEADINGS, Reader, docs_tree

SIGNAL_PAGES = {  # signal -> (English problem page, Korean problem page)
    "unhelpful": ("votes/one", "votes/two"),
    "search_after": ("searching/one", "searching/two"),
    "pogo": ("bounce/one", "bounce/two"),
    "drop_off": ("stopping/one", "stopping/two"),
    "loops": ("circle/one", "circle/two"),
    "dead_end": ("ending/one", "ending/two"),
}
GAP_PAGE = "gap/page"
HEALTHY = ("healthy/alpha", "healthy/beta", "healthy/gamma", "healthy/delta", "healthy/partner")
PROBLEM_SESSIONS = 14


READER = {}  # how the traffic's browsers behave (set by the `traffic` fixture's parameter)


def reader(client, lang):
    return Reader(client, lang, clock_skew_ms=READER.get("skew", 0))


def search(r, query, from_page=None):
    return r.search(query, from_page=None if READER.get("no_from") else from_page)


def healthy_session(client, lang, i):
    r = reader(client, lang)
    first, second = HEALTHY[i % 4], HEALTHY[(i + 1) % 4]
    r.read(first, ref="direct", seconds=90, vote=True if i % 2 else None, reason="solved")
    if i % 5 == 0:  # some healthy readers search and find what they need
        found = search(r, "healthy alpha", from_page=first)
        if found["results"]:
            r.read(found["results"][0]["slug"], ref="search", search_id=found["search_id"],
                   seconds=80)
            return
    r.read(second, seconds=70, from_page=first)


def problem_session(client, signal, page, lang, i):
    r = reader(client, lang)
    next_page = HEALTHY[i % 4]
    if signal == "unhelpful":
        r.read(page, seconds=40, vote=False, reason="unclear")
        r.read(next_page, seconds=60, from_page=page)
    elif signal == "search_after":
        r.read(page, seconds=45)
        found = search(r, "healthy beta", from_page=page)
        r.read(found["results"][0]["slug"], ref="search", search_id=found["search_id"],
               seconds=70)
    elif signal == "pogo":
        found = search(r, "healthy gamma")
        r.read(page, ref="search", search_id=found["search_id"], seconds=3, depth=10,
               section=None)
        r.read(next_page, ref="search", search_id=found["search_id"], rank=2, seconds=80)
    elif signal == "drop_off":
        r.read(page, seconds=30, depth=35, section=HEADINGS[1])
        r.read(next_page, seconds=60, from_page=page)
    elif signal == "loops":
        r.read(page, seconds=30)
        r.read("healthy/partner", seconds=20, from_page=page)
        r.read(page, seconds=30, from_page="healthy/partner")
        r.read(next_page, seconds=60, from_page=page)
    elif signal == "dead_end":
        r.read(page, seconds=40)
        found = search(r, "zzyzx frobnicate", from_page=page)
        assert found["total"] == 0
    else:
        raise AssertionError(signal)


@pytest.fixture(params=["in-sync clocks", "clocks an hour behind, searches without from"])
def traffic(request, client, make_docs, import_docs, monkeypatch):
    """Known problems per language, plus healthy reading, sent as browsers send them."""
    behaviour = {} if request.param == "in-sync clocks" else {"skew": -3_600_000,
                                                              "no_from": True}
    for key, value in behaviour.items():
        monkeypatch.setitem(READER, key, value)
    slugs = [p for pair in SIGNAL_PAGES.values() for p in pair] + [GAP_PAGE, *HEALTHY]
    import_docs(make_docs(docs_tree(slugs)))
    for lang in ("en", "ko"):
        for i in range(40):
            healthy_session(client, lang, i)
    for signal, (en_page, ko_page) in SIGNAL_PAGES.items():
        for lang, page in (("en", en_page), ("ko", ko_page)):
            for i in range(PROBLEM_SESSIONS):
                problem_session(client, signal, page, lang, i)
    for i in range(PROBLEM_SESSIONS):  # the English page serves readers; its translation not
        reader(client, "en").read(GAP_PAGE, seconds=80, vote=True)
        r = reader(client, "ko")
        r.read(GAP_PAGE, seconds=20, depth=30, section=HEADINGS[0], vote=False,
               reason="unclear")
        r.read(HEALTHY[i % 4], seconds=60, from_page=GAP_PAGE)


def ranking(client, lang):
    response = client.get("/api/v1/insights/pages", query_string={"lang": lang})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["pages"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_problem_pages_top_the_ranking_with_their_signal(client, login_as, traffic, lang):
    login_as("owner")
    rows = ranking(client, lang)
    expected = {pages[0 if lang == "en" else 1]: signal for signal, pages in SIGNAL_PAGES.items()}
    if lang == "ko":
        expected[GAP_PAGE] = "language_gap"
    top = rows[:len(expected)]
    assert {r["slug"] for r in top} == set(expected), [(r["slug"], r["stuck_score"]) for r in rows]
    for row in top:
        assert row["signals"][0]["name"] == expected[row["slug"]], (row["slug"], row["signals"])
        assert row["stuck_score"] > 0 and row["top_reason"]
    healthy = [r for r in rows if r["slug"].startswith("healthy/")]
    assert healthy and max(r["stuck_score"] for r in healthy) < min(r["stuck_score"] for r in top)


def test_demo_traffic_designed_problems_top_the_ranking(runner, make_docs, import_docs):
    from portal.extensions import db
    from portal.feedback import demo
    from portal.insights import queries
    import_docs(make_docs(docs_tree([f"topic/p{i:02d}" for i in range(20)])))
    result = runner.invoke(args=["portal", "demo-traffic"])
    assert result.exit_code == 0, result.output
    p = demo._choose_problems(demo._pages(db.session, ("en", "ko")))
    designed = {p.search_again: "search_after", p.unclear: "unhelpful", p.drop_off: "drop_off",
                p.loop[0]: "loops", p.loop[1]: "loops", p.pogo: "pogo", p.dead_end: "dead_end"}
    en = queries.page_table(db.session, lang="en")
    assert {r["slug"] for r in en[:len(designed)]} == set(designed)
    for row in en[:len(designed)]:
        assert row["signals"][0]["name"] == designed[row["slug"]], row["slug"]
    ko = queries.page_table(db.session, lang="ko")
    assert ko[0]["slug"] == p.gap and ko[0]["signals"][0]["name"] == "language_gap"
    assert {r["slug"] for r in ko[:len(designed) + 1]} == set(designed) | {p.gap}
    # the fix published half-way shows as a revision with numbers before and after it
    detail = queries.page_detail(db.session, p.unclear, "en")
    [fix] = detail["revisions"]
    assert fix["before"]["helpful_rate"] < fix["after"]["helpful_rate"]
    assert fix["before"]["views_seen"] and fix["after"]["views_seen"]
    surveys = queries.survey_scores(db.session)
    assert all(surveys[k]["responses"] and surveys[k]["enabled"] for k in ("ces", "csat", "nps"))
