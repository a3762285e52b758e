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


def _pattern(marks):
    """A regex matching any mark: Latin stems at a word start, CJK terms anywhere."""
    parts = []
    for mark in sorted(marks, key=len, reverse=True):
        if CJK_CHAR.match(mark):
            parts.append(re.escape(mark))
        elif len(mark) > 1:
            parts.append(r"\b" + re.escape(mark) + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _best_start(matches):
    """Index of the match that starts the window covering the most distinct terms."""
    best, best_count, j = 0, 0, 0
    found = [m.group().lower() for m in matches]
    for i, m in enumerate(matches):
        j = max(j, i)
        while j + 1 < len(matches) and matches[j + 1].end() - m.start() <= WINDOW:
            j += 1
        count = len(set(found[i:j + 1]))
        if count > best_count:
            best, best_count = i, count
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
    pattern = _pattern(marks)
    matches = []
    if pattern is not None:
        for m in pattern.finditer(text, 0, MAX_SCAN):
            matches.append(m)
            if len(matches) >= MAX_MATCHES:
                break
    anchor = matches[_best_start(matches)].start() if matches else 0
    start, end = _bounds(text, anchor)
    out, pos = [], start
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        out.append(escape(text[pos:m.start()]))
        out.append("<mark>" + escape(m.group()) + "</mark>")
        pos = m.end()
    out.append(escape(text[pos:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    # Every piece of page text above went through html.escape; only <mark> is markup.
    return Markup(prefix + "".join(out) + suffix)
