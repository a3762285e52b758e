"""Daily rollups per page and language, rebuilt from raw events (idempotent).

Ingest marks the day it wrote to as dirty; `refresh_dirty` (called by reports before they
read, and by `portal rollup`) recomputes those days, so fresh events show within seconds.
"""
import gc
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, case, delete, func, insert, select, text

from portal.feedback.models import DirtyDay, Event, PageDay, Vote

BUCKETS = (25, 50, 75, 100)  # histogram: [0-24, 25-49, 50-74, 75-99, 100] percent
ROLLUP_LOCK = 0x5349_474E  # PostgreSQL advisory lock key held by every rollup ("SIGN")


def _one_at_a_time(db_session, wait=True):
    """Hold the rollup lock to the end of this transaction, waiting for any other rollup's
    transaction to end first; without `wait`, return False at once if another holds it.

    On PostgreSQL two rollups of the same day (a report refreshing a day that `portal rollup`,
    or another node, is rolling up) each delete the day's rows as their own snapshot shows
    them and insert new ones: the second failed with a unique-key error on the first's. The
    advisory lock lets one transaction roll up at a time. SQLite has one writer at a time.
    """
    if db_session.get_bind().dialect.name != "postgresql":
        return True
    if wait:
        db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROLLUP_LOCK})
        return True
    return bool(db_session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"),
                                  {"key": ROLLUP_LOCK}))


@contextmanager
def gc_paused():
    """Run a block without the cyclic garbage collector.

    A day's rollup (or a report) makes hundreds of thousands of small tuples and dicts, none
    in reference cycles; the collector's passes over them (and over the app's long-lived
    objects) added 10-60% to a run, varying from run to run. Reference counting still frees
    everything; a collection runs at the next allocation threshold after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def rollup_day(db_session, day, totals=True):
    """Replace the rollups of `day` with ones computed from its raw events and votes (see
    `_rollup_day`)."""
    with gc_paused():
        return _rollup_day(db_session, day, totals)


def _rollup_day(db_session, day, totals):
    """Replace the rollups of `day` with ones computed from its raw events and votes.

    The database does the counting (a few grouped queries over the day's events), so
    a day of hundreds of thousands of events rolls up in about a second.
    The day's dirty mark goes first: a batch committed while this runs marks the day
    again (on PostgreSQL its insert waits for this delete), so it is never left uncounted.
    With `totals`, the insights' running totals are rewritten from `day` on (callers rolling
    up several days pass False and rebuild them once from the first).
    """
    _one_at_a_time(db_session)
    db_session.execute(delete(DirtyDay).where(DirtyDay.day == day))
    db_session.execute(delete(PageDay).where(PageDay.day == day))
    rows = defaultdict(_Acc)
    for r in db_session.execute(_totals(day)):
        rows[(r.page, r.lang)].totals(r)
    for page, lang, bucket, sessions in db_session.execute(_scroll_buckets(day)):
        rows[(page, lang)].histogram[bucket] = sessions
    for page, lang, section, sessions in db_session.execute(_section_reach(day)):
        rows[(page, lang)].sections[section] = sessions
    for page, lang, exits in db_session.execute(_exits(day)):
        rows[(page, lang)].exits = exits
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    for v in db_session.scalars(select(Vote).where(Vote.updated_at >= start,
                                                    Vote.updated_at < start + timedelta(days=1))):
        rows[(v.page, v.lang)].vote(v)
    if rows:  # Core bulk insert: the ORM's unit of work costs more than the counting
        db_session.execute(insert(PageDay), [acc.values(day, page, lang)
                                             for (page, lang), acc in rows.items()])
    from portal.insights.signals import rollup_signals
    rollup_signals(db_session, day)
    if totals:
        _rebuild_totals(db_session, day)
    return len(rows)


def _rebuild_totals(db_session, first):
    from portal.insights.totals import missing, rebuild
    _one_at_a_time(db_session)
    first = min(d for d in (first, missing(db_session)) if d is not None)
    rebuild(db_session, first)
    return first


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _totals(day):
    """Per page and language: views, sessions, search entries, engaged seconds, copies, links."""
    view = Event.type == "page_view"
    seconds = case((Event.type == "engagement", Event.data["seconds"].as_float()), else_=0.0)
    return (select(Event.page, Event.lang,
                   _count_if(view).label("views"),
                   func.count(func.distinct(case((view, Event.session)))).label("sessions"),
                   _count_if(and_(view, Event.data["ref"].as_string() == "search"))
                   .label("search_entries"),
                   func.sum(seconds).label("engaged"),
                   _count_if(Event.type == "copy").label("copies"),
                   _count_if(Event.type == "link").label("outbound"))
            .where(Event.day == day).group_by(Event.page, Event.lang))


def _scroll_buckets(day):
    """Sessions by their deepest scroll on each page, in the histogram's buckets."""
    deepest = (select(Event.page, Event.lang,
                      func.max(Event.data["depth"].as_integer()).label("depth"))
               .where(Event.day == day, Event.type == "scroll")
               .group_by(Event.page, Event.lang, Event.session).subquery())
    bucket = case(*((deepest.c.depth >= b, i + 1) for i, b in reversed(list(enumerate(BUCKETS)))),
                  else_=0)
    # Grouped through a subquery: PostgreSQL does not match a GROUP BY expression that
    # carries bound parameters against the same expression in the SELECT list.
    bucketed = select(deepest.c.page, deepest.c.lang, bucket.label("bucket")).subquery()
    return (select(bucketed.c.page, bucketed.c.lang, bucketed.c.bucket, func.count())
            .group_by(bucketed.c.page, bucketed.c.lang, bucketed.c.bucket))


