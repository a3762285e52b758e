"""The signal rollup: checked against a plain recount of the raw events, reader order with
skewed clocks, the searches' source pages and returns, and freshness (dirty days)."""
import random
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Event
from portal.insights import queries
from portal.insights.models import PageSignalDay, SearchDay, SessionPath
from portal.search.models import SearchLog
from tests.insights.scenario import HEADINGS, Reader, docs_tree

SLUGS = ("guide/a", "guide/b", "guide/c", "guide/d")


@pytest.fixture
def docs(make_docs, import_docs):
    return import_docs(make_docs(docs_tree(SLUGS)))


def random_traffic(client, seed, sessions=40):
    rng = random.Random(seed)
    for _ in range(sessions):
        r = Reader(client, rng.choice(["en", "ko"]), clock_skew_ms=rng.choice(
            [0, 0, -3_600_000, 7_200_000, -86_400_000 * 3]))
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.25:
                found = r.search(rng.choice(["guide", "zzqx", "guide b"]),
                                 from_page=rng.choice([None, *SLUGS]))
                if found["results"] and rng.random() < 0.6:
                    hit = rng.choice(found["results"])
                    r.read(hit["slug"], ref="search", search_id=found["search_id"],
                           rank=hit["rank"], seconds=rng.choice([2, 30, 120]))
                continue
            depth = rng.choice([None, 10, 40, 70, 100])
            r.read(rng.choice(SLUGS), seconds=rng.choice([0, 5, 40, 200]), depth=depth,
                   section=rng.choice([None, *HEADINGS]) if depth else None,
                   vote=rng.choice([None, None, True, False]))


def heading_places(slug, lang):
    """Where each heading starts in the rendered page, as a fraction of its length."""
    from portal.content.models import Page, Translation
    from portal.content.render import render_markdown
    t = db.session.scalar(select(Translation).join(Page).where(Page.slug == slug,
                                                                 Translation.lang == lang))
    html = render_markdown(t.current_revision.markdown, slug=slug, lang=lang).html
    return [html.find(f'id="{h}"') / len(html) for h in HEADINGS]


def recount():
    """Per (page, lang): sessions, search arrivals, loops, scrolled, completed, passed."""
    order = {h: i for i, h in enumerate(HEADINGS)}
    events = db.session.scalars(select(Event).order_by(Event.session, Event.at, Event.id)).all()
    by_session = defaultdict(list)
    for e in events:
        by_session[e.session].append(e)
    counts = defaultdict(Counter)
    passed = defaultdict(Counter)
    paths = {}
    for session, evs in by_session.items():
        views = [e for e in evs if e.type == "page_view"]
        path = []
        for e in views:
            if not path or path[-1] != (e.page, e.lang):
                path.append((e.page, e.lang))
        if views:
            paths[session] = [p for p, _ in path]
        for key in {(e.page, e.lang) for e in views}:
            counts[key]["sessions"] += 1
            if any(e.data.get("ref") == "search" for e in views if (e.page, e.lang) == key):
                counts[key]["search_arrivals"] += 1
            scrolls = [e for e in evs if e.type == "scroll" and (e.page, e.lang) == key]
            if scrolls:
                counts[key]["scrolled"] += 1
                depth = max(e.data["depth"] for e in scrolls)
                deepest = max((order[e.data["section"]] for e in scrolls if "section" in e.data),
                              default=-1)
                if deepest < 0:  # a depth without a heading: the headings above that depth
                    deepest = sum(100 * p <= depth for p in heading_places(*key)) - 1
                for h in HEADINGS[:deepest + 1]:
                    passed[key][h] += 1
                counts[key]["completed"] += depth >= 90 or deepest == len(HEADINGS) - 1
        looped = {path[i] for i in range(len(path) - 2) if path[i] == path[i + 2]}
        for key in looped:
            counts[key]["loops"] += 1
    return counts, passed, paths


