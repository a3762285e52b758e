"""Realistic demo traffic through the real validation and storage code.

Most pages read fine; a few carry designed problems so the insights have something to
find: readers search again after reading one page, vote another "unclear", stop at one
section of a third, and bounce between two others. Deterministic for a given seed.
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


def generate(db_session, days=14, sessions=400, seed=7, langs=("en", "ko")):
    """Create `sessions` reading sessions spread over the last `days` days; returns stats."""
    rng = random.Random(seed)
    pages = _pages(db_session, langs)
    if not any(pages.values()):
        return {"sessions": 0, "events": 0}
    problems = _choose_problems(pages)
    known = queries.published_pairs(db_session)
    now = utcnow().replace(microsecond=0)
    stats = {"sessions": 0, "events": 0}
    for _ in range(sessions):
        lang = rng.choice([l for l in langs if pages.get(l)] or langs)
        start = now - timedelta(days=rng.random() * days, minutes=rng.randint(5, 120))
        session = "%032x" % rng.getrandbits(128)
        sim = _Session(db_session, rng, lang, pages[lang], problems, known, session, start)
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
                    loop=(pick(7), pick(8)))


class _Session:
    """One simulated reader."""

    def __init__(self, db_session, rng, lang, pages, problems, known, session, start):
        self.db, self.rng, self.lang, self.pages = db_session, rng, lang, pages
        self.by_slug = {p[0]: p for p in pages}
        self.problems, self.known, self.session, self.clock = problems, known, session, start
        self.events = 0

    def run(self):
        first = self._entry_page()
        ref = self.rng.choice(["direct", "external", "search", "internal"])
        slug, visits = first, self.rng.randint(1, 4)
        for i in range(visits):
            if slug not in self.by_slug:
                break
            nxt = self._visit(slug, ref if i == 0 else "internal")
            if nxt is None:
                break
            slug, ref = nxt

    def _entry_page(self):
        weights = [3 if p[0] in (self.problems.unclear, self.problems.search_again,
                                 self.problems.drop_off) + self.problems.loop else 1
                   for p in self.pages]
        return self.rng.choices(self.pages, weights)[0][0]

    def _visit(self, slug, ref, search_id=None):
        """Read one page; returns (next slug, ref) or None when the session ends."""
        p = self.problems
        events = [self._ev("page_view", slug, ref=ref, **({"search_id": search_id} if search_id else {}))]
        sections = self.by_slug[slug][2]
        if slug == p.drop_off and sections:
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
        if slug in p.loop and self.rng.random() < 0.75:
            other = p.loop[1] if slug == p.loop[0] else p.loop[0]
            return other, "internal"
        if self.rng.random() < 0.45:
            self._store([self._ev("exit", slug, seconds=self.rng.uniform(10, 300))])
            return None
        return self.rng.choice(self.pages)[0], "internal"

    def _search_again(self, slug):
        from portal.search.log import log_search
        title = self.by_slug[slug][1]
        query = self.rng.choice([title, title.split()[0], f"{title} example"])
        others = [q for q in self.pages if q[0] != slug]
        results = 0 if self.rng.random() < 0.3 or not others else self.rng.randint(1, 8)
        entry = log_search(self.db, query, self.lang, results, self.session)
        entry.created_at = self.clock
        if not results:
            self._store([self._ev("exit", slug)])
            return None
        target = self.rng.choice(others)[0]
        rank = self.rng.randint(1, min(results, 5))
        self._store([self._ev("search_click", target, search_id=entry.id, rank=rank)])
        return self._visit(target, "search", entry.id)

    def _maybe_vote(self, slug):
        p = self.problems
        chance = 0.6 if slug == p.unclear else 0.12
        if self.rng.random() >= chance:
            return
        if slug == p.unclear:
            helpful, reason = self.rng.random() < 0.2, "unclear"
        else:
            helpful = self.rng.random() < 0.8
            reason = self.rng.choice(["solved", "easy", None] if helpful
                                     else ["incorrect", "missing", "outdated", None])
        if helpful and reason == "unclear":
            reason = None
        event = self._ev("feedback", slug, helpful=helpful, reason=reason)
        if not helpful and self.rng.random() < 0.5:
            event["comment"] = self.rng.choice(COMMENTS.get(self.lang, COMMENTS["en"]))
        self._store([event])

    def _ev(self, kind, slug, **fields):
        return {"type": kind, "page": slug, "lang": self.lang, **fields}

    def _store(self, events):
        batch = parse_batch({"session": self.session, "events": events}, self.known)
        self.clock += timedelta(seconds=self.rng.randint(20, 200))
        store_batches(self.db, [batch], now=self.clock)
        self.events += len(events)
