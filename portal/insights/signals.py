"""The reading signals of one day, computed in one ordered pass over its sessions.

`rollup_signals(db_session, day)` (called by `portal.feedback.rollup.rollup_day`) replaces the
day's rows in the insight tables (`portal.insights.models`). Each session is read in the
order the reader acted: events by their reader time `at` (the browser's clock corrected per
batch for skew; receive time for older rows), searches by the time the server logged them.

Each session counts at most once per signal and page. A page view's search outcome is one of:
pogo (back to search within seconds), dead end (the session ended on a search that found
nothing or whose results nobody clicked), or search after reading (any other search made
within a few minutes after it) — so one reader's behaviour is named once.
"""
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache

from sqlalchemy import Text, case, delete, func, insert, select, type_coerce

from portal.feedback.models import Event
from portal.insights.models import (PageSignalDay, RevisionHeadings, SearchDay, SessionPath,
                                    SurveyDay)
from portal.search.models import SearchClick, SearchLog

POGO_SECONDS = 20  # a reader who went back to search within this left "within seconds"
SEARCH_AFTER_SECONDS = 600  # a search this soon after reading a page is "after reading" it
COMPLETE_DEPTH = 90  # scroll depth (percent) that counts as reading to the end
ENGAGED_BUCKETS = (0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 3600)
TYPES = ("page_view", "engagement", "scroll", "feedback", "exit")
MAX_DETAIL = 12  # evidence dicts keep their largest entries only


@dataclass
class View:
    """One page view in a session and what the reader did on it."""

    page: str
    lang: str
    at: int
    ref: str | None = None
    search_id: int | None = None
    rev: int | None = None
    last: int = 0
    engaged: float = 0.0
    depth: int = -1
    sections: set = field(default_factory=set)
    vote_no: bool = False
    searches: list = field(default_factory=list)

    @property
    def dwell(self):
        return max(self.engaged, (self.last - self.at) / 1000)


@dataclass
class Search:
    """A logged search (or return to a results page) in a session."""

    id: int
    at: int
    key: str
    query: str
    lang: str
    results: int
    clicks: int
    from_page: str | None
    is_return: bool


def ms(moment):
    """Milliseconds since the epoch of an aware datetime."""
    return int(moment.timestamp() * 1000)


def rollup_signals(db_session, day):
    """Replace the day's signal, path, search and survey rows; returns the page rows written."""
    _orders.clear()
    _stored.clear()
    for model in (PageSignalDay, SessionPath, SearchDay, SurveyDay):
        db_session.execute(delete(model).where(model.day == day))
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    searches, anonymous = _searches(db_session, start, start + timedelta(days=1))
    pages = defaultdict(_PageAcc)
    search_days = defaultdict(_SearchAcc)
    paths = []
    seen_sessions = set()
    for session, events in _sessions(db_session, day):
        seen_sessions.add(session)
        _one_session(db_session, session, events, searches.pop(session, []), pages,
                     search_days, paths, day)
    for session, items in searches.items():  # searched but never read a page today
        _one_session(db_session, session, [], items, pages, search_days, paths, day)
    for s in anonymous:
        search_days[(s.lang, s.key)].add(s, None)
    # Core bulk inserts: the ORM's unit of work would cost more than the counting.
    for model, rows in ((PageSignalDay, [acc.row(day, page, lang)
                                         for (page, lang), acc in pages.items()]),
                        (SearchDay, [acc.row(day, lang, key)
                                     for (lang, key), acc in search_days.items()]),
                        (SessionPath, paths)):
        if rows:
            db_session.execute(insert(model), rows)
    _surveys(db_session, day)
    _store_headings(db_session)
    return len(pages)


def _sessions(db_session, day):
    """(session, [(at, type, page, lang, data)]) for every session of the day, in reader order."""
    order_at = func.coalesce(Event.at, 0)
    # The receive time only where the reader's time is missing (rows stored before it was
    # kept): parsing 100,000 timestamps a day nobody reads was a fifth of this pass. Core
    # execution: the ORM's row handling cost as much again.
    received_at = case((Event.at.is_(None), Event.received_at))
    stmt = (select(Event.session, Event.at, received_at, Event.type, Event.page, Event.lang,
                   Event.data)
            .where(Event.day == day, Event.type.in_(TYPES))
            .order_by(Event.session, order_at, Event.received_at, Event.id))
    current, events = None, []
    for session, at, received, kind, page, lang, data in db_session.connection().execute(stmt):
        if session != current:
            if events:
                yield current, _sorted(events)
            current, events = session, []
        events.append((at if at is not None else ms(received), kind, page, lang, data or {}))
    if events:
        yield current, _sorted(events)


