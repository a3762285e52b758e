"""Insight reports: plain, JSON-ready dicts and lists read from the daily rollup tables.

The contract the insights pages, the JSON/CSV API and the exports build on (dates are ISO
strings, rates are fractions 0–1 rounded to 4 places, seconds and scores to 1 place):
`page_table`, `page_detail`, `search_gaps`, `survey_scores`, `page_window`. Each first
brings dirty days up to date (`refresh_dirty`), so an event sent now shows at once.
Reports read only `page_days` and the insight tables (sums over a range from the running
totals, `portal.insights.totals`), never raw events.
"""
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone

import orjson
from flask import current_app, url_for
from sqlalchemy import String, Text, case, cast, func, null, select, tuple_, type_coerce

from portal.content.models import Page, Revision, Translation
from portal.feedback.models import PageDay, SurveySetting, Vote
from portal.feedback.rollup import gc_paused, refresh_dirty
from portal.insights import explain, score as scoring, totals as totals_
from portal.insights.models import PageSignalDay, SearchDay, SurveyDay
from portal.insights.signals import ENGAGED_BUCKETS, headings

DEFAULT_DAYS = 28
RATE_SIGNALS = ("unhelpful", "search_after", "pogo", "drop_off", "loops", "dead_end")


def window(start=None, end=None):
    """The inclusive date range: defaults to the 28 days ending today (UTC)."""
    end = end or datetime.now(timezone.utc).date()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    return start, end


def _fresh(db_session):
    if refresh_dirty(db_session):
        db_session.commit()


def _r(value, places=4):
    return None if value is None else round(value, places)


# Loading and adding up the rollups

def _counter(_new=Counter.__new__):
    # An empty Counter without Counter.__init__ (which goes through update()): a thousand
    # totals hold eleven each, and the constructor was a tenth of the page table's time.
    return _new(Counter)


def _new_totals():
    c = _counter
    return {"views": 0, "page_sessions": 0, "engaged_seconds": 0.0, "exits": 0, "votes_yes": 0,
            "votes_no": 0, "reasons": c(), "sessions": 0, "search_arrivals": 0,
            "search_after": 0, "pogo": 0, "dead_ends": 0, "loops": 0, "scrolled": 0,
            "completed": 0, "stopped": 0, "stops": c(), "passed": c(),
            "engaged": [0] * len(ENGAGED_BUCKETS), "days": defaultdict(Counter),
            "queries_after": c(), "queries_before": c(), "examples": {},
            "loop_partners": c(), "prev_pages": c(), "next_pages": c(),
            "dead_end_kinds": c(), "revisions": c(), "trend": {}}


INT_COLUMNS = ("sessions", "search_arrivals", "search_after", "pogo", "dead_ends", "loops",
               "scrolled", "completed", "stopped")
PAGE_DAY_SUMS = (("views", "views"), ("page_sessions", "sessions"),
                 ("engaged_seconds", "engaged_seconds"), ("exits", "exits"),
                 ("votes_yes", "votes_yes"), ("votes_no", "votes_no"))
DETAIL_KEYS = ("queries_after", "queries_before", "loop_partners", "prev_pages", "next_pages",
               "dead_end_kinds", "revisions")


def _in_window(model, start, end, slug=None):
    cond = [model.day >= start, model.day <= end]
    if slug is not None:
        cond.append(model.page == slug)
    return cond


def _window_sums(db_session, start, end, trends=False, evidence=False, at_end=None):
    """(page, lang) -> totals: the numbers, from the running totals (two rows a page:
    `portal.insights.totals`); with `trends`, each page's views per day as "trend_list"; with
    `evidence`, the bounded evidence (reasons, stop headings, kinds of dead end) too.
    `at_end`: the running totals at `end` (`totals_.at`, with the same `evidence`)."""
    totals = {}
    if at_end is None:
        at_end = totals_.at(db_session, end, month=trends, evidence=evidence)
    for key, c in totals_.window(db_session, start, end, evidence, at_end).items():
        t = totals[key] = _new_totals()
        if evidence:
            for name, counts in c["evidence"].items():
                if counts:
                    t[name].update(counts)
        t["views"], t["page_sessions"] = c["views"], c["page_sessions"]
        t["engaged_seconds"], t["exits"] = c["engaged_tenths"] / 10, c["exits"]
        t["votes_yes"], t["votes_no"] = c["votes_yes"], c["votes_no"]
        for name in INT_COLUMNS:
            t[name] = c[name]
        if c["signal_rows"]:
            w = c["median_weight"]
            t["median"] = round(c["median_tenths"] / 10 / w, 1) if w else None
    if trends:
        for key, views in totals_.views_per_day(db_session, start, end, totals, at_end).items():
            totals[key]["trend_list"] = views
    return totals


