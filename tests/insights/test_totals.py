"""Running totals (`portal.insights.totals`): any range read from them equals the daily rows'
sums — numbers, median engaged time, views per day and the bounded evidence (vote reasons,
stop headings, kinds of dead end) — including ranges that start or end
between rows, before the first day, after the last, and across month ends; re-rolling a past
day rewrites the later totals; totals missing after an upgrade are built by the refresh."""
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from portal.feedback.models import DirtyDay, PageDay
from portal.feedback.rollup import refresh_dirty
from portal.insights import queries, totals
from portal.insights.models import PageSignalDay, PageTotal, PageTotalKey

FIRST = date(2026, 1, 20)
DAYS = 60  # to 2026-03-20: two month ends, February's short month included
KEYS = [("guide/a", "en"), ("guide/a", "ko"), ("guide/b", "en"), ("guide/c", "ko"),
        ("only/votes", "en"), ("only/signals", "ko")]


def daily_rows(seed):
    """Random daily rollup rows: gaps, zero-view days, pages with only one kind of row."""
    rng = random.Random(seed)
    pages, signals = [], []
    for i in range(DAYS):
        day = FIRST + timedelta(days=i)
        for page, lang in KEYS:
            if rng.random() < 0.3:
                continue  # no row that day
            sessions = rng.randint(0, 40)
            reasons = {f"no:{r}": rng.randint(1, 3) for r in ("unclear", "missing", "outdated")
                       if rng.random() < 0.3}
            stops = {h: rng.randint(1, 4) for h in ("", "install", "configure") if rng.random() < 0.4}
            kinds = {k: rng.randint(1, 2) for k in ("no_vote", "zero_search") if rng.random() < 0.3}
            if page != "only/signals":
                pages.append(PageDay(
                    day=day, page=page, lang=lang, views=0 if page == "only/votes" else
                    rng.randint(0, 90), sessions=sessions,
                    engaged_seconds=round(rng.uniform(0, 900), 1), exits=rng.randint(0, 9),
                    votes_yes=rng.randint(0, 3), votes_no=rng.randint(0, 3),
                    reasons=reasons, scroll_histogram=[], section_reach={}))
            if page != "only/votes":
                signals.append(PageSignalDay(
                    day=day, page=page, lang=lang, sessions=sessions,
                    search_arrivals=rng.randint(0, 9), search_after=rng.randint(0, 9),
                    pogo=rng.randint(0, 5), dead_ends=rng.randint(0, 5), loops=rng.randint(0, 5),
                    scrolled=rng.randint(0, 9), completed=rng.randint(0, 9),
                    stopped=rng.randint(0, 9), stops=stops, sections_passed={}, engaged=[],
                    engaged_median=None if rng.random() < 0.2 else round(rng.uniform(0, 300), 1),
                    details={"dead_end_kinds": kinds, "queries_after": {"x": 1}}))
    return pages, signals


@pytest.fixture
def rolled(app):
    pages, signals = daily_rows(seed=3)
    db.session.add_all(pages + signals)
    db.session.flush()
    totals.rebuild(db.session, FIRST)
    db.session.commit()
    return app


def ranges(seed, count=40):
    rng = random.Random(seed)
    fixed = [(FIRST, FIRST), (FIRST - timedelta(days=5), FIRST + timedelta(days=3)),
             (date(2026, 1, 31), date(2026, 2, 1)), (date(2026, 2, 28), date(2026, 3, 1)),
             (FIRST + timedelta(days=DAYS - 1), FIRST + timedelta(days=DAYS + 9)),
             (FIRST - timedelta(days=30), FIRST - timedelta(days=1)),
             (FIRST - timedelta(days=3), FIRST + timedelta(days=DAYS + 3))]
    for _ in range(count):
        a = FIRST + timedelta(days=rng.randint(-4, DAYS + 4))
        b = a + timedelta(days=rng.randint(0, 70))
        fixed.append((a, b))
    return fixed