def test_rollup_matches_a_plain_recount_of_the_raw_events(client, docs):
    random_traffic(client, seed=11)
    rows = queries.page_table(db.session)  # refreshes the dirty day
    assert rows
    counts, passed, paths = recount()
    stored = {(r.page, r.lang): r for r in db.session.scalars(select(PageSignalDay))}
    assert set(stored) == set(counts)
    for key, expected in counts.items():
        row = stored[key]
        for name in ("sessions", "search_arrivals", "loops", "scrolled", "completed"):
            assert getattr(row, name) == expected[name], (key, name)
        assert row.sections_passed == dict(passed[key]), key
        # readers who bounced back to search within seconds count as neither
        assert row.stopped + row.stops.get("", 0) <= row.scrolled - row.completed
    assert {p.session: p.pages for p in db.session.scalars(select(SessionPath))} == paths
    searches = db.session.scalars(select(SearchLog).where(SearchLog.is_return.is_(False))).all()
    by_key = Counter((s.lang, s.query_key) for s in searches)
    zero = Counter((s.lang, s.query_key) for s in searches if s.results == 0)
    days = {(d.lang, d.query_key): d for d in db.session.scalars(select(SearchDay))}
    assert {k: d.searches for k, d in days.items() if d.searches} == dict(by_key)
    assert {k: d.zero_results for k, d in days.items() if d.zero_results} == dict(zero)


def test_events_keep_the_readers_order_across_skewed_clocks(client, docs):
    # A browser whose clock is a day behind: A, then B, then a search from B, then C.
    r = Reader(client, "en", clock_skew_ms=-86_400_000)
    r.read("guide/a", seconds=30)
    r.read("guide/b", seconds=30, from_page="guide/a")
    found = r.search("guide", from_page="guide/b")
    r.read("guide/c", ref="search", search_id=found["search_id"], seconds=30)
    # Another browser a day ahead: the same path.
    s = Reader(client, "en", clock_skew_ms=86_400_000)
    s.read("guide/a", seconds=30)
    s.read("guide/b", seconds=30)
    s.read("guide/c", seconds=30)
    queries.page_table(db.session)
    paths = {p.session: p.pages for p in db.session.scalars(select(SessionPath))}
    assert paths[r.session] == ["guide/a", "guide/b", "guide/c"]
    assert paths[s.session] == ["guide/a", "guide/b", "guide/c"]
    ats = [e.at for e in db.session.scalars(select(Event).where(Event.session == r.session)
                                             .order_by(Event.id))]
    assert ats == sorted(ats)  # stored in reader time, moved onto the server's clock
    import time
    assert abs(ats[-1] - time.time() * 1000) < 120_000
    b = db.session.get(PageSignalDay, (db.session.scalar(select(Event.day)), "guide/b", "en"))
    assert b.search_after == 1 and list(b.details["queries_after"].values()) == [1]


def test_an_event_sent_now_shows_in_the_report_at_once(client, docs):
    assert queries.page_table(db.session) == []
    Reader(client, "ko").read("guide/d", seconds=12, vote=False, reason="missing")
    [row] = queries.page_table(db.session, lang="ko")
    assert (row["slug"], row["views"], row["helpful"]["no"]) == ("guide/d", 1, 1)
    Reader(client, "ko").read("guide/d", seconds=12)
    [row] = queries.page_table(db.session, lang="ko")
    assert row["views"] == 2


def test_section_reach_counts_every_heading_passed_in_page_order(client, docs):
    Reader(client, "en").read("guide/a", depth=60, section=HEADINGS[2])
    Reader(client, "en").read("guide/a", depth=20, section=HEADINGS[0])
    detail = queries.page_detail(db.session, "guide/a", "en")
    reach = {s["id"]: s["reached"] for s in detail["sections"]}
    assert reach == {HEADINGS[0]: 2, HEADINGS[1]: 1, HEADINGS[2]: 1, HEADINGS[3]: 0}
    assert [s["id"] for s in detail["sections"]] == list(HEADINGS)
    worst = [s for s in detail["sections"] if s["drop_off"]]
    assert len(worst) == 1


def test_the_revision_a_reader_saw_is_kept(client, docs):
    r = Reader(client, "en")
    r.post([{"type": "page_view", "page": "guide/a", "lang": "en", "ref": "direct", "rev": 1,
             "t": r._t()}])
    assert db.session.scalar(select(Event.data)).get("rev") == 1
    queries.page_table(db.session)
    row = db.session.scalar(select(PageSignalDay))
    assert row.details["revisions"] == {"1": 1}


def test_the_doc_page_tells_the_beacon_its_revision(client, docs):
    html = client.get("/en/docs/guide/a").get_data(as_text=True)
    assert 'data-rev="1"' in html