def _sums(db_session, start, end, slug=None, trends=False):
    """(page, lang) -> totals added up from the daily rows (what `_window_sums` reads from
    the running totals; kept as the reference the tests compare it with).

    With `trends`, the same grouped query also brings each page's views per day, joined into
    one "day=views,..." string by the database (no Python loop over the daily rows).
    """
    totals = defaultdict(_new_totals)
    cols = [func.sum(getattr(PageDay, column)) for _, column in PAGE_DAY_SUMS]
    if trends:
        cols.append(func.aggregate_strings(
            cast(PageDay.day, String) + "=" + cast(PageDay.views, String), ","))
    for page, lang, *values in db_session.execute(
            select(PageDay.page, PageDay.lang, *cols)
            .where(*_in_window(PageDay, start, end, slug)).group_by(PageDay.page, PageDay.lang)):
        t = totals[(page, lang)]
        for (name, _), value in zip(PAGE_DAY_SUMS, values):
            t[name] = value or 0
        if trends and values[-1]:
            trend = t["trend"]
            for item in values[-1].split(","):
                day, _, views = item.rpartition("=")
                trend[day[:10]] = int(views)
    cols = [func.sum(getattr(PageSignalDay, name)) for name in INT_COLUMNS]
    # Median engaged time over the window: the days' medians, weighted by their sessions.
    has_median = PageSignalDay.engaged_median.is_not(None)
    weighted = func.sum(case((has_median, PageSignalDay.engaged_median * PageSignalDay.sessions),
                             else_=0.0))
    weight = func.sum(case((has_median, PageSignalDay.sessions), else_=0))
    for page, lang, w_sum, w, *values in db_session.execute(
            select(PageSignalDay.page, PageSignalDay.lang, weighted, weight, *cols)
            .where(*_in_window(PageSignalDay, start, end, slug))
            .group_by(PageSignalDay.page, PageSignalDay.lang)):
        t = totals[(page, lang)]
        for name, value in zip(INT_COLUMNS, values):
            t[name] = value or 0
        t["median"] = round(w_sum / w, 1) if w else None
    return totals


def _trends(db_session, start, end, totals, slug=None):
    """Views per day of every page (read as ISO dates: no per-row date objects)."""
    for day, page, lang, views in db_session.execute(
            select(cast(PageDay.day, String), PageDay.page, PageDay.lang, PageDay.views)
            .where(*_in_window(PageDay, start, end, slug))):
        t = totals.get((page, lang))
        if t is not None:
            t["trend"][day[:10]] = views


def _details(db_session, start, end, totals, keys, slug=None, daily=False):
    """Merge the evidence dicts (and, with `daily`, the daily numbers) of `keys` into their
    totals (the page table reads no daily numbers: it skips building them)."""
    keys = set(keys)
    if not keys:
        return
    if not daily:
        return _table_evidence(db_session, start, end, totals, keys)
    q = select(PageDay).where(*_in_window(PageDay, start, end, slug))
    s = select(PageSignalDay).where(*_in_window(PageSignalDay, start, end, slug))
    if slug is None:
        pairs = sorted(keys)
        q = q.where(tuple_(PageDay.page, PageDay.lang).in_(pairs))
        s = s.where(tuple_(PageSignalDay.page, PageSignalDay.lang).in_(pairs))
    for page, lang, day, views, sessions, exits, yes, no, engaged, reasons in db_session.execute(
            q.with_only_columns(PageDay.page, PageDay.lang, PageDay.day, PageDay.views,
                                PageDay.sessions, PageDay.exits, PageDay.votes_yes,
                                PageDay.votes_no, PageDay.engaged_seconds, PageDay.reasons)):
        if (page, lang) not in keys:
            continue
        t = totals[(page, lang)]
        t["reasons"].update(reasons or {})
        if not daily:
            continue
        c = t["days"][day]
        c["views"], c["sessions"], c["exits"] = views, sessions, exits
        c["yes"], c["no"], c["engaged"] = yes, no, engaged
    columns = [getattr(PageSignalDay, n) for n in INT_COLUMNS]
    # Sections passed and the engaged-time histogram appear only in a page's detail.
    passed_column = PageSignalDay.sections_passed if daily else null()
    engaged_column = PageSignalDay.engaged if daily else null()
    for page, lang, day, stops, passed, engaged, details, *ints in db_session.execute(
            s.with_only_columns(PageSignalDay.page, PageSignalDay.lang, PageSignalDay.day,
                                PageSignalDay.stops, passed_column, engaged_column,
                                PageSignalDay.details, *columns)):
        if (page, lang) not in keys:
            continue
        t = totals[(page, lang)]
        t["stops"].update(stops or {})
        t["passed"].update(passed or {})
        for i, n in enumerate(engaged or []):
            if i < len(t["engaged"]):
                t["engaged"][i] += n
        details = details or {}
        for name in DETAIL_KEYS:
            t[name].update(details.get(name) or {})
        t["examples"].update(details.get("examples") or {})
        t["detailed"] = True
        if daily:
            c = t["days"][day]
            for n, value in zip(INT_COLUMNS, ints):
                c[f"sig_{n}"] = value


