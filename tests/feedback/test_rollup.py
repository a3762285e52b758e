"""Daily rollups, the rollup command and demo traffic."""
from collections import defaultdict
from datetime import date

import pytest

from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import DirtyDay, Event, PageDay, Vote
from portal.feedback.rollup import refresh_dirty, rollup_day
from tests.feedback.conftest import view

OTHER = "f" * 32


def _batch(post_events):
    ev = lambda kind, **f: {"type": kind, "page": "guide/install", "lang": "en", **f}  # noqa: E731
    assert post_events([view(), ev("scroll", depth=40, section="download"),
                        ev("engagement", seconds=10), ev("exit")]).status_code == 202
    assert post_events([view(ref="search"), ev("scroll", depth=100, section="configure"),
                        ev("engagement", seconds=30.5), ev("copy", chars=12),
                        ev("link", href="https://example.com/x"),
                        ev("feedback", helpful=False, reason="unclear")],
                       session=OTHER).status_code == 202


def test_fresh_events_show_after_refresh(post_events):
    _batch(post_events)
    assert db.session.scalar(select(func.count()).select_from(DirtyDay)) == 1
    refresh_dirty(db.session)
    db.session.commit()
    row = db.session.scalars(select(PageDay)).one()
    assert (row.page, row.lang, row.views, row.sessions) == ("guide/install", "en", 2, 2)
    assert row.engaged_seconds == 40.5 and row.exits == 2 and row.search_entries == 1
    assert row.copies == 1 and row.outbound == 1
    assert row.scroll_histogram == [0, 1, 0, 0, 1]
    assert row.section_reach == {"configure": 1, "download": 1}
    assert (row.votes_yes, row.votes_no, row.reasons) == (0, 1, {"no:unclear": 1})
    assert db.session.scalar(select(func.count()).select_from(DirtyDay)) == 0


def test_rollup_is_idempotent_and_raw_events_stay(post_events):
    _batch(post_events)
    today = db.session.scalar(select(Event.day).limit(1))
    rollup_day(db.session, today)
    first = [(r.page, r.views, r.engaged_seconds) for r in db.session.scalars(select(PageDay))]
    rollup_day(db.session, today)
    rollup_day(db.session, today)
    db.session.commit()
    assert [(r.page, r.views, r.engaged_seconds) for r in db.session.scalars(select(PageDay))] == first
    assert db.session.scalar(select(func.count()).select_from(Event)) == 10


def test_rollup_command_rebuilds_a_range(runner, post_events):
    _batch(post_events)
    today = date.today().isoformat()
    result = runner.invoke(args=["portal", "rollup", "--from", today, "--to", today])
    assert result.exit_code == 0, result.output
    assert "1 day(s)" in result.output
    assert db.session.scalar(select(PageDay.views)) == 2
    bad = runner.invoke(args=["portal", "rollup", "--from", "2026-02-02", "--to", "2026-01-01"])
    assert bad.exit_code != 0 and "--from" in bad.output


