"""Analyzers per content language: stemming for English and Spanish, CJK bigrams, Korean morphemes.

Korean was measured both ways (see bench/search_analyzers.md): a morphological analyzer
(kiwipiepy) copes with particles and endings, CJK bigrams with missing spaces and words
Kiwi does not know; Signpost indexes both and queries both, which scored best.
"""
import bisect
import ctypes
import logging
import os
import re
import threading
import time

from whoosh.analysis import (Composable, LowercaseFilter, StemFilter, StopFilter, Token,
                             Tokenizer)
from whoosh.lang import stopwords_for_language

log = logging.getLogger(__name__)

HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
KANA_HAN = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
# A run of one script: Latin-ish words (letters, digits, underscore), Hangul, or kana/kanji.
RUNS = re.compile(rf"(?P<hangul>[{HANGUL}]+)|(?P<cjk>[{KANA_HAN}ー]+)"
                  rf"|(?P<word>[^\W{HANGUL}{KANA_HAN}]+)")
# Identifiers split at underscores and case changes: HTTPException -> HTTP, Exception.
PARTS_HINT = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]|_")
PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
CJK_CHAR = re.compile(f"[{HANGUL}{KANA_HAN}]")
HANGUL_CHAR = re.compile(f"[{HANGUL}]")
# Verb stems that carry no meaning on their own (`하다`, `되다`, `있다`...).
KO_STOP = frozenset({"하", "되", "있", "없", "않", "이"})
KEEP_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN")
EN_STOP = frozenset(stopwords_for_language("en")) | {
    "how", "do", "does", "i", "my", "me", "what", "which", "why", "when", "where", "using",
    "use", "want", "make", "get", "way", "s", "t", "vs"}

_kiwi = None
_kiwi_pid = None  # the process that built _kiwi (its worker threads live there only)
_kiwi_lock = threading.Lock()
_remote = None  # a _RemoteOrLocal once use_service() was called (served by gunicorn)
_primed = {}  # text -> Kiwi tokens, filled by prime() while an index is built


def kiwi():
    """The Korean analyzer: the shared analyzer process when use_service() chose it (see
    `portal.search.analyzer_service`), else the process's own Kiwi, built once, lazily."""
    return _remote if _remote is not None else _local_kiwi()


def _local_kiwi():
    global _kiwi, _kiwi_pid
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi
                # Without the multi-word dictionary (Wikipedia names and phrases): 320 MB
                # instead of 530 MB, and no lower MRR on the Korean query sets.
                _kiwi = Kiwi(load_multi_dict=False)
                _kiwi_pid = os.getpid()
    return _kiwi


def use_service(path, owner=None):
    """Analyse Korean in the one analyzer process at socket `path` (started on first use).

    `owner`: the process the analyzer lives for (a gunicorn master; default the parent of
    the process that starts it). Called by `portal.search.index.init_app` when gunicorn
    serves the app; the CLI and tests keep the model in their own process.
    """
    global _remote
    from portal.search.analyzer_service import RemoteKiwi
    _remote = _RemoteOrLocal(RemoteKiwi(path, owner))


def use_local():
    """Back to the process's own model (undoes use_service)."""
    global _remote
    if _remote is not None:
        _remote.remote.close()
    _remote = None


class _RemoteOrLocal:
    """Kiwi's `tokenize` through the analyzer process; the process's own model while the
    analyzer cannot be reached or started (logged: the worker's memory then grows by the
    model's ~320 MB, but search and indexing keep their quality).

    While fallen back it asks the analyzer process again every `retry_after` seconds;
    once it answers, the worker lets go of the model it loaded for itself.

    Repeated short texts (a query is analysed once per field) are answered from a small
    LRU; page text is not kept.
    """

    SHORT = 200  # characters: a query, a title, a line of headings

    def __init__(self, remote, retry_after=None):
        from portal.cache import LRU
        from portal.search.analyzer_service import RETRY_AFTER
        self.remote = remote
        self.recent = LRU(256)
        self.retry_after = RETRY_AFTER if retry_after is None else retry_after
        self.fallen_back_at = None  # time.monotonic() of the last failure while fallen back

    @property
    def fallen_back(self):
        return self.fallen_back_at is not None

    def tokenize(self, texts):
        from portal.search.analyzer_service import Unavailable
        short = isinstance(texts, str) and len(texts) <= self.SHORT
        if short:
            cached = self.recent.get(texts)
            if cached is not None:
                return cached
        found = None
        since = self.fallen_back_at
        if since is None or time.monotonic() - since >= self.retry_after:
            try:
                found = self.remote.tokenize(texts)
            except Unavailable:
                if since is None:
                    log.exception("Korean analyzer process unavailable; loading the model "
                                  "in this process (pid %s) until it is back", os.getpid())
                self.fallen_back_at = time.monotonic()
            else:
                if since is not None:
                    self.fallen_back_at = None
                    log.warning("Korean analyzer process is back; pid %s releases its own "
                                "model", os.getpid())
                    _release_local_kiwi()
        if found is None:
            found = _local_kiwi().tokenize(texts)
        if short:
            self.recent.put(texts, found)
        return found