TABLE_EVIDENCE = ("queries_after", "loop_partners")


def _table_evidence(db_session, start, end, totals, keys):
    """The evidence of `keys` that has no running sums (its keys are unbounded): queries
    searched after reading (with examples) and loop partners, from the daily rows. Only those
    parts of the rows' JSON are read (the database picks them out), as text: the many empty
    ones are skipped without decoding. (Reasons, stop headings and kinds of dead end come with
    every row's numbers, `_window_sums`.)"""
    pairs = sorted(keys)
    names = ("examples",) + TABLE_EVIDENCE
    parts = [type_coerce(PageSignalDay.details[name], Text) for name in names]
    for page, lang, *dicts in db_session.execute(
            select(PageSignalDay.page, PageSignalDay.lang, *parts)
            .where(*_in_window(PageSignalDay, start, end),
                   tuple_(PageSignalDay.page, PageSignalDay.lang).in_(pairs))):
        if (page, lang) not in keys:
            continue
        t = totals[(page, lang)]
        for name, value in zip(names, dicts):
            value = _obj(value)
            if value:
                t[name].update(value)
        t["detailed"] = True


_EMPTY_JSON = frozenset(("", "{}", "null", "[]"))


def _obj(value, loads=orjson.loads):
    """A JSON value read as text (SQLite) or already decoded (PostgreSQL's driver)."""
    if isinstance(value, str):
        return None if value in _EMPTY_JSON else loads(value)
    return value


def _load(db_session, start, end, slug=None):
    """(page, lang) -> totals over the window; evidence and daily numbers for `slug`'s pages."""
    totals = _window_sums(db_session, start, end)
    if slug is not None:
        _trends(db_session, start, end, totals, slug)
        _details(db_session, start, end, totals, [k for k in totals if k[0] == slug], slug,
                 daily=True)
    return totals


def _day_totals(day_counts):
    """Totals of one day in the shape `score.fractions` reads."""
    c = day_counts
    return {"votes_yes": c["yes"], "votes_no": c["no"], "search_after": c["sig_search_after"],
            "sessions": c["sig_sessions"], "pogo": c["sig_pogo"],
            "search_arrivals": c["sig_search_arrivals"], "stopped": c["sig_stopped"],
            "scrolled": c["sig_scrolled"], "loops": c["sig_loops"],
            "dead_ends": c["sig_dead_ends"]}


def _pages(db_session):
    """(slug, lang) -> page facts (title, section, outdated, revision) of every translation."""
    source = current_app.config["SOURCE_LANGUAGE"]
    rows = db_session.execute(
        select(Page.slug, Page.section, Translation.lang, Translation.title,
               Translation.published, Revision.number, Revision.source_revision)
        .join(Translation, Translation.page_id == Page.id)
        .outerjoin(Revision, Revision.id == Translation.current_revision_id)).all()
    current = {slug: number for slug, _s, lang, _t, _p, number, _f in rows if lang == source}
    out = {}
    for slug, section, lang, title, published, number, follows in rows:
        head = current.get(slug)
        outdated = (lang != source and number is not None and follows is not None
                    and head is not None and follows < head)
        out[(slug, lang)] = {"slug": slug, "lang": lang, "title": title, "section": section,
                             "published": published, "outdated": outdated, "revision": number}
    return out


def _url(slug, lang):
    try:
        return url_for("docs.page", lang=lang, slug=slug)
    except RuntimeError:
        return f"/{lang}/docs/{slug}"


def _url_builder():
    """_url for many rows: url_for once, then the route's own converters for each page (the
    same quoting; url_for for each of a thousand rows was a sixth of the page table's time)."""
    try:
        rule = next(r for r in current_app.url_map.iter_rules() if r.endpoint == "docs.page")
        template = url_for("docs.page", lang="LANG0", slug="SLUG0")
    except (RuntimeError, StopIteration):
        return _url
    lang_to_url, slug_to_url = rule._converters["lang"].to_url, rule._converters["slug"].to_url
    head, _, tail = template.partition("LANG0")
    middle, _, end = tail.partition("SLUG0")

    def build(slug, lang):
        return f"{head}{lang_to_url(lang)}{middle}{slug_to_url(slug)}{end}"
    return build


# Scoring