def test_demo_traffic_is_deterministic_and_has_the_designed_problems(runner, docs, make_docs, import_docs):
    from portal.feedback import demo
    pages = {f"en/topic/p{i}.md": f"# Topic {i}\n\n## Part A {{ #a }}\n\nx\n\n## Part B {{ #b }}\n\ny\n"
             for i in range(10)}
    pages.update({f"ko/topic/p{i}.md": f"# 주제 {i}\n\n## 가 {{ #a }}\n\nx\n\n## 나 {{ #b }}\n\ny\n"
                  for i in range(10)})
    import_docs(make_docs(pages, name="more"))
    result = runner.invoke(args=["portal", "demo-traffic", "--days", "7", "--sessions", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    problems = demo._choose_problems(demo._pages(db.session, ("en", "ko")))
    votes = db.session.scalars(select(Vote)).all()
    unclear = [v for v in votes if v.page == problems.unclear]
    assert unclear and sum(v.reason == "unclear" for v in unclear) / len(unclear) > 0.5
    others = [v for v in votes if v.page != problems.unclear]
    assert sum(v.helpful for v in others) / len(others) > 0.6
    assert {v.lang for v in votes} == {"en", "ko"}
    from portal.search.models import SearchLog
    assert db.session.scalar(select(func.count()).select_from(SearchLog)) > 0
    days = db.session.scalar(select(func.count(func.distinct(PageDay.day))))
    assert days >= 5
    snapshot = sorted((r.page, r.lang, r.views) for r in db.session.scalars(select(PageDay)))
    db.session.execute(PageDay.__table__.delete())
    db.session.execute(Event.__table__.delete())
    db.session.execute(Vote.__table__.delete())
    db.session.commit()
    runner.invoke(args=["portal", "demo-traffic", "--days", "7", "--sessions", "300", "--seed", "3"])
    again = sorted((r.page, r.lang, r.views) for r in db.session.scalars(select(PageDay)))
    assert again == snapshot


def _reference(db_session, day):
    """The day's rollup folded in Python straight from the raw events: the SQL's oracle."""
    rows = defaultdict(lambda: {"views": 0, "sessions": set(), "engaged": 0.0, "exits": 0,
                                "search_entries": 0, "copies": 0, "outbound": 0,
                                "depth": {}, "sections": defaultdict(set)})
    last_view = {}
    for e in db_session.scalars(select(Event).where(Event.day == day)
                                .order_by(Event.received_at, Event.id)):
        r, data = rows[(e.page, e.lang)], e.data or {}
        if e.type == "page_view":
            r["views"] += 1
            r["sessions"].add(e.session)
            r["search_entries"] += data.get("ref") == "search"
            last_view[e.session] = (e.page, e.lang)
        elif e.type == "engagement":
            r["engaged"] += data["seconds"]
        elif e.type == "scroll":
            r["depth"][e.session] = max(r["depth"].get(e.session, 0), data["depth"])
            if data.get("section"):
                r["sections"][data["section"]].add(e.session)
        r["copies"] += e.type == "copy"
        r["outbound"] += e.type == "link"
    for key in last_view.values():
        rows[key]["exits"] += 1
    out = {}
    for key, r in rows.items():
        histogram = [0] * 5
        for depth in r["depth"].values():
            histogram[sum(depth >= b for b in (25, 50, 75, 100))] += 1
        out[key] = (r["views"], len(r["sessions"]), round(r["engaged"], 1), r["exits"],
                    r["search_entries"], r["copies"], r["outbound"], histogram,
                    {k: len(v) for k, v in r["sections"].items()})
    return out


def test_rollups_match_a_fold_over_the_raw_events(runner, docs, make_docs, import_docs):
    pages = {f"{lang}/topic/p{i}.md": f"# T {i}\n\n## A {{ #a }}\n\nx\n\n## B {{ #b }}\n\ny\n"
             for i in range(6) for lang in ("en", "ko")}
    import_docs(make_docs(pages, name="more"))
    result = runner.invoke(args=["portal", "demo-traffic", "--days", "4", "--sessions", "250"])
    assert result.exit_code == 0, result.output
    days = sorted(db.session.scalars(select(Event.day).distinct()))
    assert len(days) >= 4
    compared = 0
    for day in days:
        expected = _reference(db.session, day)
        got = {(r.page, r.lang): (r.views, r.sessions, r.engaged_seconds, r.exits,
                                  r.search_entries, r.copies, r.outbound, r.scroll_histogram,
                                  r.section_reach)
               for r in db.session.scalars(select(PageDay).where(PageDay.day == day))}
        assert got.keys() >= expected.keys()
        for key, want in expected.items():
            assert got[key][:2] == want[:2] and got[key][3:] == want[3:], (day, key)
            assert got[key][2] == pytest.approx(want[2], abs=0.05), (day, key)
        compared += len(expected)
    kinds = set(db.session.scalars(select(Event.type).distinct()))
    assert {"page_view", "engagement", "scroll", "copy", "exit"} <= kinds and compared > 20