def _sorted(events):
    # Rows without `at` (stored before it was kept) sort by receive time; a stable sort
    # keeps the batch order for equal times.
    return sorted(events, key=lambda e: e[0])


def _searches(db_session, start, end):
    """The window's searches by session, and the session-less ones."""
    clicks = dict(db_session.execute(
        select(SearchClick.search_id, func.count()).join(SearchLog)
        .where(SearchLog.created_at >= start, SearchLog.created_at < end)
        .group_by(SearchClick.search_id)).all())
    by_session, anonymous = defaultdict(list), []
    stmt = (select(SearchLog.id, SearchLog.created_at, SearchLog.query_key, SearchLog.query,
                   SearchLog.lang, SearchLog.results, SearchLog.session, SearchLog.from_page,
                   SearchLog.is_return)
            .where(SearchLog.created_at >= start, SearchLog.created_at < end)
            .order_by(SearchLog.created_at, SearchLog.id))
    for sid, created, key, query, lang, results, session, from_page, is_return in \
            db_session.execute(stmt):
        s = Search(sid, ms(created), key, query, lang, results, clicks.get(sid, 0), from_page,
                   bool(is_return))
        (by_session[session] if session else anonymous).append(s)
    return by_session, anonymous


def _one_session(db_session, session, events, searches, pages, search_days, paths, day):
    views = _views(events)
    by_id = {s.id: s for s in searches if not s.is_return}
    for v in views:  # a result opened counts as a click even when no click event came
        if v.ref == "search" and v.search_id in by_id and not by_id[v.search_id].clicks:
            by_id[v.search_id].clicks = 1
    _attribute(views, searches)
    actions = sorted([(v.at, 0, v) for v in views] + [(s.at, 1, s) for s in searches],
                     key=lambda a: (a[0], a[1]))
    actions = [a[2] for a in actions]
    ended_with, dead_view = _ending(views, actions)
    touched = defaultdict(set)  # (page, lang) -> signals this session showed there
    for i, v in enumerate(views):
        acc = pages[(v.page, v.lang)]
        marks = touched[(v.page, v.lang)]
        marks.add("view")
        if v.ref == "search":
            marks.add("arrival")
            origin = by_id.get(v.search_id)
            if origin is not None:
                acc.before[origin.key] += 1
                acc.examples.setdefault(origin.key, origin.query)
        if v.rev:
            acc.revisions[str(v.rev)] += 1
        nxt = _next_action(actions, v)
        if v.ref == "search" and v.dwell <= POGO_SECONDS and _back_to_search(v, nxt):
            marks.add("pogo")
        elif v is dead_view:
            marks.add("dead_end")
            acc.dead_kinds[ended_with] += 1
        elif any(not s.is_return for s in v.searches):
            marks.add("search_after")
            for s in v.searches:
                if not s.is_return:
                    acc.after[s.key] += 1
                    acc.examples.setdefault(s.key, s.query)
        acc.observe(session, v)
    folded = _fold([(v.page, v.lang) for v in views])
    for a, b in zip(folded, folded[1:]):
        pages[a].next_pages[b[0]] += 1
        pages[b].prev_pages[a[0]] += 1
    for a, b, c in zip(folded, folded[1:], folded[2:]):
        if a == c and "loop" not in touched[a]:
            touched[a].add("loop")
            pages[a].loop_partners[b[0]] += 1
    for key, marks in touched.items():
        pages[key].count(marks)
    for key, marks in touched.items():
        pages[key].finish_session(session, lambda key=key: _order(db_session, key),
                                  bounced="pogo" in marks)
    last_page = views[-1].page if views else None
    for s in searches:
        search_days[(s.lang, s.key)].add(s, _ended_on(views, s) or last_page)
    if views:
        paths.append(dict(day=day, session=session, lang=views[0].lang,
                          pages=[p for p, _ in folded][:200], ended_with=ended_with))