def _scored(totals, meta, slug=None):
    """(page, lang) -> signal parts with the language gap applied (of `slug`'s pages only when
    given; the site's priors always come from every page)."""
    weights = current_app.config.get("INSIGHTS_WEIGHTS") or scoring.DEFAULT_WEIGHTS
    k = current_app.config.get("INSIGHTS_PRIOR_SESSIONS", 10)
    source = current_app.config["SOURCE_LANGUAGE"]
    prior = scoring.priors(totals.values())
    parts = {key: scoring.score(t, prior, weights, k) for key, t in totals.items()
             if slug is None or key[0] == slug}
    for (page, lang), p in parts.items():
        if lang == source:
            continue
        src = parts.get((page, source))
        src_sessions = totals[(page, source)]["sessions"] if src is not None else 0
        outdated = (meta.get((page, lang)) or {}).get("outdated", False)
        scoring.apply_language_gap(p, src, src_sessions, outdated, weights)
    return parts, prior, weights, k


def _median(hist):
    n = sum(hist)
    if not n:
        return None
    seen = 0
    for i, count in enumerate(hist):
        seen += count
        if seen * 2 >= n:
            low = ENGAGED_BUCKETS[i]
            high = ENGAGED_BUCKETS[i + 1] if i + 1 < len(ENGAGED_BUCKETS) else low
            return round((low + high) / 2, 1)
    return None


def _evidence(name, part, t, key, meta, db_session, titles):
    slug, lang = key
    if name == "unhelpful":
        # Most common first, ties in first-seen order (as Counter.most_common), without
        # building a Counter for each of a thousand rows.
        ranked = sorted(((k[3:], v) for k, v in t["reasons"].items() if k.startswith("no:")),
                        key=lambda kv: -kv[1])
        low, high = scoring.wilson(t["votes_no"], t["votes_yes"] + t["votes_no"])
        return {"no": t["votes_no"], "yes": t["votes_yes"],
                "votes": t["votes_yes"] + t["votes_no"], "wilson_low": _r(low),
                "wilson_high": _r(high), "reasons": dict(ranked),
                "top_reason": ranked[0][0] if ranked else None}
    if name == "search_after":
        queries = [{"query_key": q, "example": t["examples"].get(q, q), "count": n}
                   for q, n in t["queries_after"].most_common(5)]
        return {"sessions": t["sessions"], "searched": t["search_after"], "queries": queries,
                "top_query": queries[0]["example"] if queries else None}
    if name == "pogo":
        return {"search_arrivals": t["search_arrivals"], "pogo": t["pogo"]}
    if name == "drop_off":
        stops = [(h, n) for h, n in t["stops"].most_common(6) if h][:5]
        heading = stops[0][0] if stops else None
        # The page's headings are rendered only where a heading is named (rows with evidence).
        return {"scrolled": t["scrolled"], "stopped": t["stopped"], "completed": t["completed"],
                "heading": heading,
                "heading_title": titles(slug, lang).get(heading) if heading else None,
                "stops": dict(stops)}
    if name == "loops":
        partners = t["loop_partners"].most_common(3)
        partner = partners[0][0] if partners else None
        return {"sessions": t["sessions"], "loops": t["loops"],
                "partners": [{"slug": s, "count": n} for s, n in partners], "partner": partner,
                "partner_title": (meta.get((partner, lang)) or {}).get("title")}
    if name == "dead_end":
        kinds = t["dead_end_kinds"]
        return {"sessions": t["sessions"], "dead_ends": t["dead_ends"], "kinds": dict(kinds),
                "top_kind": kinds.most_common(1)[0][0] if kinds else None}
    gap = part.get("gap") or {}
    return {"source_lang": current_app.config["SOURCE_LANGUAGE"],
            "points": round(part["contribution"], 1), "by_signal": gap,
            "worst_signal": max(gap, key=gap.get) if gap else None,
            "outdated": bool(part.get("outdated"))}


def _signals(parts, t, key, meta, db_session, titles, weights, labels):
    out = []
    for name in scoring.SIGNALS:
        part = parts[name]
        evidence = _evidence(name, part, t, key, meta, db_session, titles)
        counts = part["contribution"] >= EVIDENCE_MIN
        out.append({"name": name, "label": labels[name], "value": _r(part["value"]),
                    "rate": _r(part["rate"]), "weight": weights.get(name, 0),
                    "contribution": round(part["contribution"], 1), "evidence": evidence,
                    "reason": explain.sentence(name, part, evidence) if counts else ""})
    out.sort(key=lambda s: (-s["contribution"], scoring.SIGNALS.index(s["name"])))
    return out


RENDER_AT_MOST = 20  # pages whose headings no rollup stored, rendered per request


