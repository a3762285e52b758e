"""The search engine: one Whoosh index per language in a folder; build, update, query.

Knows nothing of Flask or the database: documents come in as `Doc`, results go out as
`SearchResult`. `portal.search.index` wires it to the app.
"""
import logging
import os
import shutil
import threading
import uuid
from dataclasses import dataclass, field

import numpy as np
from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter
from whoosh.fields import ID, TEXT, Schema

from portal.search import analysis, ranking, segments, spelling
from portal.search.analysis import PairTokenizer, ScriptTokenizer, analyzer, pairs, terms, words
from portal.search.scoring import Scorer
from portal.search.snippets import snippet
from portal.search.text import extract

log = logging.getLogger(__name__)
segments.install()  # segments read in place, not copied per searcher
# Relative weight of a query term found in each field.
WEIGHTS = {"title": 1.5, "headings": 1.0, "body": 1.0, "path": 1.0, "pairs": 0.5}
# In Korean "hybrid" mode the bigram fields add this share of their score.
NGRAM_WEIGHT = 1.0
# How many top hits get the title bonus (see ranking.py); BM25 parameters.
RERANK_DEPTH = 50
BM25 = {"B": 0.75, "K1": 2.0}
KOREAN_MODES = ("kiwi", "bigram", "hybrid")
# Open searchers kept per language between searches (more are opened while busier).
IDLE_SEARCHERS = 2
# Documents analysed per Kiwi batch while building an index.
BATCH = 64
# What goes into an index: bump it when text extraction, analysis or the schema change,
# and `portal init` rebuilds the indexes of an existing instance.
# 3: per-language analysis (lang_ko, lang_ja, lang_es, intent); 4: katakana compounds (ja)
INDEX_FORMAT = 4


@dataclass
class Doc:
    """A published translation to index."""

    slug: str
    lang: str
    title: str
    markdown: str
    section: str = ""


@dataclass
class Hit:
    """One search result."""

    slug: str
    title: str
    section: str
    score: float
    snippet: str = ""  # HTML: escaped text with <mark> around matches


@dataclass
class SearchResult:
    """A page of results with the total, a spelling suggestion and the section counts."""

    total: int = 0
    hits: list = field(default_factory=list)
    suggestion: str | None = None
    sections: dict = field(default_factory=dict)


