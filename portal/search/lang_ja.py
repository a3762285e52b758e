"""Japanese: words from a morphological dictionary (MeCab via fugashi, with IPAdic), with
CJK character bigrams as the fallback when the dictionary is not installed.

Japanese has no spaces between words. Bigrams find any run of characters but also match
pieces that straddle two words and particles (`を処`); MeCab splits `エラーを処理する方法`
into `エラー / を / 処理 / する / 方法` and Signpost keeps the content words (nouns, verb
and adjective base forms, prefixes). Katakana loanwords the Japanese pages also write in
English (`クッキー` / `Cookie`) are indexed and queried as the English word (LOANWORDS).

Memory: IPAdic is 51 MB on disk, memory-mapped read-only by MeCab, so its pages are shared
by every worker on the machine (page cache, 1/N of it in each worker's PSS). UniDic Lite
(250 MB, with English glosses of loanwords built in) scored the same on the query sets but
a worker touched 120 MB of it answering 22 queries: too much for 200 MB workers.
"""
import functools
import re
import threading

from portal.search.analysis import RUNS, ScriptTokenizer, _bigrams, _word_parts, segment

KEEP_POS = ("名詞", "動詞", "形容詞", "接頭詞")
# Words too general to mean anything alone (`する`, `ある`, `いる`, `なる`, `できる`; `こと`).
STOP_LEMMAS = frozenset({"する", "ある", "いる", "なる", "できる", "くる", "しまう", "いう",
                         "こと", "もの", "ため", "よう", "ところ", "とき", "わけ", "の", "ん"})
# Katakana spellings of words the Japanese pages also keep in English (checked by counting
# both spellings in the FastAPI Japanese translation).
LOANWORDS = {"クッキー": "cookie", "リクエスト": "request", "レスポンス": "response",
             "ヘッダー": "header", "ヘッダ": "header", "ウェブソケット": "websocket",
             "ドッカー": "docker", "ミドルウェア": "middleware", "テンプレート": "template",
             "パラメータ": "parameter", "パラメーター": "parameter", "データクラス": "dataclass",
             "ライフスパン": "lifespan", "ウェブフック": "webhook", "コールバック": "callback",
             "スウェーガー": "swagger", "ステータスコード": "status code", "エラー": "error",
             "ファイル": "file", "フォーム": "form", "モデル": "model", "テスト": "test",
             "セキュリティ": "security", "トークン": "token", "パスワード": "password"}

KATAKANA = re.compile(r"[\u30a0-\u30ff]+")  # katakana, with the long-vowel mark
MAX_COMPOUND = 40

_tagger = None
_lock = threading.Lock()
_missing = False


def tagger():
    """The process's MeCab tagger, or None when fugashi/ipadic are not installed."""
    global _tagger, _missing
    if _tagger is None and not _missing:
        with _lock:
            if _tagger is None and not _missing:
                try:
                    import fugashi
                    import ipadic
                    _tagger = fugashi.GenericTagger(ipadic.MECAB_ARGS)
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
        feature = w.feature  # IPAdic: pos1, pos2, pos3, pos4, conjugation x2, base form, ...
        if feature[0] not in KEEP_POS or feature[1] in ("非自立", "数", "接尾", "代名詞"):
            continue
        base = feature[6] if len(feature) > 6 and feature[6] != "*" else surface
        word = base if feature[0] in ("動詞", "形容詞") else surface
        if word in STOP_LEMMAS:
            continue
        english = LOANWORDS.get(word) or _loanword_compound(word)
        if english:
            found.extend((part, start, end) for part in english.split())
        else:
            found.append((word, start, end))
    return found


@functools.lru_cache(maxsize=4096)
def _loanword_compound(word):
    """The English words of a katakana compound made only of LOANWORDS (`リクエストヘッダー`:
    `request header`), or None. MeCab keeps an unknown katakana run whole, so without this
    `リクエストヘッダーを読む` matched no page that writes `ヘッダー` or `Header`. Runs longer
    than MAX_COMPOUND are not words: they are left whole."""
    if len(word) > MAX_COMPOUND or not KATAKANA.fullmatch(word):
        return None
    parts = segment(word, LOANWORDS, slack=0)
    return " ".join(LOANWORDS[part] for part in parts) if parts else None


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