def _heading_titles(db_session, keys=None):
    """titles(slug, lang) -> {heading id: heading text}, from the headings the rollup stored
    (read once; of `keys` only, when given); a page missing there (not read since the
    upgrade) is rendered, a few per request."""
    from portal.insights.signals import heading_pairs, headings, stored_headings
    cache, stored, rendered = {}, {}, []

    def titles(slug, lang):
        key = (slug, lang)
        if key not in cache:
            if not stored:
                stored.update(stored_headings(db_session, keys) or {None: None})
            heads = stored.get(key)
            if heads is not None:
                heads = heading_pairs(heads)
            elif len(rendered) < RENDER_AT_MOST:
                rendered.append(key)
                heads = headings(db_session, slug, lang)
            cache[key] = dict(heads or ())
        return cache[key]
    return titles


def _row(key, t, parts, meta, days, db_session, titles, weights, labels=None, url=_url,
         fine=None):
    slug, lang = key
    m = meta.get(key) or {"title": slug, "section": "", "outdated": False}
    yes, no = t["votes_yes"], t["votes_no"]
    low, high = scoring.wilson(yes, yes + no)
    labels = labels or {name: explain.label(name) for name in scoring.SIGNALS}
    signals = _signals(parts, t, key, meta, db_session, titles, weights, labels)
    top = signals[0]
    sessions = t["page_sessions"]
    return {
        "slug": slug, "lang": lang, "title": m["title"], "section": m["section"],
        "url": url(slug, lang), "views": t["views"], "sessions": sessions,
        "engaged_seconds_avg": round(t["engaged_seconds"] / sessions, 1) if sessions else None,
        "engaged_seconds_median": t.get("median"),
        "completion": _r(t["completed"] / t["scrolled"]) if t["scrolled"] else None,
        "exit_rate": _r(t["exits"] / t["views"]) if t["views"] else None,
        "helpful": {"yes": yes, "no": no, "rate": _r(yes / (yes + no)) if yes + no else None,
                    "wilson_low": _r(low), "wilson_high": _r(high)},
        "stuck_score": scoring.total(parts),
        "top_reason": top["reason"] if top["contribution"] >= 1 else (fine or explain.no_problem()),
        "signals": signals,
        "trend": t.get("trend_list") or [t["trend"].get(d, 0) for d in days],
        "outdated": bool(m.get("outdated")),
    }


def _days(start, end):
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _iso_days(start, end):
    return [d.isoformat() for d in _days(start, end)]


# The reports

def page_table(db_session, lang=None, start=None, end=None, section=None):
    """Every page × language with views or votes in the window, most stuck first.

    The numbers and the bounded evidence come from the running totals (two rows a page, any
    range); the queries and partner pages are read only for the most stuck rows.
    """
    _fresh(db_session)
    start, end = window(start, end)
    with gc_paused():
        table = _Table(db_session, lang, start, end, section)
        return table.rows(table.ranked)


def page_table_slice(db_session, order, offset, limit, lang=None, start=None, end=None,
                     section=None):
    """(number of rows, rows `offset` to `offset + limit`) of the page table in the order
    `order(rows)` gives: it sorts light rows (the figures and score, no signals), and only
    the rows returned are built in full (the HTML table shows a hundred at a time)."""
    _fresh(db_session)
    start, end = window(start, end)
    with gc_paused():
        table = _Table(db_session, lang, start, end, section)
        light = order([table.light(key) for key in table.ranked])
        return len(light), table.rows([row["_key"] for row in light[offset:offset + limit]])


class _Table:
    """The page table of one window: every row's totals and score; rows built on demand."""

    def __init__(self, db_session, lang, start, end, section):
        self.db_session, self.start, self.end = db_session, start, end
        self.at_end = totals_.at(db_session, end, month=True, evidence=True)
        self.totals = totals = _window_sums(db_session, start, end, evidence=True,
                                            at_end=self.at_end)
        self.meta = meta = _pages(db_session)
        self.parts, _prior, self.weights, _k = _scored(totals, meta)
        self.days = _iso_days(start, end)
        keys = []
        for key, t in totals.items():
            if lang and key[1] != lang:
                continue
            if section is not None and (meta.get(key) or {}).get("section") != section:
                continue
            if not (t["views"] or t["votes_yes"] or t["votes_no"]):
                continue
            keys.append(key)
        self.scores = {key: scoring.total(self.parts[key]) for key in keys}
        self.ranked = sorted(keys, key=lambda k: (-self.scores[k], -totals[k]["views"], k))
        # Queries searched after reading and loop partners (no running sums: any number of
        # keys) for the most stuck rows those signals explain.
        explained = [k for k in self.ranked if any(
            self.parts[k][name]["contribution"] >= EVIDENCE_MIN for name in ("search_after", "loops"))]
        _details(db_session, start, end, totals, explained[:EVIDENCE_ROWS])

    def light(self, key):
        """The figures a sort reads, without signals."""
        t, m = self.totals[key], self.meta.get(key) or {}
        yes, no = t["votes_yes"], t["votes_no"]
        return {"_key": key, "slug": key[0], "lang": key[1], "title": m.get("title", key[0]),
                "views": t["views"], "sessions": t["page_sessions"],
                "engaged_seconds_median": t.get("median"),
                "completion": _r(t["completed"] / t["scrolled"]) if t["scrolled"] else None,
                "exit_rate": _r(t["exits"] / t["views"]) if t["views"] else None,
                "helpful": {"yes": yes, "no": no,
                            "rate": _r(yes / (yes + no)) if yes + no else None},
                "stuck_score": self.scores[key]}

    def rows(self, keys):
        """Full rows of `keys`, in that order (sparklines read for these rows only)."""
        trends = totals_.views_per_day(self.db_session, self.start, self.end, keys, self.at_end)
        for key, views in trends.items():
            self.totals[key]["trend_list"] = views
        labels = {name: explain.label(name) for name in scoring.SIGNALS}
        url, fine = _url_builder(), explain.no_problem()
        titles = _heading_titles(self.db_session)
        return [_row(key, self.totals[key], self.parts[key], self.meta, self.days,
                     self.db_session, titles, self.weights, labels, url, fine) for key in keys]


