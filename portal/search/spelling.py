"""Spelling: correct misspelt query words from the index vocabulary, complete half-typed ones."""
import re
import unicodedata

from portal.search.analysis import EN_STOP

# A word of four or more letters standing alone: not the letters of a longer token that
# holds digits (`nodeword3f9a1b2c3d`, `oauth2`, `sha256`), which is looked up whole.
WORD = re.compile(r"(?<![^\W_])[^\W\d_]{4,}(?![^\W_])")
VOCAB = "vocab"
MAX_COMPLETION_SCAN = 300


def distance(a, b):
    """Edit distance counting a swap of two neighbouring letters as one edit."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def best_correction(searcher, word):
    """The likeliest intended word for `word`, or None when it is in the index.

    One edit (a swap counts as one) wins; then another form of the same word (`replicas`
    -> `replication`); then two edits. Ties go to the longer shared beginning, then to
    the more frequent word.
    """
    if word in EN_STOP or searcher.doc_frequency(VOCAB, word):
        return None
    maxdist = 1 if len(word) <= 5 else 2
    candidates = []
    for cand in searcher.reader().terms_within(VOCAB, word, maxdist, prefix=1):
        dist = distance(word, cand)
        if cand != word and dist <= maxdist:
            candidates.append((dist, -_shared_prefix(word, cand),
                               -searcher.doc_frequency(VOCAB, cand), cand))
    close = [c for c in candidates if c[0] == 1]
    if close:
        return min(close)[3]
    if len(word) >= 6:
        forms = completions(searcher, word[:max(5, len(word) - 2)], limit=1)
        if forms:
            return forms[0]
    return min(candidates)[3] if candidates else None


def _shared_prefix(a, b):
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def correct(searcher, text, memo=None):
    """`text` with misspelt words replaced, or None when nothing needed correcting."""
    changed = False

    def fix(match):
        nonlocal changed
        word = match.group().lower()
        better = (memo.get(("correct", word), lambda: best_correction(searcher, word))
                  if memo is not None else best_correction(searcher, word))
        if better is None:
            return word
        changed = True
        return better

    fixed = WORD.sub(fix, text)
    return fixed if changed else None


def completions(searcher, prefix, limit=5):
    """The most frequent indexed words starting with `prefix`."""
    found = []
    for i, term in enumerate(searcher.reader().expand_prefix(VOCAB, prefix.lower())):
        if i >= MAX_COMPLETION_SCAN:
            break
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        found.append((searcher.doc_frequency(VOCAB, term), term))
    found.sort(reverse=True)
    return [term for _, term in found[:limit]]


def split_compounds(lexicon, found, fieldname="body"):
    """Replace unknown compound terms by known parts: `비밀번호해싱` -> `비밀번호`, `해싱`.

    `lexicon` answers doc_frequency(field, term) (a searcher, or the cached scorer).
    """
    out = []
    for term in found:
        parts = None
        if len(term) >= 4 and not term.isascii() and not lexicon.doc_frequency(fieldname, term):
            parts = _segment(lexicon, term, fieldname)
        out.extend(parts or [term])
    return out


def _segment(searcher, word, fieldname):
    """The split of `word` into the fewest indexed terms of two or more letters, or None."""
    best = {0: []}
    for end in range(2, len(word) + 1):
        options = [best[start] + [word[start:end]] for start in range(0, end - 1)
                   if start in best and searcher.doc_frequency(fieldname, word[start:end])]
        if options:
            best[end] = min(options, key=len)
    return best.get(len(word))


# "Did you mean" for Korean and Japanese: the index keeps those languages as morphemes or
# bigrams, so whole words are gathered from the stored text instead (once per index
# generation) and compared letter by letter after NFD, which splits a Hangul syllable into
# its jamo and a kana into base and voicing mark: `업로두` is one edit from `업로드`,
# `アップロート` one from `アップロード`.
CJK_RUNS = {"ko": re.compile("[\uac00-\ud7a3]{2,}"), "ja": re.compile("[\u30a1-\u30fa\u30fc]{3,}")}


def cjk_vocabulary(texts, lang):
    """{first letter: {word: count}} of the Hangul (ko) or katakana (ja) words in `texts`."""
    found = {}
    pattern = CJK_RUNS[lang]
    for text in texts:
        for word in pattern.findall(text or ""):
            bucket = found.setdefault(word[0], {})
            bucket[word] = bucket.get(word, 0) + 1
    return found


def correct_cjk(vocabulary, text, lang):
    """`text` with unknown Hangul/katakana words replaced by the closest known ones, or None."""
    changed = False

    def fix(match):
        nonlocal changed
        word = match.group()
        bucket = vocabulary.get(word[0], {})
        if word in bucket:
            return word
        better = _closest(word, bucket)
        if better is None:
            return word
        changed = True
        return better

    fixed = CJK_RUNS[lang].sub(fix, text)
    return fixed if changed else None


def _closest(word, bucket):
    letters = unicodedata.normalize("NFD", word)
    maxdist = 1 if len(word) <= 3 else 2
    best = None
    for cand, count in bucket.items():
        if abs(len(cand) - len(word)) > 1:
            continue
        dist = distance(letters, unicodedata.normalize("NFD", cand))
        if dist <= maxdist and (best is None or (dist, -count) < best[:2]):
            best = (dist, -count, cand)
    return best[2] if best else None
