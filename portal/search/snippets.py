"""Highlighted snippets: the passage of a page holding most query terms, HTML-escaped."""
import re
from html import escape

from markupsafe import Markup

from portal.search.analysis import CJK_CHAR

WINDOW = 220
LEAD = 40
# Enough to find a good passage; bounds the work on very long pages.
MAX_MATCHES = 60
MAX_SCAN = 30_000


WORD_TAIL = re.compile(r"\w*")
WORD_CHAR = re.compile(r"\w")


def _pattern(marks):
    """A regex matching any mark: Latin stems at a word start, CJK terms anywhere."""
    parts = []
    for mark in sorted(marks, key=len, reverse=True):
        if CJK_CHAR.match(mark):
            parts.append(re.escape(mark))
        elif len(mark) > 1:
            parts.append(r"\b" + re.escape(mark) + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _matches(text, marks):
    """[(start, end)] of the first MAX_MATCHES marks in `text`, as `_pattern` finds them.

    The regex tries every alternative at every position (a quarter of a search's time at
    10,000 pages); `str.find` per mark on the lower-cased text and a merge is several
    times faster. Texts whose lower-casing changes their length take the regex path.
    """
    scan = text[:MAX_SCAN]
    lowered = scan.lower()
    if len(lowered) != len(scan):
        return _regex_matches(scan, marks)
    found = []
    for rank, mark in enumerate(sorted(marks, key=len, reverse=True)):
        cjk = CJK_CHAR.match(mark)
        if not cjk and len(mark) < 2:
            continue
        needle, pos, taken = mark.lower(), 0, 0
        while taken < MAX_MATCHES:
            at = lowered.find(needle, pos)
            if at == -1:
                break
            pos = at + 1
            if cjk:
                end = at + len(needle)
            elif at and WORD_CHAR.match(lowered, at - 1) or not WORD_CHAR.match(needle):
                continue  # not at a word start (the regex's \b)
            else:
                end = WORD_TAIL.match(lowered, at + len(needle)).end()
            found.append((at, rank, end))
            taken += 1
    found.sort()
    out, last = [], 0
    for start, _, end in found:  # leftmost first, then the longer mark, no overlaps
        if start >= last:
            out.append((start, end))
            last = end
            if len(out) >= MAX_MATCHES:
                break
    return out


def _regex_matches(text, marks):
    pattern = _pattern(marks)
    out = []
    if pattern is not None:
        for m in pattern.finditer(text):
            out.append(m.span())
            if len(out) >= MAX_MATCHES:
                break
    return out


def _best_start(text, matches):
    """Index of the match that starts the window covering the most distinct terms."""
    found = [text[a:b].lower() for a, b in matches]
    best, best_count, j = 0, 0, -1
    counts = {}
    for i, (start, _) in enumerate(matches):
        if j < i:  # the window always holds its first match
            j, counts = i, {found[i]: 1}
        while j + 1 < len(matches) and matches[j + 1][1] - start <= WINDOW:
            j += 1
            counts[found[j]] = counts.get(found[j], 0) + 1
        if len(counts) > best_count:
            best, best_count = i, len(counts)
        counts[found[i]] -= 1  # slide: the window's first match leaves
        if not counts[found[i]]:
            del counts[found[i]]
    return best


def _bounds(text, anchor):
    start = max(0, anchor - LEAD)
    if start:
        space = text.find(" ", start, anchor)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + WINDOW)
    if end < len(text):
        space = text.rfind(" ", start + WINDOW // 2, end)
        end = space if space != -1 else end
    return start, end


def snippet(text, marks):
    """An escaped passage of `text` with `<mark>` around the query's terms."""
    matches = _matches(text, marks)
    anchor = matches[_best_start(text, matches)][0] if matches else 0
    start, end = _bounds(text, anchor)
    out, pos = [], start
    for a, b in matches:
        if a < start or b > end:
            continue
        out.append(escape(text[pos:a]))
        out.append("<mark>" + escape(text[a:b]) + "</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    # Every piece of page text above went through html.escape; only <mark> is markup.
    return Markup(prefix + "".join(out) + suffix)
