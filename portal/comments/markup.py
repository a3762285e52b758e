"""Markdown-lite for comments: bold, italic, code, links, paragraphs — escaped first.

The text is HTML-escaped before any markup is recognised, so nothing a user types can
become a tag or an attribute; links are kept only for http(s), mailto and site-relative
targets, which rules out `javascript:` and `data:` URLs.
"""
import re

from markupsafe import Markup, escape

_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_MENTION = re.compile(r"(?<![\w@.])@([\w.\-]+)")
_SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/)|#)", re.IGNORECASE)


def _link(match):
    text, url = match.group(1), match.group(2)
    # The URL is already escaped (&amp; etc.), so it can sit in a quoted attribute as is.
    if not _SAFE_URL.match(url.replace("&amp;", "&")):
        return match.group(0)
    return f'<a href="{url}" rel="nofollow ugc noopener">{text}</a>'


def _inline(text):
    kept = []  # code spans and links, put back last so no other rule reaches inside them

    def keep(html):
        kept.append(html)
        return f"\x00{len(kept) - 1}\x00"
    text = _CODE.sub(lambda m: keep(f"<code>{m.group(1)}</code>"), text)
    text = _LINK.sub(lambda m: keep(_link(m)), text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    text = _MENTION.sub(r'<span class="mention">@\1</span>', text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def render(body):
    """Safe HTML for a comment body: paragraphs on blank lines, line breaks kept."""
    text = str(escape(body.replace("\r\n", "\n").replace("\x00", "")))
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Markup("".join(f"<p>{_inline(p).replace(chr(10), '<br>')}</p>" for p in paragraphs))


def mentioned_names(body):
    """The `@name` handles in a text, lower-cased, without duplicates, in order."""
    seen = []
    for name in _MENTION.findall(body or ""):
        name = name.rstrip(".").lower()
        if name and name not in seen:
            seen.append(name)
    return seen