def _release_local_kiwi():
    """Drop the model this process loaded (threads still using it keep it until done).

    One inherited from a pre-forking master is kept: see `_keep_inherited_kiwi`.
    """
    global _kiwi, _kiwi_pid
    with _kiwi_lock:
        if _kiwi is not None and _kiwi_pid == os.getpid():
            _kiwi = _kiwi_pid = None


def _keep_inherited_kiwi():
    """In a forked worker, never destroy the inherited Kiwi: its destructor joins worker
    threads that stayed in the parent and aborts the process (SIGABRT at every worker exit)."""
    if _kiwi is not None:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(_kiwi))


os.register_at_fork(after_in_child=_keep_inherited_kiwi)


def preload():
    """Load Kiwi and run it once, so the memory it sets up on first use is allocated now.

    The analyzer process (`portal.search.analyzer_service`) calls it before answering; a
    pre-forking server's master that keeps the model itself (`SEARCH_ANALYZER = "preload"`)
    calls it before forking, and its workers share the model copy-on-write.
    """
    _local_kiwi().tokenize("파일을 업로드하려면 매개변수를 선언합니다. FastAPI에서 Docker로 배포하기")


def prime(texts):
    """Analyse many texts in one Kiwi batch (several times faster); forget() frees them."""
    from portal.search.lang_ko import normalize  # the Korean tokenizer reads normalized text
    texts = [t for t in set(map(normalize, texts)) if t and HANGUL_CHAR.search(t)]
    if texts:
        if _remote is not None or os.getpid() == _kiwi_pid:
            _primed.update(zip(texts, kiwi().tokenize(texts)))
        else:  # a forked worker: a batch waits forever for the parent's worker threads
            _primed.update((text, kiwi().tokenize(text)) for text in texts)


def forget():
    """Drop the texts prime() analysed."""
    _primed.clear()


def _bigrams(text, start):
    """Overlapping character bigrams of a CJK run (the run itself when one character)."""
    if len(text) == 1:
        yield text, start, start + 1
        return
    for i in range(len(text) - 1):
        yield text[i:i + 2], start + i, start + i + 2


def _morphemes(text):
    """Content morphemes (nouns, verb and adjective stems, roots) of Hangul words in `text`.

    One-syllable verb stems are dropped: they are mostly Kiwi misreading a particle after a
    Latin word (`Docker를` -> `르`) or a loanword (`도커` -> `크`).
    Kiwi reads the whole text so particles after Latin words (`yield를`) are recognised.
    """
    tokens = _primed.get(text)
    for tok in tokens if tokens is not None else kiwi().tokenize(text):
        if (tok.tag.startswith(KEEP_TAGS) and HANGUL_CHAR.match(text, tok.start)
                and tok.form not in KO_STOP
                and not (len(tok.form) == 1 and tok.tag.startswith(("VV", "VA")))):
            yield tok.form, tok.start, tok.start + tok.len


def _word_parts(word, start):
    """The parts of a code identifier, besides the whole: `UploadFile` -> `Upload`, `File`."""
    if not PARTS_HINT.search(word):
        return []
    parts = [(m.group(), start + m.start(), start + m.end()) for m in PARTS.finditer(word)]
    return parts if len(parts) > 1 else []


def _with_unread_runs(morphemes, runs):
    """Morphemes, plus each Hangul word Kiwi found nothing in (`도커` misread as a verb)."""
    starts = sorted(start for _, start, _ in morphemes)
    for text, start, end in runs:
        i = bisect.bisect_left(starts, start)
        if len(text) > 1 and not (i < len(starts) and starts[i] < end):
            morphemes.append((text, start, end))
    return morphemes


