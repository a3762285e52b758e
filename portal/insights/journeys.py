"""Journeys and funnels: top three-step paths from entry pages, and owner-defined funnels.

Both read session paths — each reading session's pages in the order the reader opened them —
from the rollups' per-session path table (`portal.insights.models`, owned by the rollups).
The counting here is pure (`top_paths`, `funnel_steps`) and tested on plain lists.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select

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


def session_paths(db_session, start, end, lang=None):
    """Session paths between `start` and `end` from the rollups' path table; None if missing."""
    from portal.feedback.rollup import refresh_dirty
    from portal.insights import models
    table = getattr(models, "SessionPath", None)
    if table is None:
        return None
    if refresh_dirty(db_session):  # like every report: events sent now count at once
        db_session.commit()
    # Columns, not ORM objects: a quarter of a million sessions load in a fraction of the time.
    query = select(table.lang, table.pages).where(table.day >= start, table.day <= end)
    if lang:
        query = query.where(table.lang == lang)
    return [SessionPath(row_lang, tuple(pages or ())) for row_lang, pages in db_session.execute(query)]


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
