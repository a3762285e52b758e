"""Japanese: words from a morphological dictionary (MeCab via fugashi, UniDic Lite), with
CJK character bigrams as the fallback when the dictionary is not installed.

Japanese has no spaces between words. Bigrams find any run of characters but also match
pieces that straddle two words and particles (`を処`); MeCab splits `エラーを処理する方法`
into `エラー / を / 処理 / する / 方法` and Signpost keeps the content words (nouns, verb
and adjective lemmas, prefixes). UniDic glosses katakana loanwords with their English
source (`クッキー-cookie`): the gloss is indexed instead, so `クッキー` finds a page that
writes `Cookie` and the reverse.

Memory: the dictionary (~250 MB on disk) is memory-mapped by MeCab, read-only, so its
pages are shared by every worker on the machine (page cache) and count 1/N to each
worker's PSS; loading the tagger adds ~20 MB RSS (measured: see the commit message).
"""
import re
import threading

from portal.search.analysis import RUNS, ScriptTokenizer, _bigrams, _word_parts

KEEP_POS = ("名詞", "動詞", "形容詞", "形状詞", "接頭辞")
# Verbs too general to mean anything alone (`する`, `ある`, `いる`, `なる`, `できる`).
STOP_LEMMAS = frozenset({"為る", "有る", "居る", "成る", "出来る", "来る", "仕舞う", "言う",
                         "事", "物", "為", "様", "所", "時", "訳"})
KATAKANA = re.compile(r"^[\u30a0-\u30ffー]+$")

_tagger = None
_lock = threading.Lock()
_missing = False


def tagger():
    """The process's MeCab tagger, or None when fugashi/unidic-lite are not installed."""
    global _tagger, _missing
    if _tagger is None and not _missing:
        with _lock:
            if _tagger is None and not _missing:
                try:
                    import fugashi
                    _tagger = fugashi.Tagger()
                except (ImportError, RuntimeError):
                    _missing = True
    return _tagger


def words(text, tag):
    """(word, start, end) of the content words of a kana/kanji run."""
    found, pos = [], 0
    for w in tag(text):
        surface = w.surface
        start = text.find(surface, pos)
        if start < 0:
            start = pos
        end = start + len(surface)
        pos = end
        feature = w.feature
        pos1 = getattr(feature, "pos1", None)
        if pos1 not in KEEP_POS:
            continue
        lemma = getattr(feature, "lemma", None) or surface
        base, _, gloss = lemma.partition("-")
        if gloss and KATAKANA.match(surface) and gloss.isascii() and gloss.isalpha():
            word = gloss
        elif pos1 in ("動詞", "形容詞"):
            word = base
        else:
            word = surface
        if word in STOP_LEMMAS or base in STOP_LEMMAS:
            continue
        found.append((word, start, end))
    return found


class JapaneseTokenizer(ScriptTokenizer):
    """Latin words as ScriptTokenizer does; kana/kanji runs as dictionary words."""

    def __init__(self, cjk="mecab"):
        self.cjk = cjk

    def pieces(self, value):
        tag = tagger()
        if tag is None:
            return super().pieces(value)
        found = []
        for m in RUNS.finditer(value):
            kind, text, start = m.lastgroup, m.group(), m.start()
            if kind == "word":
                found.append((text, start, m.end()))
                found.extend(_word_parts(text, start))
            elif kind == "cjk":
                found.extend((w, start + s, start + e) for w, s, e in words(text, tag))
            else:
                found.extend(_bigrams(text, start))
        return found
