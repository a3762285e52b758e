"""Learning from readers: clicks that satisfied re-rank results for a query key.

`refresh` reads the search log of the last WINDOW_DAYS and stores one boost per (language,
query key, page) in `search_learned`; searches read those boosts from a per-process cache
(`portal.search.tuning`), so learning never slows a search. The rules that keep one visitor
from pushing a page up:

- only searches and clicks of the same beacon session count, and a session counts once per
  query key and page (its latest click), however often it clicks;
- a page needs MIN_SESSIONS distinct sessions before it gets any boost;
- bots never reach the click log (the beacon drops them at ingest; searches by bot user
  agents are logged without a session), and a session with more than MAX_SESSION_SEARCHES
  searches in the window is treated as a robot and ignored;
- every session's weight halves every HALF_LIFE_DAYS, so old clicks fade.

A click the reader came straight back from (another search or another result within
POGO_SECONDS, as the insights' pogo signal) counts against the page; one they stayed on
counts for it. boost = MAX_BOOST * (stayed - came back) / (sessions that searched the key
+ PRIOR), all decayed, clamped to [MIN_BOOST, MAX_BOOST]; a result's score is multiplied by
(1 + boost).
"""
import logging
import threading
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import delete, insert, select, update

from portal.search.models import SearchClick, SearchLog
from portal.search.tuning_models import SearchLearned, SearchTuning
from portal.timeutil import utcnow

log = logging.getLogger(__name__)
WINDOW_DAYS = 90
HALF_LIFE_DAYS = 14
MIN_SESSIONS = 3
POGO_SECONDS = 20  # as portal.insights.signals.POGO_SECONDS
MAX_SESSION_SEARCHES = 100
MAX_BOOST = 1.0
MIN_BOOST = -0.5
PRIOR = 2.0
MAX_RERANK = 50  # learned boosts re-order this many top results


def settings(db_session):
    """The one row of search settings, created on first use."""
    row = db_session.get(SearchTuning, 1)
    if row is None:
        row = SearchTuning(id=1, learning=True)
        db_session.add(row)
        db_session.flush()
    return row


def peek(db_session):
    """The settings row, or a default one (not added) when none was saved yet.

    Searches read it this way: two first searches at once must not both insert the row.
    """
    return db_session.get(SearchTuning, 1) or SearchTuning(id=1, learning=True)


def set_learning(db_session, enabled):
    """Switch learning from clicks on or off (not committed)."""
    settings(db_session).learning = bool(enabled)


def _decay(age):
    return 0.5 ** (age.total_seconds() / 86400 / HALF_LIFE_DAYS)


def _timelines(db_session, since):
    """Per session: [(time, kind, search id)] of its searches ('s') and clicks ('c')."""
    sessions = defaultdict(list)
    searches = {}
    for sid, session, lang, key, query, at, is_return in db_session.execute(
            select(SearchLog.id, SearchLog.session, SearchLog.lang, SearchLog.query_key,
                   SearchLog.query, SearchLog.created_at, SearchLog.is_return)
            .where(SearchLog.created_at >= since, SearchLog.session.is_not(None))):
        sessions[session].append((at, "s", sid, None))
        if not is_return:
            searches[sid] = (session, lang, key, query, at)
    for search_id, slug, session, at in db_session.execute(
            select(SearchClick.search_id, SearchClick.slug, SearchClick.session,
                   SearchClick.created_at)
            .join(SearchLog, SearchLog.id == SearchClick.search_id)
            .where(SearchLog.created_at >= since, SearchClick.session == SearchLog.session)):
        sessions[session].append((at, "c", search_id, slug))
    return sessions, searches


