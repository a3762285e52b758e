"""Running totals per page and language: the sums of any date range in two lookups.

The page table adds up every page's daily rows over the chosen range; at 1,000 pages × 90
days that was 90,000 rows per request. `insight_page_totals` (`PageTotal`) keeps, for each
day a page has rollup rows, the running sums of its numbers through that day, so

    sums over [start, end] = row at or before `end` − row at or before `start − 1`

— about 2,000 rows for any range, found by one index seek per page (`at`). Seconds are kept
in integer tenths, so the difference is exact (no float drift in a long running sum). Each
row also carries its month's views per day so far (`month_views`), which gives the
sparklines with one more lookup per month of the range, and the running sums of the bounded
evidence (`evidence`: vote reasons, stop headings, kinds of dead end), so every row of the
page table is explained from the same two rows.

`rebuild(db_session, first)` rewrites the rows from `first` on from the daily rollups; the
rollup calls it after rolling up days (`portal.feedback.rollup`).
"""
import json
from calendar import monthrange
from collections import defaultdict
from datetime import date, timedelta

import orjson
from sqlalchemy import (Date, String, Text, bindparam, column, delete, func, insert, select, text,
                        true, type_coerce)

from portal.feedback.models import PageDay
from portal.insights.models import PageSignalDay, PageTotal, PageTotalKey

PAGE_COUNTS = ("views", "page_sessions", "engaged_tenths", "exits", "votes_yes", "votes_no",
               "page_rows")
SIGNAL_COUNTS = ("sessions", "search_arrivals", "search_after", "pogo", "dead_ends", "loops",
                 "scrolled", "completed", "stopped", "median_tenths", "median_weight",
                 "signal_rows")
COUNTS = PAGE_COUNTS + SIGNAL_COUNTS
_SIGNAL_INTS = SIGNAL_COUNTS[:9]
_ZERO = (0,) * len(COUNTS)
EVIDENCE = ("reasons", "stops", "dead_end_kinds")


def at(db_session, day, month=False, counts=True, evidence=False, pages=None):
    """(page, lang) -> (row day, counts tuple[, month_views][, evidence]) of each page's
    latest row on or before `day` (pages with none are absent): one index seek per page,
    from the keys. Without `counts`, the counts tuple is empty (the sparklines read only the
    month); `evidence` adds the row's running evidence as JSON text; `pages`: only these
    slugs."""
    names = COUNTS if counts else ()
    columns = (["page", "lang", "day", *names] + (["month_views"] if month else [])
               + (["evidence"] if evidence else []))
    if db_session.get_bind().dialect.name == "sqlite":
        stmt = _at_sqlite(columns, pages is not None)
    else:
        stmt = _at_lateral(columns, pages is not None)
    params = {"day": day} if pages is None else {"day": day, "pages": sorted(pages)}
    width = len(names)
    out = {}
    iso = date.fromisoformat
    for page, lang, d, *rest in db_session.execute(stmt, params):
        out[(page, lang)] = (iso(d[:10]) if type(d) is str else d, tuple(rest[:width]),
                             *rest[width:])
    return out


def _at_lateral(columns, some=False):
    """PostgreSQL (and others with LATERAL): the latest row of each key, newest first, limit 1."""
    t, k = PageTotal.__table__, PageTotalKey.__table__
    latest = (select(*(t.c[name] for name in columns[2:]))
              .where(t.c.page == k.c.page, t.c.lang == k.c.lang,
                     t.c.day <= bindparam("day", type_=Date))
              .order_by(t.c.day.desc()).limit(1).lateral("latest"))
    stmt = select(k.c.page, k.c.lang, *(latest.c[name] for name in columns[2:])).select_from(
        k.join(latest, true()))
    return stmt.where(k.c.page.in_(bindparam("pages", expanding=True))) if some else stmt


