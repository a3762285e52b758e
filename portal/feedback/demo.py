"""Realistic demo traffic through the real validation and storage code.

Most pages read fine; a few carry designed problems so every insight signal shows: readers
search again after reading one page, vote another "unclear" (until a revision published
half-way through the period fixes it), stop at one section of a third, bounce between two
others, come from search and go straight back to it on one (pogo-sticking), end their visit
on a search nobody clicks on another, and find one page's Korean translation much worse than
its English source. Some sessions answer a survey. Deterministic for a given seed.
"""
import random
from dataclasses import dataclass
from datetime import timedelta

from portal.content import queries
from portal.content.render import render_markdown
from portal.feedback.ingest import parse_batch, store_batches
from portal.feedback.rollup import rollup_range
from portal.timeutil import utcnow

COMMENTS = {
    "en": ["I could not tell which setting to change.", "The steps skip something.",
           "Which file does this go in?", "Too many terms I do not know."],
    "ko": ["어떤 설정을 바꿔야 하는지 모르겠어요.", "중간 단계가 빠진 것 같습니다.",
           "이 코드는 어느 파일에 넣어야 하나요?", "모르는 용어가 너무 많아요."],
}


@dataclass
class Problems:
    """The pages that carry each designed problem."""

    search_again: str
    unclear: str
    drop_off: str
    loop: tuple
    pogo: str = ""
    dead_end: str = ""
    gap: str = ""
    fixed_at: object = None  # when the revision that fixes the "unclear" page was published

    def all(self):
        return {self.search_again, self.unclear, self.drop_off, *self.loop, self.pogo,
                self.dead_end, self.gap}


def generate(db_session, days=14, sessions=400, seed=7, langs=("en", "ko")):
    """Create `sessions` reading sessions spread over the last `days` days; returns stats."""
    rng = random.Random(seed)
    pages = _pages(db_session, langs)
    if not any(pages.values()):
        return {"sessions": 0, "events": 0}
    problems = _choose_problems(pages)
    # The traffic ends at the last midnight (UTC), so the designed problems come out the same
    # whatever the time of day it is generated at: day boundaries split sessions the same way.
    now = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    problems.fixed_at = _publish_fix(db_session, problems.unclear, now - timedelta(days=days / 2))
    _enable_surveys(db_session)
    known = queries.published_pairs(db_session)
    revisions = _revision_numbers(db_session)
    stats = {"sessions": 0, "events": 0}
    for _ in range(sessions):
        lang = rng.choice([l for l in langs if pages.get(l)] or langs)
        start = now - timedelta(days=rng.random() * days, minutes=rng.randint(5, 120))
        session = "%032x" % rng.getrandbits(128)
        sim = _Session(db_session, rng, lang, pages[lang], problems, known, session, start,
                       revisions)
        sim.run()
        stats["sessions"] += 1
        stats["events"] += sim.events
    rollup_range(db_session, (now - timedelta(days=days + 1)).date(), now.date())
    return stats


def _pages(db_session, langs):
    """{lang: [(slug, title, [section ids])]} of published pages."""
    out = {lang: [] for lang in langs}
    for t, page in queries.list_translations(db_session):
        if t.lang in out:
            rendered = render_markdown(t.current_revision.markdown, slug=page.slug, lang=t.lang)
            sections = [hid for level, hid, _ in rendered.headings if level == 2]
            out[t.lang].append((page.slug, t.title, sections))
    return out


def _choose_problems(pages):
    slugs = sorted({p[0] for items in pages.values() for p in items if p[2]}) or \
        sorted({p[0] for items in pages.values() for p in items})
    pick = lambda i: slugs[i % len(slugs)]  # noqa: E731
    return Problems(search_again=pick(1), unclear=pick(3), drop_off=pick(5),
                    loop=(pick(7), pick(8)), pogo=pick(10), dead_end=pick(12), gap=pick(14))


def _enable_surveys(db_session):
    """Turn the micro-surveys on (10% of sessions) unless an admin has set them already."""
    from portal.feedback.models import SurveySetting
    for kind in ("ces", "csat", "nps"):
        if db_session.get(SurveySetting, kind) is None:
            db_session.add(SurveySetting(kind=kind, enabled=True, sample_rate=0.1))