def _section_reach(day):
    """Sessions that scrolled to each section of each page."""
    scrolls = (select(Event.page, Event.lang, Event.session,
                      Event.data["section"].as_string().label("section"))
               .where(Event.day == day, Event.type == "scroll").subquery())
    return (select(scrolls.c.page, scrolls.c.lang, scrolls.c.section,
                   func.count(func.distinct(scrolls.c.session)))
            .where(scrolls.c.section.is_not(None))
            .group_by(scrolls.c.page, scrolls.c.lang, scrolls.c.section))


def _exits(day):
    """Sessions whose last page view of the day was on each page: where readers left."""
    last = (select(Event.page, Event.lang, func.row_number().over(
                partition_by=Event.session,
                order_by=(func.coalesce(Event.at, 0).desc(), Event.received_at.desc(),
                          Event.id.desc())).label("n"))
            .where(Event.day == day, Event.type == "page_view").subquery())
    return (select(last.c.page, last.c.lang, func.count()).where(last.c.n == 1)
            .group_by(last.c.page, last.c.lang))


def rollup_range(db_session, first, last):
    """Rebuild every day from `first` to `last` inclusive; returns the rows written."""
    total, day = 0, first
    while day <= last:
        total += rollup_day(db_session, day, totals=False)
        day += timedelta(days=1)
    _rebuild_totals(db_session, first)
    return total


def refresh_dirty(db_session):
    """Recompute the days ingest wrote to since the last rollup; returns them (and the first
    day of running totals built for the first time, after an upgrade)."""
    days = list(db_session.scalars(select(DirtyDay.day)))
    if days:
        # Another rollup running (`portal rollup --from` can take minutes on big data): the
        # report is served from the rollups as they are, and the days stay dirty for the
        # next one, rather than waiting for it. Else re-read them under the lock.
        if not _one_at_a_time(db_session, wait=False):
            return []
        days = list(db_session.scalars(select(DirtyDay.day)))
    for day in days:
        rollup_day(db_session, day, totals=False)
    from portal.insights.totals import missing
    first = min(days) if days else missing(db_session)
    if first is not None:
        first = _rebuild_totals(db_session, first)
        if first not in days:
            days.append(first)
    return days


class _Acc:
    """One page/language/day being assembled from the grouped queries and the votes."""

    def __init__(self):
        self.views = self.sessions = self.exits = self.search_entries = 0
        self.copies = self.outbound = 0
        self.engaged = 0.0
        self.histogram = [0] * (len(BUCKETS) + 1)
        self.sections = {}
        self.yes = self.no = 0
        self.reasons = defaultdict(int)

    def totals(self, r):
        self.views, self.sessions, self.search_entries = r.views, r.sessions, r.search_entries
        self.engaged, self.copies, self.outbound = float(r.engaged), r.copies, r.outbound

    def vote(self, v):
        if v.section:
            return  # section votes are reported per section, not as the page's rate
        self.yes += v.helpful
        self.no += not v.helpful
        if v.reason:
            self.reasons[f"{'yes' if v.helpful else 'no'}:{v.reason}"] += 1

    def values(self, day, page, lang):
        return dict(day=day, page=page, lang=lang, views=self.views,
                       sessions=self.sessions, engaged_seconds=round(self.engaged, 1),
                       exits=self.exits, search_entries=self.search_entries, copies=self.copies,
                       outbound=self.outbound, scroll_histogram=self.histogram,
                       section_reach=dict(sorted(self.sections.items())),
                       votes_yes=self.yes, votes_no=self.no, reasons=dict(self.reasons))