def _at_sqlite(columns, some=False):
    """SQLite: CROSS JOIN keeps the keys as the outer loop (SQLite does not reorder it), so
    the latest day is one seek per key instead of a scan of every row."""
    names = ", ".join(f"t.{name}" for name in columns)
    only = " AND k.page IN :pages" if some else ""
    params = [bindparam("day", type_=Date)] + ([bindparam("pages", expanding=True)] if some else [])
    return text(
        f"SELECT {names} FROM insight_page_total_keys k CROSS JOIN insight_page_totals t "
        "WHERE t.page = k.page AND t.lang = k.lang AND t.day = (SELECT max(i.day) FROM "
        f"insight_page_totals i WHERE i.page = k.page AND i.lang = k.lang AND i.day <= :day){only}"
    ).bindparams(*params).columns(
        # The day as text, turned into a date by `at` (SQLAlchemy's SQLite date parsing, a
        # regular expression per row, was a tenth of the page table).
        *(column(name, String) if name == "day" else PageTotal.__table__.c[name]
          for name in columns))


def window(db_session, start, end, evidence=False, high=None):
    """(page, lang) -> {count name: sum over [start, end]} of the pages with rows in it; with
    `evidence`, also {"evidence": {name: {key: count}}} of the bounded evidence. `high`: the
    rows `at(end)` when the caller has them already (with the same `evidence`)."""
    if high is None:
        high = at(db_session, end, evidence=evidence)
    low = at(db_session, start - timedelta(days=1), evidence=evidence)
    out = {}
    for key, (_day, counts, *more) in high.items():
        below = low.get(key)
        before = below[1] if below else _ZERO
        diff = dict(zip(COUNTS, (a - b for a, b in zip(counts, before))))
        if diff["page_rows"] or diff["signal_rows"]:
            out[key] = diff
            if evidence:
                diff["evidence"] = _evidence_between(below[-1] if below else None, more[-1])
    return out


def _evidence_between(before, after, loads=orjson.loads):
    """The evidence counted between two running-evidence JSON texts."""
    if before == after:
        return {}
    high = loads(after) if after else {}
    if not before:
        return high
    low = loads(before)
    out = {}
    for name, counts in high.items():
        base = low.get(name)
        if not base:
            out[name] = counts
            continue
        diff = {k: n - base.get(k, 0) for k, n in counts.items()}
        out[name] = {k: n for k, n in diff.items() if n}
    return out


def views_per_day(db_session, start, end, keys, at_end=None):
    """(page, lang) -> [views on each day from `start` to `end`] for `keys`; `at_end`: the
    rows `at(end, month=True)` when the caller has them already."""
    out = {key: [] for key in keys}
    # A few rows' trends (the HTML table's hundred): look up only their pages.
    pages = {slug for slug, _lang in out} if len(out) <= 200 else None
    month_start = start.replace(day=1)
    while month_start <= end:
        last = month_start.replace(day=monthrange(month_start.year, month_start.month)[1])
        first_day, last_day = max(start, month_start), min(end, last)
        rows = (at_end if at_end is not None and last_day == end
                else at(db_session, last_day, month=True, counts=False, pages=pages))
        width = (last_day - first_day).days + 1
        lo, hi = first_day.day - 1, last_day.day
        for key, trend in out.items():
            row = rows.get(key)
            if row is None or row[0] < month_start or not row[2]:
                trend.extend([0] * width)
                continue
            days = orjson.loads(f"[{row[2]}]")[lo:hi]
            trend.extend(days)
            if len(days) < width:
                trend.extend([0] * (width - len(days)))
        month_start = last + timedelta(days=1)
    return out


