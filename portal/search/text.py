"""Plain text of a Markdown page for the index: headings and body, no markup or placeholders."""
import html
import re

INCLUDE = re.compile(r"^[ \t]*\{\*.*?\*\}[ \t]*$", re.M)
JINJA = re.compile(r"\{%-?.*?-?%\}|\{\{.*?\}\}", re.S)
ATTR_LIST = re.compile(r"\{\s*[#.:][^}\n]*\}")
HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
BLOCK_MARK = re.compile(r"^[ \t]*(?:/{3,}|!{3}|\?{3}\+?|={3})[ \t]*(?:[\w-]+)?[ \t]*\|?", re.M)
FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}).*$", re.M)
IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\[[^\]]*\]")
REF_DEF = re.compile(r"^[ \t]*\[[^\]]+\]:[ \t]+\S+.*$", re.M)
TAG = re.compile(r"<[^>\n]+>")
MARKS = re.compile(r"\*\*|__(?=\w)|(?<=\w)__|[*`~|>]|^[ \t]*[-+][ \t]|^[ \t]*\d+\.[ \t]", re.M)
SPACE = re.compile(r"\s+")
# Table delimiter rows (| --- | :-: |) and horizontal rules: layout, not words.
RULE = re.compile(r"^(?=[^\n]*-{3})[ \t|:\-]+$|^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)


def _clean(text):
    text = IMAGE.sub(r"\1", text)
    text = LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = TAG.sub(" ", text)
    text = MARKS.sub(" ", text)
    return SPACE.sub(" ", html.unescape(text)).strip()


def extract(markdown):
    """(headings one per line, body) plain text of a page's Markdown, without placeholders."""
    text = INCLUDE.sub("", markdown)
    text = JINJA.sub("", text)
    text = ATTR_LIST.sub("", text)
    text = REF_DEF.sub("", text)
    headings = [_clean(m.group(2)) for m in HEADING.finditer(text) if len(m.group(1)) > 1]
    text = HEADING.sub(lambda m: m.group(2) + ".", text)
    text = BLOCK_MARK.sub("", text)
    text = FENCE.sub("", text)
    text = RULE.sub("", text)
    return "\n".join(headings), _clean(text)