def _views(events):
    """Page views with the engagement, scroll, votes and exit events that belong to each."""
    views, latest = [], {}
    for at, kind, page, lang, data in events:
        key = (page, lang)
        if kind == "page_view":
            v = View(page, lang, at, data.get("ref"), data.get("search_id"), data.get("rev"),
                     last=at)
            views.append(v)
            latest[key] = v
            continue
        v = latest.get(key) or next((w for w in views if (w.page, w.lang) == key), None)
        if v is None:
            continue  # the view was on another day: its reading is counted there
        v.last = max(v.last, at)
        if kind == "engagement":
            v.engaged += float(data.get("seconds") or 0)
        elif kind == "scroll":
            v.depth = max(v.depth, int(data.get("depth") or 0))
            if data.get("section"):
                v.sections.add(data["section"])
        elif kind == "feedback" and not data.get("section"):
            v.vote_no = data.get("helpful") is False
    return views


def _attribute(views, searches):
    """Give each search to the page view it was made from (named, else the latest before it)."""
    for s in searches:
        origin = None
        if s.from_page:
            candidates = [v for v in views if v.page == s.from_page]
            before = [v for v in candidates if v.at <= s.at]
            origin = (before or candidates or [None])[-1]
        if origin is None:  # made from the page read just before a result of it was opened
            opened = next((i for i, v in enumerate(views)
                           if v.ref == "search" and v.search_id == s.id), None)
            if opened:
                origin = views[opened - 1]
        if origin is None:
            before = [v for v in views if v.at <= s.at]
            if before and (s.at - before[-1].last) / 1000 <= SEARCH_AFTER_SECONDS:
                origin = before[-1]
        if origin is not None:
            origin.searches.append(s)


def _next_action(actions, view):
    i = next(i for i, a in enumerate(actions) if a is view)
    return actions[i + 1] if i + 1 < len(actions) else None


def _back_to_search(view, nxt):
    """Whether the action after `view` took the reader back to search."""
    if nxt is None:
        return False
    if isinstance(nxt, Search):
        return True
    return nxt.ref == "search"  # another result, of the same search or a new one


_orders = {}


_stored = {}  # revision id -> [[id, text, place]] stored by an earlier rollup


def _order(db_session, key):
    """(heading ids of a page in order, where each starts); the pages' text and the stored
    headings are read once per rollup pass, and only pages without stored headings are
    rendered (a restarted worker rendered every page read that day on its first rollup)."""
    if not _orders:
        _orders[None] = _current_revisions(db_session)
        _stored.update(db_session.execute(select(RevisionHeadings.revision_id,
                                                 RevisionHeadings.headings)).all())
    if key not in _orders:
        current = _orders[None].get(key)
        heads = _stored.get(current[0]) if current else None
        if heads is not None:
            _orders[key] = (tuple(h[0] for h in heads), tuple(h[2] for h in heads))
        else:
            _orders[key] = _heading_places(*key, current[1]) if current else ((), ())
    return _orders[key]


def _store_headings(db_session):
    """Keep the headings of the revisions this pass rendered, for the reports to read."""
    current = _orders.get(None) or {}
    rendered = {current[key][0]: key for key in _orders if key is not None and key in current}
    if not rendered:
        return
    known = set(db_session.scalars(select(RevisionHeadings.revision_id)
                                   .where(RevisionHeadings.revision_id.in_(rendered))))
    rows = []
    for revision_id, key in rendered.items():
        if revision_id not in known:
            heads, places = _rendered_headings(*key, current[key][1])
            rows.append({"revision_id": revision_id,
                         "headings": [[hid, text, place] for (hid, text), place
                                      in zip(heads, places)]})
    if rows:
        db_session.execute(insert(RevisionHeadings), rows)


def stored_headings(db_session, keys=None):
    """(slug, lang) -> stored headings of the current revisions whose headings a rollup
    stored (of `keys` only, when given), read by `heading_pairs` when needed; pages missing
    here must be rendered."""
    from portal.content.models import Page, Translation
    stmt = (select(Page.slug, Translation.lang, type_coerce(RevisionHeadings.headings, Text))
            .join(Translation, Translation.current_revision_id == RevisionHeadings.revision_id)
            .join(Page, Page.id == Translation.page_id))
    if keys is not None:
        if not keys:
            return {}
        stmt = stmt.where(Page.slug.in_({slug for slug, _ in keys}))
    return {(slug, lang): heads for slug, lang, heads in db_session.execute(stmt)
            if keys is None or (slug, lang) in keys}