def assert_same(start, end):
    """The running totals' window equals the grouped sums of the daily rows."""
    fast = queries._window_sums(db.session, start, end, trends=True)
    slow = queries._sums(db.session, start, end, trends=True)
    assert set(fast) == set(slow), (start, end)
    days = [d.isoformat() for d in queries._days(start, end)]
    for key, t in slow.items():
        f = fast[key]
        for name in ("views", "page_sessions", "exits", "votes_yes", "votes_no",
                     *queries.INT_COLUMNS):
            assert f[name] == t[name], (start, end, key, name)
        assert f["engaged_seconds"] == pytest.approx(t["engaged_seconds"], abs=1e-6)
        assert f.get("median") == t.get("median"), (start, end, key)
        assert f["trend_list"] == [t["trend"].get(d, 0) for d in days], (start, end, key)
    evidence = queries._window_sums(db.session, start, end, evidence=True)
    expected = _daily_evidence(start, end)
    for key in slow:
        for name in totals.EVIDENCE:
            assert dict(evidence[key][name]) == expected[key][name], (start, end, key, name)


def _daily_evidence(start, end):
    """(page, lang) -> {evidence name: counts} added up from the daily rows."""
    from collections import Counter, defaultdict
    out = defaultdict(lambda: {name: Counter() for name in totals.EVIDENCE})
    for row in db.session.scalars(select(PageDay).where(PageDay.day >= start, PageDay.day <= end)):
        out[(row.page, row.lang)]["reasons"].update(row.reasons or {})
    for row in db.session.scalars(select(PageSignalDay).where(PageSignalDay.day >= start,
                                                               PageSignalDay.day <= end)):
        out[(row.page, row.lang)]["stops"].update(row.stops or {})
        out[(row.page, row.lang)]["dead_end_kinds"].update(
            (row.details or {}).get("dead_end_kinds") or {})
    return {key: {name: dict(+c) for name, c in parts.items()} for key, parts in out.items()}


def test_any_range_equals_the_daily_rows(rolled):
    for start, end in ranges(seed=7):
        assert_same(start, end)


def test_a_range_with_no_rows_has_no_pages(rolled):
    before = FIRST - timedelta(days=10)
    assert queries._window_sums(db.session, before, before + timedelta(days=5)) == {}


def test_rerolling_a_past_day_rewrites_the_later_totals(rolled):
    day = FIRST + timedelta(days=20)
    row = db.session.get(PageDay, (day, "guide/a", "en")) or PageDay(
        day=day, page="guide/a", lang="en", sessions=0, engaged_seconds=0.0, exits=0,
        votes_yes=0, votes_no=0, reasons={}, scroll_histogram=[], section_reach={})
    row.views = 1000
    db.session.add(row)
    db.session.execute(delete(PageSignalDay).where(PageSignalDay.day == day,
                                                  PageSignalDay.page == "guide/b"))
    db.session.add(PageDay(day=day, page="new/page", lang="en", views=7, sessions=3,
                           engaged_seconds=12.3, exits=1, votes_yes=1, votes_no=0, reasons={},
                           scroll_histogram=[], section_reach={}))
    db.session.flush()
    totals.rebuild(db.session, day)
    for start, end in ranges(seed=11, count=20):
        assert_same(start, end)
    assert queries._window_sums(db.session, day, day)[("new/page", "en")]["views"] == 7


def test_the_refresh_builds_totals_missing_after_an_upgrade(rolled):
    db.session.execute(delete(PageTotal))
    db.session.execute(delete(PageTotalKey))
    db.session.commit()
    assert queries._window_sums(db.session, FIRST, FIRST + timedelta(days=DAYS)) == {}
    assert refresh_dirty(db.session) == [FIRST]
    assert_same(FIRST, FIRST + timedelta(days=DAYS))
    assert refresh_dirty(db.session) == []  # built once


def test_the_rollup_of_a_dirty_day_updates_the_totals(rolled):
    day = FIRST + timedelta(days=DAYS - 1)
    db.session.add(DirtyDay(day=day))
    db.session.commit()
    assert refresh_dirty(db.session) == [day]
    # The day had no raw events: its rollup rows are gone, and so are its totals.
    assert db.session.scalar(select(PageDay).where(PageDay.day == day)) is None
    assert queries._window_sums(db.session, day, day) == {}
    assert_same(FIRST, day)
