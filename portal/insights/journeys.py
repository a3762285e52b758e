"""Journeys and funnels: top three-step paths from entry pages, and owner-defined funnels.

Both read session paths — each reading session's pages in the order the reader opened them —
from the rollups' per-session path table (`portal.insights.models`, owned by the rollups).
The counting here is pure (`top_paths`, `funnel_steps`) and tested on plain lists.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import String, cast, func, select

from portal.content.models import Page
from portal.insights.funnel_models import Funnel

MIN_STEPS, MAX_STEPS = 2, 8


@dataclass(frozen=True)
class SessionPath:
    """One session: its language and its pages in reading order."""

    lang: str
    pages: tuple


def top_paths(paths, limit=20):
    """The most frequent first three steps of sessions: [{lang, steps, sessions, share}]."""
    counts, totals = Counter(), Counter()
    for path in paths:
        if not path.pages:
            continue
        counts[(path.lang, tuple(path.pages[:3]))] += 1
        totals[path.lang] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"lang": lang, "steps": list(steps), "sessions": n,
             "share": round(n / totals[lang], 4)} for (lang, steps), n in ranked]


def _reached(pages, steps):
    """How many of `steps` a session passed, in order (other pages may come between)."""
    reached = 0
    for slug in pages:
        if reached < len(steps) and slug == steps[reached]:
            reached += 1
    return reached


def funnel_steps(paths, steps):
    """Entered/continued/drop-off per step, overall and per language.

    A session enters step k when it reached steps 1..k in that order; it continues when it
    also reaches step k+1. Returns {"all": [...], "by_lang": {lang: [...]}}.
    """
    reached = defaultdict(Counter)  # lang -> Counter(number of steps reached)
    for path in paths:
        n = _reached(path.pages, steps)
        if n:
            reached[path.lang][n] += 1
    total = Counter()
    for counts in reached.values():
        total.update(counts)
    return {"all": _step_rows(total, steps),
            "by_lang": {lang: _step_rows(c, steps) for lang, c in sorted(reached.items())}}


def _step_rows(counts, steps):
    rows = []
    for k, slug in enumerate(steps, start=1):
        entered = sum(n for depth, n in counts.items() if depth >= k)
        continued = sum(n for depth, n in counts.items() if depth >= k + 1) if k < len(steps) else None
        drop = None if continued is None else entered - continued
        rows.append({"step": k, "slug": slug, "entered": entered, "continued": continued,
                     "drop_off": drop,
                     "drop_off_rate": round(drop / entered, 4) if drop is not None and entered else None})
    return rows


def _path_table(db_session):
    """The rollups' per-session path table, brought up to date; None where it is missing."""
    from portal.feedback.rollup import refresh_dirty
    from portal.insights import models
    table = getattr(models, "SessionPath", None)
    if table is not None and refresh_dirty(db_session):  # events sent now count at once
        db_session.commit()
    return table


def top_paths_report(db_session, start, end, lang=None, limit=20):
    """`top_paths` of the sessions between `start` and `end`, counted by the database."""
    table = _path_table(db_session)
    if table is None:
        return None
    where = [table.day >= start, table.day <= end] + ([table.lang == lang] if lang else [])
    # Through a subquery: PostgreSQL does not match GROUP BY expressions with bound
    # parameters (the JSON indexes) against the same expressions in the SELECT list.
    firsts = (select(table.lang, *(table.pages[i].as_string().label(f"s{i}") for i in range(3)))
              .where(*where).subquery())
    present = firsts.c.s0.is_not(None)
    totals = dict(db_session.execute(select(firsts.c.lang, func.count()).where(present)
                                     .group_by(firsts.c.lang)).all())
    steps = (firsts.c.s0, firsts.c.s1, firsts.c.s2)
    rows = db_session.execute(
        select(firsts.c.lang, *steps, func.count().label("n")).where(present)
        .group_by(firsts.c.lang, *steps).order_by(func.count().desc()).limit(limit * 4)).all()
    ranked = sorted(((n, lg, tuple(x for x in (a, b, c) if x is not None))
                     for lg, a, b, c, n in rows), key=lambda r: (-r[0], r[1], r[2]))[:limit]
    return [{"lang": lg, "steps": list(path), "sessions": n, "share": round(n / totals[lg], 4)}
            for n, lg, path in ranked]


def session_paths(db_session, start, end, lang=None, containing=None):
    """Session paths between `start` and `end` (those that viewed `containing`, if given)."""
    table = _path_table(db_session)
    if table is None:
        return None
    # Columns, not ORM objects; and only the sessions that could enter a funnel at all.
    query = select(table.lang, table.pages).where(table.day >= start, table.day <= end)
    if lang:
        query = query.where(table.lang == lang)
    if containing:
        query = query.where(cast(table.pages, String).like(f'%"{containing}"%'))
    return [SessionPath(row_lang, tuple(pages or ())) for row_lang, pages in db_session.execute(query)]


def funnel_report(db_session, funnel, start, end, lang=None):
    """`funnel_steps` of `funnel` over the sessions between `start` and `end`; None if missing."""
    paths = session_paths(db_session, start, end, lang, containing=funnel.steps[0])
    return None if paths is None else funnel_steps(paths, funnel.steps)


# Funnel definitions (owner-defined, stored in insight_funnels).

class FunnelError(ValueError):
    """A funnel definition a person must correct."""

    def __init__(self, message, field):
        super().__init__(message)
        self.message, self.field = message, field


def list_funnels(db_session):
    """Every funnel, by name."""
    return list(db_session.scalars(select(Funnel).order_by(Funnel.name)))


def known_slugs(db_session):
    """Slugs of every page, for validating funnel steps."""
    return set(db_session.scalars(select(Page.slug)))


def parse_steps(text):
    """Steps from a form field: one slug per line (or comma-separated), slashes trimmed."""
    raw = text.replace(",", "\n").splitlines()
    return [s.strip().strip("/") for s in raw if s.strip().strip("/")]


def save_funnel(db_session, funnel, name, steps, known, user=None):
    """Validate and store a funnel (a new one when `funnel` is None); the caller commits."""
    from flask_babel import gettext as _
    from portal.timeutil import utcnow
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise FunnelError(_("Give the funnel a name of 1 to 120 characters."), "name")
    clash = db_session.scalar(select(Funnel).where(Funnel.name == name))
    if clash is not None and clash is not funnel:
        raise FunnelError(_("A funnel named “%(name)s” already exists.", name=name), "name")
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise FunnelError(_("A funnel has 2 to 8 pages; you gave %(count)d.", count=len(steps)),
                          "steps")
    unknown = [s for s in steps if s not in known]
    if unknown:
        raise FunnelError(_("No page has the address “%(slug)s”; use a page slug such as "
                            "guide/install.", slug=unknown[0]), "steps")
    if len(set(steps)) != len(steps):
        raise FunnelError(_("Each page may appear only once in a funnel."), "steps")
    if funnel is None:
        funnel = Funnel(created_by_id=getattr(user, "id", None))
        db_session.add(funnel)
    funnel.name, funnel.steps, funnel.updated_at = name, list(steps), utcnow()
    return funnel