def _publish_fix(db_session, slug, when):
    """Publish a new revision of `slug` (source language) dated `when`; returns `when`."""
    from sqlalchemy import select

    from flask import current_app
    from portal.content.models import Page, Translation
    from portal.content.operations import save_revision
    source = current_app.config["SOURCE_LANGUAGE"]
    translation = db_session.scalar(select(Translation).join(Page).where(
        Page.slug == slug, Translation.lang == source))
    if translation is None or translation.current_revision is None:
        return None
    head = translation.current_revision
    if head.message == FIX_MESSAGE:  # demo traffic ran before: the fix is there already
        return head.created_at
    revision = save_revision(db_session, translation,
                             head.markdown.rstrip() + "\n\n" + FIX_NOTE, head.title,
                             meta=head.meta, message=FIX_MESSAGE,
                             source_revision=head.source_revision)
    if revision is None:
        return None
    revision.created_at = when
    translation.updated_at = when
    return when


FIX_MESSAGE = "Explain each step with an example (demo)"
FIX_NOTE = ("!!! tip\n    Every step above comes with an example you can copy; "
            "run them in order.")


def _revision_numbers(db_session):
    """{slug: current revision number} of the source language."""
    from sqlalchemy import select

    from portal.content.models import Page, Revision, Translation
    rows = db_session.execute(
        select(Page.slug, Revision.number)
        .join(Translation, Translation.page_id == Page.id)
        .join(Revision, Revision.id == Translation.current_revision_id)
        .where(Translation.lang == "en"))
    return dict(rows.all())