def heading_pairs(stored):
    """((id, text), ...) from one `stored_headings` value (JSON text on SQLite, a list on
    PostgreSQL)."""
    heads = json.loads(stored) if isinstance(stored, str) else stored
    return tuple((h[0], h[1]) for h in heads or ())


def _ending(views, actions):
    """How the session ended when it ended stuck, and the page view it ended stuck on."""
    if not actions or not views:
        return None, None
    last = actions[-1]
    if isinstance(last, Search):
        searches = [a for a in actions if isinstance(a, Search) and not a.is_return]
        final = searches[-1] if searches else None
        if final is None or final.clicks:
            return None, None
        kind = "zero_search" if final.results == 0 else "no_click_search"
        origin = next((v for v in reversed(views) if final in v.searches), views[-1])
        return kind, origin
    if last.vote_no:
        return "no_vote", last
    return None, None


def _ended_on(views, search):
    after = [v for v in views if v.at >= search.at]
    return after[-1].page if after else None


def _fold(pairs):
    out = []
    for p in pairs:
        if not out or out[-1] != p:
            out.append(p)
    return out


@lru_cache(maxsize=8192)
def _rendered_headings(page, lang, markdown):
    """((id, text) of the h2/h3 headings, where each starts as a fraction of the page's
    length): one rendering serves the rollup and the reports (the first page table after
    a rollup in the same process renders nothing again)."""
    from portal.content.render import render_markdown
    rendered = render_markdown(markdown, slug=page, lang=lang)
    heads = tuple((hid, text) for level, hid, text in rendered.headings if level in (2, 3))
    size = max(len(rendered.html), 1)
    return heads, tuple(max(0, rendered.html.find(f'id="{hid}"')) / size for hid, _ in heads)


def _heading_order(page, lang, markdown):
    return _rendered_headings(page, lang, markdown)[0]


def _current_revisions(db_session, page=None, lang=None):
    """(slug, lang) -> (revision id, Markdown) of each translation's current revision."""
    from portal.content.models import Page, Revision, Translation
    stmt = (select(Page.slug, Translation.lang, Revision.id, Revision.markdown)
            .join(Translation, Translation.current_revision_id == Revision.id)
            .join(Page, Page.id == Translation.page_id))
    if page is not None:
        stmt = stmt.where(Page.slug == page, Translation.lang == lang)
    return {(slug, lg): (rid, md) for slug, lg, rid, md in db_session.execute(stmt)}


def _current_markdown(db_session, page=None, lang=None):
    return {key: md for key, (_id, md) in _current_revisions(db_session, page, lang).items()}


def _heading_places(page, lang, markdown):
    """(heading ids in page order, where each starts as a fraction of the page's length)."""
    heads, places = _rendered_headings(page, lang, markdown)
    return tuple(hid for hid, _ in heads), places


def depth_index(places, depth):
    """The last heading a reader who scrolled to `depth` percent has passed, or -1."""
    index = -1
    for i, place in enumerate(places):
        if place * 100 <= depth:
            index = i
    return index


def headings(db_session, page, lang):
    """The h2/h3 headings (id, text) of `page` in `lang` (current revision), in page order:
    as the rollup stored them, else rendered."""
    stored = stored_headings(db_session, {(page, lang)}).get((page, lang))
    if stored is not None:
        return heading_pairs(stored)
    markdown = _current_markdown(db_session, page, lang).get((page, lang))
    return _heading_order(page, lang, markdown) if markdown else ()