def compute(db_session, now=None):
    """[dict] of the boosts the search log supports now (see the module's rules)."""
    now = now or utcnow()
    sessions, searches = _timelines(db_session, now - timedelta(days=WINDOW_DAYS))
    robots = {s for s, acts in sessions.items()
              if sum(kind == "s" for _, kind, *_ in acts) > MAX_SESSION_SEARCHES}
    asked = defaultdict(dict)  # (lang, key) -> {session: weight}
    examples = {}
    for sid, (session, lang, key, query, at) in searches.items():
        if session in robots:
            continue
        weights = asked[(lang, key)]
        weights[session] = max(weights.get(session, 0.0), _decay(now - at))
        examples[(lang, key)] = min(examples.get((lang, key), query), query)
    outcome = {}  # (lang, key, slug, session) -> (time, stayed?)
    for session, acts in sessions.items():
        if session in robots:
            continue
        acts.sort(key=lambda a: (a[0], a[1] == "c"))
        for i, (at, kind, search_id, slug) in enumerate(acts):
            if kind != "c" or search_id not in searches:
                continue
            nxt = acts[i + 1][0] if i + 1 < len(acts) else None
            back = nxt is not None and (nxt - at).total_seconds() <= POGO_SECONDS
            _, lang, key, _, _ = searches[search_id]
            outcome[(lang, key, slug, session)] = (at, not back)
    per_page = defaultdict(lambda: [0, 0.0, 0.0])
    for (lang, key, slug, session), (at, stayed) in outcome.items():
        acc = per_page[(lang, key, slug)]
        acc[0] += 1
        acc[1 if stayed else 2] += _decay(now - at)
    rows = []
    for (lang, key, slug), (count, stayed, back) in per_page.items():
        if count < MIN_SESSIONS:
            continue
        searched = sum(asked[(lang, key)].values())
        boost = MAX_BOOST * (stayed - back) / (searched + PRIOR)
        rows.append(dict(lang=lang, query_key=key, example=examples.get((lang, key), key),
                         slug=slug, sessions=count, stayed=round(stayed, 3),
                         came_back=round(back, 3),
                         boost=round(min(MAX_BOOST, max(MIN_BOOST, boost)), 4)))
    return rows


def refresh(db_session, now=None):
    """Replace the stored boosts with freshly computed ones (not committed); returns how many."""
    now = now or utcnow()
    rows = compute(db_session, now)
    db_session.execute(delete(SearchLearned))
    if rows:
        db_session.execute(insert(SearchLearned), rows)
    settings(db_session).learned_at = now
    return len(rows)


def boosts(db_session):
    """{(lang, query key): {slug: boost}} of the stored boosts."""
    found = defaultdict(dict)
    for lang, key, slug, boost in db_session.execute(
            select(SearchLearned.lang, SearchLearned.query_key, SearchLearned.slug,
                   SearchLearned.boost)):
        if boost:
            found[(lang, key)][slug] = boost
    return dict(found)


def listing(db_session, lang=None):
    """What was learned, per query key: stored rows, strongest first."""
    stmt = select(SearchLearned).order_by(SearchLearned.lang, SearchLearned.query_key,
                                          SearchLearned.boost.desc())
    if lang:
        stmt = stmt.where(SearchLearned.lang == lang)
    return list(db_session.scalars(stmt))


def rerank(hits, learned):
    """Hits re-ordered by score x (1 + boost) for the pages in `learned` ({slug: boost})."""
    for hit in hits:
        if hit.slug in learned:
            hit.score = round(hit.score * (1 + learned[hit.slug]), 4)
    return sorted(hits, key=lambda h: -h.score)


def refresh_in_background(app, every):
    """Recompute in a thread (returned) when the stored boosts are older than `every` seconds.

    The first process to move `learned_at` forward wins; the others find it fresh.
    """
    def run():
        with app.app_context():
            from portal.extensions import db
            try:
                settings(db.session)
                db.session.commit()
            except Exception:  # another process created the row at the same moment
                db.session.rollback()
            try:
                now = utcnow()
                stale = (SearchTuning.learned_at.is_(None)
                         | (SearchTuning.learned_at < now - timedelta(seconds=every)))
                claimed = db.session.execute(
                    update(SearchTuning)
                    .where(SearchTuning.id == 1, SearchTuning.learning.is_(True), stale)
                    .values(learned_at=now)).rowcount
                db.session.commit()
                if claimed:
                    refresh(db.session, now)
                    db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("learning from search clicks failed")
            finally:
                db.session.remove()
    thread = threading.Thread(target=run, name="search-learning", daemon=True)
    thread.start()
    return thread