class _Session:
    """One simulated reader."""

    def __init__(self, db_session, rng, lang, pages, problems, known, session, start,
                 revisions=None):
        self.db, self.rng, self.lang, self.pages = db_session, rng, lang, pages
        self.by_slug = {p[0]: p for p in pages}
        self.problems, self.known, self.session, self.clock = problems, known, session, start
        self.events = 0
        self.revisions = revisions or {}

    def run(self):
        first = self._entry_page()
        if self.rng.random() < 0.1:
            self._survey(first)
        if first == self.problems.pogo and self.rng.random() < 0.75:
            return self._pogo(first)
        ref = self.rng.choice(["direct", "external", "search", "internal"])
        slug, visits = first, self.rng.randint(1, 4)
        if first in self.problems.loop:
            visits = max(visits, 3)  # readers go back and forth before they give up
        for i in range(visits):
            if slug not in self.by_slug:
                break
            nxt = self._visit(slug, ref if i == 0 else "internal")
            if nxt is None:
                break
            slug, ref = nxt

    def _entry_page(self):
        problems = self.problems.all()
        weights = [3 if p[0] in problems else 1 for p in self.pages]
        return self.rng.choices(self.pages, weights)[0][0]

    def _search(self, query, results, from_page=None):
        from portal.search.log import log_search
        entry = log_search(self.db, query, self.lang, results, self.session, from_page=from_page)
        self.clock += timedelta(seconds=self.rng.randint(3, 20))
        entry.created_at = self.clock
        return entry

    def _pogo(self, slug):
        """Arrive from a search result, see it is not the answer, go back to the results."""
        title = self.by_slug[slug][1]
        others = [q for q in self.pages if q[0] != slug]
        entry = self._search(title.split()[0], self.rng.randint(3, 9))
        self._store([self._ev("search_click", slug, search_id=entry.id, rank=1),
                     self._ev("page_view", slug, ref="search", search_id=entry.id, **self._rev(slug)),
                     self._ev("scroll", slug, depth=self.rng.randint(5, 20)),
                     self._ev("engagement", slug, seconds=self.rng.uniform(2, 8))])
        if others:
            target = self.rng.choice(others)[0]
            self._store([self._ev("search_click", target, search_id=entry.id, rank=2)])
            self._visit(target, "search", entry.id)

    def _survey(self, slug):
        kind = self.rng.choice(["ces", "csat", "nps"])
        low, high = {"ces": (1, 7), "csat": (1, 5), "nps": (0, 10)}[kind]
        score = max(low, min(high, round(self.rng.triangular(low, high, high - 1))))
        self._store([self._ev("survey", slug, kind=kind, score=score)])

    def _rev(self, slug):
        """The revision a reader of `slug` saw at the session's clock (the fix or before)."""
        p = self.problems
        if slug == p.unclear and p.fixed_at is not None and self.lang == "en":
            number = self.revisions.get(slug)
            if number:
                return {"rev": number if self.clock >= p.fixed_at else number - 1}
        return {}

    def _visit(self, slug, ref, search_id=None):
        """Read one page; returns (next slug, ref) or None when the session ends."""
        p = self.problems
        events = [self._ev("page_view", slug, ref=ref, **self._rev(slug),
                           **({"search_id": search_id} if search_id else {}))]
        sections = self.by_slug[slug][2]
        gap = slug == p.gap and self.lang != "en"
        if (slug == p.drop_off or gap) and sections:
            stop = sections[min(1, len(sections) - 1)]
            events += [self._ev("scroll", slug, depth=self.rng.randint(30, 45), section=stop),
                       self._ev("engagement", slug, seconds=self.rng.uniform(20, 60))]
        else:
            depth = self.rng.choice([40, 60, 80, 100, 100])
            reached = sections[:max(1, round(len(sections) * depth / 100))] if sections else []
            events += [self._ev("scroll", slug, depth=depth, **({"section": s} if s else {}))
                       for s in (reached[-1:] or [None])]
            events.append(self._ev("engagement", slug, seconds=self.rng.uniform(15, 240)))
        if self.rng.random() < 0.15:
            events.append(self._ev("copy", slug, chars=self.rng.randint(20, 400)))
        self._store(events)
        self._maybe_vote(slug)
        return self._next(slug)

    def _next(self, slug):
        p = self.problems
        if slug == p.search_again and self.rng.random() < 0.7:
            return self._search_again(slug)
        if slug == p.dead_end and self.rng.random() < 0.6:
            title = self.by_slug[slug][1]
            self._search(f"{title} {self.rng.choice(['error', 'fails', 'not working'])}",
                         self.rng.choice([0, 0, 2, 4]), from_page=slug)
            return None
        if slug in p.loop and self.rng.random() < 0.75:
            other = p.loop[1] if slug == p.loop[0] else p.loop[0]
            return other, "internal"
        if self.rng.random() < 0.45:
            self._store([self._ev("exit", slug, seconds=self.rng.uniform(10, 300))])
            return None
        return self.rng.choice(self.pages)[0], "internal"

    def _search_again(self, slug):
        title = self.by_slug[slug][1]
        query = self.rng.choice([title, title.split()[0], f"{title} example"])
        others = [q for q in self.pages if q[0] != slug]
        results = 0 if self.rng.random() < 0.1 or not others else self.rng.randint(1, 8)
        entry = self._search(query, results, from_page=slug)
        if not results:
            self._store([self._ev("exit", slug)])
            return None
        target = self.rng.choice(others)[0]
        rank = self.rng.randint(1, min(results, 5))
        self._store([self._ev("search_click", target, search_id=entry.id, rank=rank)])
        return self._visit(target, "search", entry.id)

    def _maybe_vote(self, slug):
        p = self.problems
        fixed = p.fixed_at is not None and self.clock >= p.fixed_at and self.lang == "en"
        unclear = slug == p.unclear and not fixed
        gap = slug == p.gap and self.lang != "en"
        chance = 0.6 if slug == p.unclear or gap else 0.12
        if self.rng.random() >= chance:
            return
        if unclear or gap:
            helpful, reason = self.rng.random() < 0.2, ("unclear" if unclear else "incorrect")
        elif slug == p.unclear:  # after the fix: better, not perfect
            helpful, reason = self.rng.random() < 0.65, "unclear"
        else:
            helpful = self.rng.random() < 0.8
            reason = self.rng.choice(["solved", "easy", None] if helpful
                                     else ["incorrect", "missing", "outdated", None])
        if helpful and reason in ("unclear", "incorrect"):
            reason = None
        event = self._ev("feedback", slug, helpful=helpful, reason=reason)
        if not helpful and self.rng.random() < 0.5:
            event["comment"] = self.rng.choice(COMMENTS.get(self.lang, COMMENTS["en"]))
        self._store([event])

    def _ev(self, event_type, slug, **fields):
        return {"type": event_type, "page": slug, "lang": self.lang, **fields}

    def _store(self, events):
        batch = parse_batch({"session": self.session, "events": events}, self.known)
        self.clock += timedelta(seconds=self.rng.randint(20, 200))
        store_batches(self.db, [batch], now=self.clock)
        self.events += len(events)