class Engine:
    """Whoosh indexes under `root/<lang>`; searchers are cached per thread and refreshed."""

    def __init__(self, root, korean="hybrid"):
        if korean not in KOREAN_MODES:
            raise ValueError(f"korean must be one of {KOREAN_MODES}")
        self.root = str(root)
        self.korean = korean
        self._local = threading.local()
        self._analyzers = {}
        self._shared, self._shared_lock = {}, threading.Lock()
        self._idle = {}  # lang -> idle (searcher, scorer, identity), see _checkout

    # -- schema and analyzers -------------------------------------------------------------

    def _main_mode(self, lang):
        return ("kiwi" if self.korean != "bigram" else "bigram") if lang == "ko" else None

    def analyzer(self, lang, ngram=False):
        """The analyzer of the language's main fields (or of its bigram fields)."""
        key = (lang, ngram)
        if key not in self._analyzers:
            self._analyzers[key] = analyzer(lang, "bigram" if ngram else self._main_mode(lang))
        return self._analyzers[key]

    def _has_ngrams(self, lang):
        return lang == "ko" and self.korean == "hybrid"

    def schema(self, lang):
        """The index schema for `lang`."""
        an = self.analyzer(lang)
        fields = {"slug": ID(stored=True, unique=True), "section": ID(stored=True, sortable=True),
                  "title": TEXT(an, stored=True), "headings": TEXT(an),
                  "body": TEXT(an, stored=True), "path": TEXT(analyzer("en")),
                  "vocab": TEXT(ScriptTokenizer(None) | LowercaseFilter(), phrase=False),
                  "pairs": TEXT(PairTokenizer(lang, self._main_mode(lang)), phrase=False)}
        if self._has_ngrams(lang):
            ng = self.analyzer(lang, ngram=True)
            fields.update(title_ng=TEXT(ng), headings_ng=TEXT(ng), body_ng=TEXT(ng))
        return Schema(**fields)

    def _fields(self, doc):
        headings, body = extract(doc.markdown)
        values = {"slug": doc.slug, "section": doc.section or "", "title": doc.title,
                  "headings": headings, "body": body,
                  "path": doc.slug.replace("/", " ").replace("-", " ").replace("_", " "),
                  "vocab": " ".join((doc.title, headings, body)),
                  "pairs": doc.title + "\n" + headings}
        if self._has_ngrams(doc.lang):
            values.update(title_ng=doc.title, headings_ng=headings, body_ng=body)
        return values

    # -- writing --------------------------------------------------------------------------

    def _dir(self, lang):
        return os.path.join(self.root, lang)

    def _open(self, lang, create=True):
        path = self._dir(lang)
        if whoosh_index.exists_in(path):
            return whoosh_index.open_dir(path)
        if not create:
            return None
        os.makedirs(path, exist_ok=True)
        created = whoosh_index.create_in(path, self.schema(lang))
        self._mark_current(lang)
        return created

    def add(self, docs):
        """Add or replace documents (grouped by language)."""
        for lang, group in _by_lang(docs).items():
            writer = self._open(lang).writer(timeout=30)
            with writer:
                for doc in group:
                    writer.update_document(**self._fields(doc))

    def remove(self, slug, lang):
        """Remove a page's document in `lang`, if indexed."""
        ix = self._open(lang, create=False)
        if ix is not None:
            with ix.writer(timeout=30) as writer:
                writer.delete_by_term("slug", slug)

    def rebuild(self, docs, langs=()):
        """Replace the indexes of every language in `docs` (and `langs`) with fresh ones."""
        groups = _by_lang(docs)
        for lang in langs:
            groups.setdefault(lang, [])
        for lang, group in groups.items():
            self._rebuild_one(lang, group)
        return {lang: len(group) for lang, group in groups.items()}

    def _rebuild_one(self, lang, docs):
        # Build beside the live index and swap, so readers never see a half-built one.
        os.makedirs(self.root, exist_ok=True)
        fresh = os.path.join(self.root, f".{lang}.{uuid.uuid4().hex}")
        os.makedirs(fresh)
        ix = whoosh_index.create_in(fresh, self.schema(lang))
        with ix.writer(limitmb=256) as writer:
            for i in range(0, len(docs), BATCH):
                fields = [self._fields(doc) for doc in docs[i:i + BATCH]]
                if self._main_mode(lang) == "kiwi":
                    analysis.prime([f[name] for f in fields for name in ("title", "headings", "body")]
                                   + [line for f in fields for line in f["pairs"].splitlines()])
                for values in fields:
                    writer.add_document(**values)
                analysis.forget()
        live, old = self._dir(lang), fresh + ".old"
        if os.path.exists(live):
            os.rename(live, old)
        os.rename(fresh, live)
        shutil.rmtree(old, ignore_errors=True)
        self._mark_current(lang)  # after the swap: a crash in between leaves it stale

    def _mark_current(self, lang):
        with open(self._format_file(lang), "w") as fh:
            fh.write(str(INDEX_FORMAT))

    def _format_file(self, lang):
        return os.path.join(self.root, f".format-{lang}")

    def is_current(self, langs):
        """True when no language has an index built in an older format.

        A language without an index is fine: its first published page creates one.
        """
        for lang in langs:
            if not os.path.isdir(self._dir(lang)):
                continue
            try:
                with open(self._format_file(lang)) as fh:
                    if fh.read().strip() != str(INDEX_FORMAT):
                        return False
            except OSError:  # built before indexes carried a format
                return False
        return True

    # -- reading --------------------------------------------------------------------------

    def searcher(self, lang):
        """This thread's up-to-date (searcher, scorer) for `lang`, or None without an index."""
        cache = self._local.__dict__.setdefault("searchers", {})
        current = cache.get(lang)
        identity = _identity(self._dir(lang))
        if current is not None:
            if self._valid(current, identity):
                return current[:2]
            current[0].close()
            cache.pop(lang)
        cache[lang] = self._fresh(lang, identity)
        return cache[lang][:2] if cache[lang] else cache.pop(lang)

    @staticmethod
    def _valid(entry, identity):
        try:
            # A rebuild swaps in a new folder, which may start at the same generation.
            return entry[2] == identity and entry[0].up_to_date()
        except (OSError, whoosh_index.EmptyIndexError):
            return False

    def _fresh(self, lang, identity):
        """A new (searcher, scorer, identity) for `lang`, or None without an index."""
        ix = self._open(lang, create=False)
        if ix is None:
            return None
        searcher = ix.searcher()
        scorer = Scorer(searcher, k1=BM25["K1"], b=BM25["B"])
        self._share(lang, (identity, searcher.reader().generation()), scorer)
        return searcher, scorer, identity

    def _checkout(self, lang):
        """An idle up-to-date (searcher, scorer, identity) from the pool, or a new one.

        Searches borrow a searcher for their duration instead of keeping one per thread:
        each open searcher holds several MB of its own, and with 16 threads x 4 languages
        per worker those were most of a worker's private memory.
        """
        identity = _identity(self._dir(lang))
        while True:
            with self._shared_lock:
                idle = self._idle.get(lang)
                entry = idle.pop() if idle else None
            if entry is None:
                return self._fresh(lang, identity)
            if self._valid(entry, identity):
                return entry
            entry[0].close()

    def _checkin(self, lang, entry):
        with self._shared_lock:
            idle = self._idle.setdefault(lang, [])
            if len(idle) < IDLE_SEARCHERS:
                idle.append(entry)
                return
        entry[0].close()

    def _share(self, lang, key, scorer):
        """Give `scorer` the caches of the other threads' scorers of the same index version.

        Each thread reads through its own searcher (Whoosh's file reads are not safe across
        threads), but what a scorer derives from the index (posting arrays, field lengths,
        memoised title terms and spellings) is the same for all: one copy per worker process
        instead of one per thread (each holds up to 5,000 posting arrays, which at 10,000
        pages run to tens of KB each). Postings and memo are thread-safe LRUs
        (`portal.cache`); a field's lengths are computed whole and then set in one step.
        """
        with self._shared_lock:
            shared = self._shared.get(lang)
            if shared is None or shared[0] != key:
                shared = self._shared[lang] = (key, {
                    "_postings": scorer._postings, "_lengths": scorer._lengths,
                    "memo": scorer.memo})
        for name, value in shared[1].items():
            setattr(scorer, name, value)

    def close(self):
        """Close this thread's searchers and the idle ones of the pool."""
        for current in self._local.__dict__.pop("searchers", {}).values():
            current[0].close()
        with self._shared_lock:
            idle, self._idle = self._idle, {}
        for entries in idle.values():
            for entry in entries:
                entry[0].close()

    def doc_count(self, lang):
        """Number of documents indexed for `lang`."""
        entry = self._checkout(lang)
        if entry is None:
            return 0
        try:
            return entry[0].doc_count()
        finally:
            self._checkin(lang, entry)

    def build_query(self, lang, text, searcher, scorer, prefix=False, correct=True):
        """(clauses, highlight terms, corrected text or None) for the user's `text`.

        A clause is (key, field, term, boost); the key names the query term it stands for.
        """
        corrected = (spelling.correct(searcher, text, scorer.memo)
                     if lang != "ko" and correct else None)
        effective = corrected or text
        clauses, marks = [], set(words(effective))
        for fieldname, weight in self._field_weights(lang):
            ngram = fieldname.endswith("_ng")
            found = terms(self.analyzer(lang, ngram), effective)
            if lang == "ko" and not ngram:
                found = spelling.split_compounds(scorer, found)
            for term in found:
                clauses.append((("ng" if ngram else "", term), fieldname, term, weight))
                if not ngram:
                    marks.add(term)
        for term in terms(analyzer("en"), effective):
            clauses.append((("", term), "path", term, WEIGHTS["path"]))
        for pair in set(pairs(self.analyzer(lang), effective)):
            clauses.append((("pair", pair), "pairs", pair, WEIGHTS["pairs"]))
        if prefix:
            clauses.extend(self._prefix_clauses(lang, text, searcher, scorer.memo))
        return clauses, marks, corrected

    def _field_weights(self, lang):
        pairs = [(f, WEIGHTS[f]) for f in ("title", "headings", "body")]
        if self._has_ngrams(lang):
            pairs += [(f + "_ng", w * NGRAM_WEIGHT) for f, w in pairs]
        return pairs

    def _prefix_clauses(self, lang, text, searcher, memo):
        """Clauses completing the last, half-typed word (for as-you-type suggestions)."""
        found = words(text)
        if not found or text.rstrip() != text or len(found[-1]) < 2:
            return []
        an = self.analyzer(lang)
        last = found[-1].lower()
        completions = memo.get(("complete", last), lambda: spelling.completions(searcher, last))
        return [(("prefix", t), f, t, WEIGHTS[f] * 0.5)
                for word in completions
                for t in terms(an, word) for f in ("title", "headings")]

    def search(self, lang, text, limit=10, offset=0, section=None, with_sections=False,
               with_snippets=True, prefix=False, expand=None, prior=None):
        """Search `lang` for `text`; a page of hits from `offset`, with the total.

        `expand(clauses, build)` may add clauses (owners' synonyms, `portal.search.synonyms`);
        `build(text)` gives the clauses of other words, uncorrected. `prior(slug)` may give
        a page's score a factor (`portal.search.ranking.top`).
        """
        entry = self._checkout(lang)
        if entry is None:
            return SearchResult()
        try:
            return self._search(lang, text, entry[0], entry[1], limit, offset, section,
                                with_sections, with_snippets, prefix, expand, prior)
        finally:
            self._checkin(lang, entry)

    def _search(self, lang, text, searcher, scorer, limit, offset, section, with_sections,
                with_snippets, prefix, expand, prior=None):
        clauses, marks, corrected = self.build_query(lang, text, searcher, scorer, prefix=prefix)
        if expand is not None:
            clauses = expand(clauses, lambda other: scorer.memo.get(
                ("expand", other), lambda: self.build_query(
                    lang, other, searcher, scorer, correct=False)[0]))
        final, mask = ranking.coordinated(scorer, clauses)
        mask &= scorer.live
        result = SearchResult(suggestion=corrected)
        if section or with_sections:
            codes, names = scorer.sections()
            if with_sections:
                counts = np.bincount(codes[mask], minlength=len(names))
                result.sections = {names[i]: int(n) for i, n in enumerate(counts) if n}
            if section:
                mask &= codes == (names.index(section) if section in names else -1)
        result.total = int(mask.sum())
        depth = max(RERANK_DEPTH, offset + limit)
        ranked = ranking.top(scorer, final, mask, depth,
                             self.analyzer(lang, ngram=(lang == "ko")), corrected or text,
                             prior=prior)
        result.hits = [self._hit(searcher.stored_fields(docnum), score, marks, with_snippets)
                       for docnum, score in ranked[offset:offset + limit]]
        return result

    @staticmethod
    def _hit(stored, score, marks, with_snippets):
        return Hit(slug=stored["slug"], title=stored["title"], section=stored.get("section", ""),
                   score=round(score, 4),
                   snippet=snippet(stored.get("body", ""), marks) if with_snippets else "")


def _identity(path):
    """Which folder is at `path` now (its inode), or None."""
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _by_lang(docs):
    groups = {}
    for doc in docs:
        groups.setdefault(doc.lang, []).append(doc)
    return groups
