"""Question and intent words: in a query they say *how* the reader asks, not *what*.

`how do I upload a file`, `파일을 업로드하는 방법`, `ファイルをアップロードする方法` and
`cómo subir un archivo` ask for the same page as `upload file`. These words are dropped
from queries (not from pages: `방법` or `方法` can be what a page is about), unless the
query holds nothing else. English question words are already stop words (analysis.EN_STOP).
"""
from whoosh.analysis import Filter

QUERY_ONLY = {
    "ko": frozenset({"방법", "법", "어떻게", "어떤", "무엇", "뭐", "뭔가", "언제", "왜",
                     "하나요", "하는", "하나", "인가요", "가요", "나요", "되나요", "할까요",
                     "써야", "해야", "싶", "알려", "주세요", "가능", "하려면", "사용법", "방식"}),
    "ja": frozenset({"方法", "仕方", "やり方", "方", "何", "どう", "どの", "どれ", "いつ",
                     "なぜ", "とは", "使い方", "書き方", "作り方", "ため", "よう", "出来る"}),
    "es": frozenset({"cómo", "qué", "cuál", "cuáles", "cuándo", "dónde", "por", "puedo",
                     "hago", "hacer", "quiero", "forma", "manera", "mi", "mis"}),
    "en": frozenset({"can", "should", "need", "possible", "way", "tell", "explain"}),
}


class QueryIntentFilter(Filter):
    """Drops `lang`'s intent words from query text (mode != "index"), keeping a query that
    would otherwise be empty as it was."""

    def __init__(self, lang):
        self.lang = lang
        self.words = QUERY_ONLY.get(lang, frozenset())

    def __eq__(self, other):
        return type(other) is type(self) and other.lang == self.lang

    def __getstate__(self):
        return {"lang": self.lang}

    def __setstate__(self, state):
        self.__init__(state["lang"])

    def __call__(self, tokens):
        kept, dropped = [], []
        for t in tokens:
            if t.mode == "index" or not self.words:
                yield t
                continue
            (dropped if t.text in self.words else kept).append(t.copy())
        yield from kept or dropped