EVIDENCE_MIN = 0.5  # points: a signal adding less is not explained with examples
# The most stuck rows whose reason is a search after reading or a loop get the queries and
# partner pages in their evidence; the others name no query or page (their sentences say
# so). Reasons, stop headings and kinds of dead end come with every row.
EVIDENCE_ROWS = 30


def page_window(db_session, slug, lang, start, end):
    """Views, helpful votes, exit rate and stuck score of one page over any window."""
    _fresh(db_session)
    totals = _window_sums(db_session, start, end)
    meta = _pages(db_session)
    parts, _prior, _w, _k = _scored(totals, meta)
    t = totals.get((slug, lang)) or _new_totals()
    p = parts.get((slug, lang))
    yes, no = t["votes_yes"], t["votes_no"]
    return {"start": start.isoformat(), "end": end.isoformat(), "views": t["views"],
            "sessions": t["page_sessions"], "exits": t["exits"],
            "exit_rate": _r(t["exits"] / t["views"]) if t["views"] else None,
            "helpful_yes": yes, "helpful_no": no,
            "helpful_rate": _r(yes / (yes + no)) if yes + no else None,
            "stuck_score": scoring.total(p) if p else None}


def page_detail(db_session, slug, lang, start=None, end=None):
    """Everything about one page in one language over the window; None for an unknown page."""
    _fresh(db_session)
    with gc_paused():
        return _page_detail(db_session, slug, lang, start, end)


def _page_detail(db_session, slug, lang, start, end):
    start, end = window(start, end)
    meta = _pages(db_session)
    if (slug, lang) not in meta:
        return None
    totals = _load(db_session, start, end, slug=slug)
    parts, prior, weights, k = _scored(totals, meta, slug)
    titles = _heading_titles(db_session, {key for key in meta if key[0] == slug})
    days = _days(start, end)
    t = totals.get((slug, lang)) or _new_totals()
    p = parts.get((slug, lang)) or scoring.score(t, prior, weights, k)
    m = meta[(slug, lang)]
    summary = _row((slug, lang), t, p, meta, _iso_days(start, end), db_session, titles, weights)
    daily = []
    for d in days:
        c = t["days"].get(d, Counter())
        yes, no = c["yes"], c["no"]
        day_parts = scoring.score(_day_totals(c), prior, weights, k)
        daily.append({"day": d.isoformat(), "views": c["views"], "sessions": c["sessions"],
                      "engaged_seconds_avg": round(c["engaged"] / c["sessions"], 1)
                      if c["sessions"] else None,
                      "helpful_yes": yes, "helpful_no": no,
                      "helpful_rate": _r(yes / (yes + no)) if yes + no else None,
                      "exits": c["exits"],
                      "stuck_score": scoring.total(day_parts) if c["views"] else None})
    heads = headings(db_session, slug, lang)
    sections = _sections(heads, t)
    return {
        "page": {"slug": slug, "lang": lang, "title": m["title"], "url": _url(slug, lang),
                 "outdated": m["outdated"], "revision": m["revision"], "section": m["section"]},
        "summary": summary,
        "daily": daily,
        "revisions": _revisions(db_session, _translation(db_session, slug, lang), start, end, t),
        "votes": _votes(db_session, slug, lang, start, end),
        "reasons": dict(t["reasons"]),
        "sections": sections,
        "previous_pages": _linked(t["prev_pages"], lang, meta),
        "next_pages": _linked(t["next_pages"], lang, meta),
        "searches_before": _queries(t["queries_before"], t["examples"]),
        "searches_after": _queries(t["queries_after"], t["examples"]),
        "languages": _languages(slug, totals, parts, meta),
        "surveys": survey_scores(db_session, lang=lang, start=start, end=end, refresh=False),
    }