class ScriptTokenizer(Tokenizer):
    """Splits text into words; CJK runs become bigrams or morphemes (`cjk` = bigram|kiwi)."""

    def __init__(self, cjk="bigram"):
        self.cjk = cjk

    def __eq__(self, other):
        return type(other) is type(self) and other.cjk == self.cjk

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for text, start, end in self.pieces(value):
            t.text, t.boost, t.stopped = text, 1.0, False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t

    def pieces(self, value):
        """(text, start, end) of every token in `value`."""
        morphemes = self.cjk == "kiwi" and HANGUL_CHAR.search(value)
        found, hangul_runs = [], []
        for m in RUNS.finditer(value):
            kind, text, start = m.lastgroup, m.group(), m.start()
            if kind == "word":
                found.append((text, start, m.end()))
                found.extend(_word_parts(text, start))
            elif kind == "hangul" and morphemes:
                hangul_runs.append((text, start, m.end()))
            else:
                found.extend(_bigrams(text, start))
        if morphemes:
            found.extend(_with_unread_runs(list(_morphemes(value)), hangul_runs))
            found.sort(key=lambda piece: piece[1])
        return found


class LatinStemFilter(StemFilter):
    """Stems only words written in Latin letters, leaving CJK tokens as they are."""

    def __call__(self, tokens):
        stemfn = self._stem
        for t in tokens:
            if not t.stopped and not CJK_CHAR.match(t.text):
                t.text = stemfn(t.text)
            yield t


class ShortWordFilter(Composable):
    """Drops one-letter Latin tokens (noise like `a`, `x`), keeping single CJK characters."""

    def __call__(self, tokens):
        for t in tokens:
            if len(t.text) > 1 or CJK_CHAR.match(t.text):
                yield t


def analyzer(lang, cjk=None, stem=True):
    """The analyzer for text in `lang`; `cjk` chooses how Korean is split (bigram or kiwi)."""
    if lang == "ko":
        cjk = cjk or "kiwi"
    elif lang in ("ja", "zh"):
        cjk = "bigram"
    else:
        cjk = cjk or "bigram"
    from portal.search import intent, lang_es, lang_ja, lang_ko  # per-language additions
    tokenizer = {"ko": lang_ko.KoreanTokenizer, "ja": lang_ja.JapaneseTokenizer}.get(
        lang, ScriptTokenizer)
    chain = tokenizer(cjk) | LowercaseFilter() | ShortWordFilter()
    if lang == "es":
        chain = chain | lang_es.SpanishWordsFilter()
    stop_lang = lang if lang in ("en", "es") else "en"
    stops = EN_STOP if stop_lang == "en" else frozenset(stopwords_for_language(stop_lang))
    chain = chain | StopFilter(stoplist=stops, minsize=1) | intent.QueryIntentFilter(lang)
    if stem:
        chain = chain | LatinStemFilter(lang=stop_lang)
    if stem and lang == "es":
        chain = chain | lang_es.SpanishStemFilter()
    return chain


def segment(word, known, slack=2):
    """Two or more of `known` that spell `word` (or `word` plus a stemmed-off ending of up to
    `slack` letters: `uploadfil` <- `upload` `file`), or None. Longer parts are tried
    first."""
    if len(word) < 4:
        return None

    def walk(at):
        if at >= len(word):
            return []
        for part in sorted(known, key=len, reverse=True):
            if word.startswith(part, at) or (len(word) - at <= len(part) <= len(word) - at + slack
                                             and part.startswith(word[at:])):
                rest = walk(at + len(part))
                if rest is not None:
                    return [part] + rest
        return None

    found = walk(0)
    return found if found and len(found) > 1 else None


def words(text):
    """Lower-cased Latin words of `text` (the vocabulary for spelling suggestions)."""
    return [m.group().lower() for m in RUNS.finditer(text) if m.lastgroup == "word"]


def terms(an, text):
    """The distinct terms `an` makes of `text`, in order."""
    seen = []
    for t in an(text):
        if t.text not in seen:
            seen.append(t.text)
    return seen


class PairTokenizer(Tokenizer):
    """Adjacent term pairs of each line (`background task`), for phrase-like title matches."""

    def __init__(self, lang, cjk=None):
        self.lang, self.cjk = lang, cjk

    def __eq__(self, other):
        return type(other) is type(self) and (other.lang, other.cjk) == (self.lang, self.cjk)

    def __getstate__(self):
        return {"lang": self.lang, "cjk": self.cjk}

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, text in enumerate(pairs(self._analyzer(), value), start_pos):
            t.text, t.boost, t.stopped = text, 1.0, False
            if positions:
                t.pos = pos
            if chars:
                t.startchar = t.endchar = start_char
            yield t

    def _analyzer(self):
        if "_an" not in self.__dict__:
            self._an = analyzer(self.lang, self.cjk)
        return self._an


def pairs(an, text):
    """Adjacent term pairs within each line of `text`, as `first second`."""
    found = []
    for line in text.splitlines():
        line_terms = [t.text for t in an(line)]
        found.extend(f"{a} {b}" for a, b in zip(line_terms, line_terms[1:]) if a != b)
    return found