class _PageAcc:
    """One page/language being counted over the day's sessions."""

    def __init__(self):
        # defaultdict(int) rather than Counter: a day has thousands of these, and Counter's
        # constructor is several times slower.
        self.counts = defaultdict(int)
        self.stops, self.passed, self.engaged = defaultdict(int), defaultdict(int), {}
        self.before, self.after, self.examples = defaultdict(int), defaultdict(int), {}
        self.loop_partners, self.prev_pages = defaultdict(int), defaultdict(int)
        self.next_pages, self.dead_kinds, self.revisions = (defaultdict(int), defaultdict(int),
                                                            defaultdict(int))
        self._reading = {}  # session -> [engaged, depth, sections]
        self.engaged_each = []

    def observe(self, session, v):
        r = self._reading.setdefault(session, [0.0, -1, set()])
        r[0] += v.engaged
        r[1] = max(r[1], v.depth)
        r[2] |= v.sections

    def count(self, marks):
        self.counts["sessions"] += 1
        for name, column in (("arrival", "search_arrivals"), ("pogo", "pogo"),
                             ("dead_end", "dead_ends"), ("search_after", "search_after"),
                             ("loop", "loops")):
            if name in marks:
                self.counts[column] += 1

    def finish_session(self, session, order, bounced=False):
        engaged, depth, sections = self._reading.pop(session, (0.0, -1, set()))
        bucket = _bucket(engaged)
        self.engaged[bucket] = self.engaged.get(bucket, 0) + 1
        self.engaged_each.append(engaged)
        if depth < 0 and not sections:
            return
        order, places = order()
        # The deepest heading reported, or (for a scroll depth without one) the last heading
        # above that depth of the page.
        index = max((order.index(s) for s in sections if s in order), default=-1)
        if index < 0 and depth >= 0:
            index = depth_index(places, depth)
        for hid in order[:index + 1]:
            self.passed[hid] += 1
        self.counts["scrolled"] += 1
        if depth >= COMPLETE_DEPTH or (order and index == len(order) - 1):
            self.counts["completed"] += 1
        elif bounced:
            pass  # back to search within seconds: that is pogo-sticking, not a drop-off
        elif index >= 0:  # stopped at a heading before the last one
            self.counts["stopped"] += 1
            self.stops[order[index]] += 1
        else:  # left before the first heading: no section to name
            self.stops[""] += 1

    def row(self, day, page, lang):
        c = self.counts
        details = {"queries_after": _top(self.after), "queries_before": _top(self.before),
                   "loop_partners": _top(self.loop_partners), "prev_pages": _top(self.prev_pages),
                   "next_pages": _top(self.next_pages), "dead_end_kinds": dict(self.dead_kinds),
                   "revisions": dict(self.revisions)}
        keys = set(details["queries_after"]) | set(details["queries_before"])
        details["examples"] = {k: self.examples[k] for k in sorted(keys) if k in self.examples}
        return dict(
            day=day, page=page, lang=lang, sessions=c["sessions"],
            search_arrivals=c["search_arrivals"], search_after=c["search_after"], pogo=c["pogo"],
            dead_ends=c["dead_ends"], loops=c["loops"], scrolled=c["scrolled"],
            completed=c["completed"], stopped=c["stopped"], stops=dict(self.stops),
            sections_passed=dict(self.passed),
            engaged=[self.engaged.get(i, 0) for i in range(len(ENGAGED_BUCKETS))],
            engaged_median=_median(self.engaged_each),
            details=details)


def _median(values):
    if not values:
        return None
    values = sorted(values)
    mid = len(values) // 2
    return round(values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2, 1)


def _bucket(seconds):
    i = 0
    for i, low in enumerate(ENGAGED_BUCKETS):
        if seconds < low:
            return i - 1
    return i


def _top(counter):
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_DETAIL])


class _SearchAcc:
    def __init__(self):
        self.counts, self.end_pages, self.examples = Counter(), Counter(), Counter()

    def add(self, s, end_page):
        if s.is_return:
            self.counts["returns"] += 1
            return
        self.counts["searches"] += 1
        self.counts["zero"] += s.results == 0
        self.counts["clicked"] += s.clicks > 0
        self.examples[s.query] += 1
        if end_page:
            self.end_pages[end_page] += 1

    def row(self, day, lang, key):
        c = self.counts
        example = self.examples.most_common(1)[0][0] if self.examples else key
        return dict(day=day, lang=lang, query_key=key, example=example[:200],
                         searches=c["searches"], zero_results=c["zero"], clicked=c["clicked"],
                         returns=c["returns"], end_pages=_top(self.end_pages))


def _surveys(db_session, day):
    kind, score = Event.data["kind"].as_string(), Event.data["score"].as_integer()
    inner = (select(Event.lang, kind.label("kind"), score.label("score"))
             .where(Event.day == day, Event.type == "survey").subquery())
    stmt = (select(inner.c.lang, inner.c.kind, inner.c.score, func.count())
            .group_by(inner.c.lang, inner.c.kind, inner.c.score))
    for lang, k, s, n in db_session.execute(stmt):
        if k is not None and s is not None:
            db_session.add(SurveyDay(day=day, lang=lang, kind=k, score=int(s), responses=n))