def _sections(heads, t):
    reached_base = max(t["scrolled"], 1)
    rows = [{"id": hid, "title": title, "reached": t["passed"].get(hid, 0),
             "share": _r(t["passed"].get(hid, 0) / reached_base) if t["scrolled"] else None,
             "stopped": t["stops"].get(hid, 0), "drop_off": False}
            for hid, title in heads]
    worst = max(rows[:-1] if len(rows) > 1 else [], key=lambda r: r["stopped"], default=None)
    if worst is not None and worst["stopped"]:
        worst["drop_off"] = True
    return rows


def _linked(counter, lang, meta, limit=5):
    return [{"slug": s, "lang": lang, "title": (meta.get((s, lang)) or {}).get("title", s),
             "count": n} for s, n in counter.most_common(limit)]


def _queries(counter, examples, limit=10):
    return [{"query_key": q, "example": examples.get(q, q), "count": n}
            for q, n in counter.most_common(limit)]


def _languages(slug, totals, parts, meta):
    out = []
    for (s, lang), m in sorted(meta.items()):
        if s != slug:
            continue
        t = totals.get((s, lang)) or _new_totals()
        yes, no = t["votes_yes"], t["votes_no"]
        p = parts.get((s, lang))
        out.append({"lang": lang, "title": m["title"], "views": t["views"],
                    "helpful": {"yes": yes, "no": no,
                                "rate": _r(yes / (yes + no)) if yes + no else None},
                    "completion": _r(t["completed"] / t["scrolled"]) if t["scrolled"] else None,
                    "stuck_score": scoring.total(p) if p else None,
                    "outdated": m["outdated"]})
    return out


def _votes(db_session, slug, lang, start, end, limit=200):
    """The page's votes in the window with the voter's reading (engaged time, scroll, search)."""
    lo = datetime.combine(start, time.min, tzinfo=timezone.utc)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)
    votes = list(db_session.scalars(
        select(Vote).where(Vote.page == slug, Vote.lang == lang, Vote.updated_at >= lo,
                           Vote.updated_at < hi)
        .order_by(Vote.updated_at.desc()).limit(limit)))
    context = _vote_context(db_session, slug, lang, votes)
    return [{"id": v.id, "helpful": v.helpful, "reason": v.reason, "comment": v.comment,
             "section": v.section or None, "created_at": v.updated_at.isoformat(),
             **context.get(v.session, {"engaged_seconds": None, "scroll_depth": None,
                                       "search_query": None})}
            for v in votes]


def _vote_context(db_session, slug, lang, votes):
    """Per voting session: engaged seconds and deepest scroll on the page, and the search
    that brought the reader (reads that handful of sessions' events, by the session index)."""
    from portal.feedback.models import Event
    from portal.search.models import SearchLog
    sessions = {v.session for v in votes}
    out = {}
    if not sessions:
        return out
    days = {v.updated_at.date() for v in votes}
    # Found by the (day, session) index: a condition on the page in SQL would steer SQLite to
    # the (day, page, lang) index and every event of a popular page (150 ms at 2M events);
    # the voters' own few events are filtered here instead.
    rows = db_session.execute(
        select(Event.session, Event.type, Event.data, Event.page, Event.lang)
        .where(Event.session.in_(sessions), Event.day.in_(days),
               Event.type.in_(("engagement", "scroll", "page_view"))))
    search_ids = {}
    for session, kind, data, page, page_lang in rows:
        if page != slug or page_lang != lang:
            continue
        c = out.setdefault(session, {"engaged_seconds": 0.0, "scroll_depth": None,
                                     "search_query": None})
        data = data or {}
        if kind == "engagement":
            c["engaged_seconds"] = round(c["engaged_seconds"] + float(data.get("seconds") or 0), 1)
        elif kind == "scroll":
            c["scroll_depth"] = max(c["scroll_depth"] or 0, int(data.get("depth") or 0))
        elif data.get("search_id"):
            search_ids[data["search_id"]] = session
    if search_ids:
        for sid, query in db_session.execute(select(SearchLog.id, SearchLog.query)
                                             .where(SearchLog.id.in_(search_ids))):
            out[search_ids[sid]]["search_query"] = query
    return out


def _translation(db_session, slug, lang):
    return db_session.scalar(select(Translation).join(Page, Page.id == Translation.page_id)
                             .where(Page.slug == slug, Translation.lang == lang))