def rebuild(db_session, first):
    """Rewrite the running totals of every day from `first` on from the daily rollups."""
    base = at(db_session, first - timedelta(days=1), month=True, evidence=True)
    db_session.execute(delete(PageTotal).where(PageTotal.day >= first))
    days = defaultdict(dict)  # (page, lang) -> {day: [counts...]}
    found = defaultdict(dict)  # (page, lang) -> {day: [(evidence name, JSON text)]}
    for page, lang, day, views, sessions, engaged, exits, yes, no, reasons in db_session.execute(
            select(PageDay.page, PageDay.lang, PageDay.day, PageDay.views, PageDay.sessions,
                   PageDay.engaged_seconds, PageDay.exits, PageDay.votes_yes, PageDay.votes_no,
                   type_coerce(PageDay.reasons, Text))
            .where(PageDay.day >= first)):
        row = days[(page, lang)].setdefault(day, [0] * len(COUNTS))
        row[:7] = (views or 0, sessions or 0, round((engaged or 0) * 10), exits or 0, yes or 0,
                   no or 0, 1)
        if _present(reasons):
            found[(page, lang)].setdefault(day, []).append(("reasons", reasons))
    ints = [getattr(PageSignalDay, name) for name in _SIGNAL_INTS]
    for page, lang, day, median, stops, kinds, *values in db_session.execute(
            select(PageSignalDay.page, PageSignalDay.lang, PageSignalDay.day,
                   PageSignalDay.engaged_median, type_coerce(PageSignalDay.stops, Text),
                   type_coerce(PageSignalDay.details["dead_end_kinds"], Text), *ints)
            .where(PageSignalDay.day >= first)):
        row = days[(page, lang)].setdefault(day, [0] * len(COUNTS))
        sessions = values[0] or 0
        row[7:] = ([v or 0 for v in values]
                   + ([round(median * 10) * sessions, sessions] if median is not None else [0, 0])
                   + [1])
        for name, value in (("stops", stops), ("dead_end_kinds", kinds)):
            if _present(value):
                found[(page, lang)].setdefault(day, []).append((name, value))
    rows = []
    for (page, lang), by_day in days.items():
        previous = base.get((page, lang))
        running = list(previous[1]) if previous else [0] * len(COUNTS)
        month, views = _month_of(previous)
        evidence = _Evidence(previous[3] if previous else None)
        extra = found.get((page, lang), {})
        for day in sorted(by_day):
            running = [a + b for a, b in zip(running, by_day[day])]
            if month != (day.year, day.month):
                month, views = (day.year, day.month), []
            views.extend([0] * (day.day - 1 - len(views)))
            views.append(by_day[day][0])
            rows.append(dict(zip(COUNTS, running), page=page, lang=lang, day=day,
                             month_views=",".join(map(str, views)),
                             evidence=evidence.add(extra.get(day))))
    if rows:
        db_session.execute(insert(PageTotal), rows)
        known = set(map(tuple, db_session.execute(select(PageTotalKey.page, PageTotalKey.lang))))
        new = [{"page": p, "lang": lg} for p, lg in days if (p, lg) not in known]
        if new:
            db_session.execute(insert(PageTotalKey), new)
    return len(rows)


_EMPTY = frozenset(("{}", "null", ""))


def _present(value):
    """Whether a JSON part read as text (SQLite) or decoded (PostgreSQL) holds anything."""
    return bool(value) and (not isinstance(value, str) or value not in _EMPTY)


class _Evidence:
    """A page's running evidence sums, written out as JSON after each day."""

    def __init__(self, text):
        self.sums = {name: {} for name in EVIDENCE}
        if text:
            for name, counts in json.loads(text).items():
                self.sums[name] = dict(counts)
        self.text = json.dumps(self.sums, separators=(",", ":"), ensure_ascii=False)

    def add(self, parts):
        """The running evidence after adding one day's `parts` [(name, JSON text)]."""
        if not parts:
            return self.text
        for name, value in parts:
            counts = json.loads(value) if isinstance(value, str) else value
            if not isinstance(counts, dict):
                continue
            into = self.sums[name]
            for k, n in counts.items():
                into[k] = into.get(k, 0) + (n or 0)
        self.text = json.dumps(self.sums, separators=(",", ":"), ensure_ascii=False)
        return self.text


def _month_of(previous):
    """The month and views per day so far of a page's latest row before the rebuild."""
    if previous is None:
        return None, []
    day, _counts, month_views = previous[:3]
    return (day.year, day.month), [int(v) for v in month_views.split(",")] if month_views else []


def missing(db_session):
    """The first day of daily rollups that running totals were never built for (rows rolled
    up before the totals existed), or None."""
    if db_session.scalar(select(PageTotalKey.page).limit(1)) is not None:
        return None
    firsts = [db_session.scalar(select(func.min(model.day))) for model in (PageDay, PageSignalDay)]
    return min((d for d in firsts if d is not None), default=None)
