"""Daily rollups per page and language, rebuilt from raw events (idempotent).

Ingest marks the day it wrote to as dirty; `refresh_dirty` (called by reports before they
read, and by `portal rollup`) recomputes those days, so fresh events show within seconds.
"""
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import delete, select

from portal.feedback.models import DirtyDay, Event, PageDay, Vote

BUCKETS = (25, 50, 75, 100)


def scroll_bucket(depth):
    """Index into the histogram [0-24, 25-49, 50-74, 75-99, 100]."""
    return sum(depth >= b for b in BUCKETS)


def rollup_day(db_session, day):
    """Replace the rollups of `day` with ones computed from its raw events and votes.

    The day's dirty mark goes first: a batch committed while this runs marks the day
    again (on PostgreSQL its insert waits for this delete), so it is never left uncounted.
    """
    db_session.execute(delete(DirtyDay).where(DirtyDay.day == day))
    db_session.execute(delete(PageDay).where(PageDay.day == day))
    rows = defaultdict(lambda: _Acc())
    last_view = {}  # session -> (page, lang) of its latest page view: where it left
    for e in db_session.execute(select(Event.session, Event.type, Event.page, Event.lang,
                                       Event.data).where(Event.day == day)
                                .order_by(Event.received_at, Event.id)):
        rows[(e.page, e.lang)].add(e)
        if e.type == "page_view":
            last_view[e.session] = (e.page, e.lang)
    for key in last_view.values():
        rows[key].exits += 1
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    for v in db_session.scalars(select(Vote).where(Vote.updated_at >= start,
                                                    Vote.updated_at < start + timedelta(days=1))):
        rows[(v.page, v.lang)].vote(v)
    for (page, lang), acc in rows.items():
        db_session.add(acc.row(day, page, lang))
    return len(rows)


def rollup_range(db_session, first, last):
    """Rebuild every day from `first` to `last` inclusive; returns the rows written."""
    total, day = 0, first
    while day <= last:
        total += rollup_day(db_session, day)
        day += timedelta(days=1)
    return total


def refresh_dirty(db_session):
    """Recompute the days ingest wrote to since the last rollup; returns them."""
    days = list(db_session.scalars(select(DirtyDay.day)))
    for day in days:
        rollup_day(db_session, day)
    return days


class _Acc:
    """Accumulates one page/language/day."""

    def __init__(self):
        self.views = self.exits = self.search_entries = self.copies = self.outbound = 0
        self.engaged = 0.0
        self.sessions = set()
        self.depth = {}
        self.sections = defaultdict(set)
        self.yes = self.no = 0
        self.reasons = defaultdict(int)

    def add(self, e):
        data = e.data or {}
        if e.type == "page_view":
            self.views += 1
            self.sessions.add(e.session)
            self.search_entries += data.get("ref") == "search"
        elif e.type == "engagement":
            self.engaged += data.get("seconds", 0)
        elif e.type == "scroll":
            self.depth[e.session] = max(self.depth.get(e.session, 0), data.get("depth", 0))
            if data.get("section"):
                self.sections[data["section"]].add(e.session)
        elif e.type == "copy":
            self.copies += 1
        elif e.type == "link":
            self.outbound += 1

    def vote(self, v):
        if v.section:
            return  # section votes are reported per section, not as the page's rate
        self.yes += v.helpful
        self.no += not v.helpful
        if v.reason:
            self.reasons[f"{'yes' if v.helpful else 'no'}:{v.reason}"] += 1

    def row(self, day, page, lang):
        histogram = [0] * (len(BUCKETS) + 1)
        for depth in self.depth.values():
            histogram[scroll_bucket(depth)] += 1
        return PageDay(day=day, page=page, lang=lang, views=self.views,
                       sessions=len(self.sessions), engaged_seconds=round(self.engaged, 1),
                       exits=self.exits, search_entries=self.search_entries, copies=self.copies,
                       outbound=self.outbound, scroll_histogram=histogram,
                       section_reach={k: len(v) for k, v in sorted(self.sections.items())},
                       votes_yes=self.yes, votes_no=self.no, reasons=dict(self.reasons))