def _revisions(db_session, translation, start, end, t):
    """Each revision published in the window with equal windows before and after it."""
    revisions = db_session.scalars(
        select(Revision).where(Revision.translation_id == translation.id,
                               Revision.draft.is_(False)).order_by(Revision.number))
    today = datetime.now(timezone.utc).date()
    out = []
    for rev in revisions:
        day = rev.created_at.date()
        if not start <= day <= end or rev.number == 1:
            continue
        days = max(1, min(14, (today - day).days + 1))
        before = page_window(db_session, translation.page.slug, translation.lang,
                             day - timedelta(days=days), day - timedelta(days=1))
        after = page_window(db_session, translation.page.slug, translation.lang,
                            day, day + timedelta(days=days - 1))
        before["views_seen"] = sum(n for r, n in t["revisions"].items() if int(r) < rev.number)
        after["views_seen"] = sum(n for r, n in t["revisions"].items() if int(r) >= rev.number)
        author = rev.author
        out.append({"number": rev.number, "created_at": rev.created_at.isoformat(),
                    "author": getattr(author, "name", None) or getattr(author, "email", None),
                    "message": rev.message, "window_days": days, "before": before,
                    "after": after})
    return out


def search_gaps(db_session, lang=None, start=None, end=None):
    """Query keys with zero-result and low-click searches first."""
    _fresh(db_session)
    start, end = window(start, end)
    q = select(SearchDay).where(SearchDay.day >= start, SearchDay.day <= end)
    if lang:
        q = q.where(SearchDay.lang == lang)
    days = _days(start, end)
    groups = {}
    for d in db_session.scalars(q):
        g = groups.setdefault((d.query_key, d.lang), {
            "count": 0, "zero": 0, "clicks": 0, "examples": Counter(), "trend": Counter(),
            "end_pages": Counter()})
        g["count"] += d.searches
        g["zero"] += d.zero_results
        g["clicks"] += d.clicked
        g["examples"][d.example] += d.searches
        g["trend"][d.day] += d.searches
        g["end_pages"].update(d.end_pages or {})
    langs = defaultdict(set)
    for key, lg in groups:
        langs[key].add(lg)
    rows = []
    for (key, lg), g in groups.items():
        if not g["count"]:
            continue
        rows.append({"query_key": key, "example": g["examples"].most_common(1)[0][0],
                     "lang": lg, "count": g["count"], "zero_results": g["zero"],
                     "clicks": g["clicks"], "ctr": _r(g["clicks"] / g["count"]),
                     "trend": [g["trend"].get(d, 0) for d in days],
                     "languages": sorted(langs[key]),
                     "end_pages": [{"slug": s, "count": n}
                                   for s, n in g["end_pages"].most_common(5)]})
    rows.sort(key=lambda r: (-(r["zero_results"] / r["count"]), r["ctr"], -r["count"],
                             r["query_key"]))
    return rows


SURVEY_KINDS = ("ces", "csat", "nps")


def survey_scores(db_session, lang=None, start=None, end=None, refresh=True):
    """Per kind: enabled, responses, score (CES mean, CSAT % 4–5, NPS), histogram, trend."""
    if refresh:
        _fresh(db_session)
    start, end = window(start, end)
    q = select(SurveyDay).where(SurveyDay.day >= start, SurveyDay.day <= end)
    if lang:
        q = q.where(SurveyDay.lang == lang)
    settings = {s.kind: s for s in db_session.scalars(select(SurveySetting))}
    data = {k: {"hist": Counter(), "days": defaultdict(Counter)} for k in SURVEY_KINDS}
    for d in db_session.scalars(q):
        if d.kind in data:
            data[d.kind]["hist"][d.score] += d.responses
            data[d.kind]["days"][d.day][d.score] += d.responses
    out = {}
    for kind in SURVEY_KINDS:
        hist, by_day = data[kind]["hist"], data[kind]["days"]
        low, high = {"ces": (1, 7), "csat": (1, 5), "nps": (0, 10)}[kind]
        out[kind] = {"enabled": bool(settings.get(kind) and settings[kind].enabled),
                     "responses": sum(hist.values()), "score": _survey_score(kind, hist),
                     "histogram": [{"score": s, "responses": hist.get(s, 0)}
                                   for s in range(low, high + 1)],
                     "trend": [_survey_score(kind, by_day.get(d, Counter()))
                               for d in _days(start, end)]}
    return out


def _survey_score(kind, hist):
    n = sum(hist.values())
    if not n:
        return None
    if kind == "ces":
        return round(sum(s * c for s, c in hist.items()) / n, 2)
    if kind == "csat":
        return round(100 * sum(c for s, c in hist.items() if s >= 4) / n, 1)
    promoters = sum(c for s, c in hist.items() if s >= 9)
    detractors = sum(c for s, c in hist.items() if s <= 6)
    return round(100 * (promoters - detractors) / n, 1)
