"""Reading and writing Markdown files with YAML front matter, and mkdocs.yml navigation.

A docs tree is read and written only inside its root: a file, folder or mkdocs.yml that
resolves outside it (a symlink to /etc/passwd, say) is refused with `UnsafePath`, before
anything is read or written, rather than published as a page or overwritten.
"""
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
HEADING_ID = re.compile(r"\s*\{\s*#[^}]*\}\s*$")


def slug_label(slug):
    """A heading-like label for a page or section slug: its last part, title-cased
    ("guide/first-steps" -> "First Steps")."""
    return slug.rsplit("/", 1)[-1].replace("-", " ").title()


@dataclass
class SourceFile:
    """One Markdown file of a docs tree."""

    lang: str
    slug: str
    markdown: str
    meta: dict = field(default_factory=dict)

    @property
    def title(self):
        """Front matter title, else the first level-one heading, else the slug."""
        if isinstance(self.meta.get("title"), str) and self.meta["title"].strip():
            return self.meta["title"].strip()
        return first_heading(self.markdown) or slug_label(self.slug)


def first_heading(markdown):
    """Text of the first `# heading` outside code fences, without `{ #id }`."""
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("# "):
            return HEADING_ID.sub("", line[2:]).strip().strip("#").strip() or None
    return None


def parse_markdown_file(text):
    """Split a file into (front matter dict, body). Bad YAML is left in the body."""
    text = text.lstrip("\ufeff")
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return meta, text[match.end():]


class _FrontMatterDumper(yaml.SafeDumper):
    """Indents lists under their key (`hide:\n  - navigation`), as MkDocs projects write them."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def format_markdown_file(meta, body):
    """Inverse of parse_markdown_file."""
    if not meta:
        return body
    head = yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False)
    return f"---\n{head}---\n{body}"


class UnsafePath(ValueError):
    """A path of a docs tree that resolves outside the tree's root."""


def inside(root, path):
    """`path` when it resolves inside `root` (symlinks followed), else UnsafePath."""
    real_root, real = Path(root).resolve(), Path(path).resolve()
    if real != real_root and not real.is_relative_to(real_root):
        shown = Path(path).relative_to(root).as_posix() if Path(path).is_relative_to(root) else path
        raise UnsafePath(f"{shown} resolves to {real}, outside {real_root}: refused, "
                         "nothing was imported or exported.")
    return Path(path)


def _markdown_paths(root, base):
    """Every .md file under `base`, following links that stay inside `root` (once each)."""
    seen, found = set(), []
    for dirpath, dirnames, filenames in os.walk(inside(root, base), followlinks=True):
        real = Path(inside(root, dirpath)).resolve()
        if real in seen:  # a link back to a folder already read: no loop, no duplicates
            dirnames[:] = []
            continue
        seen.add(real)
        found += [inside(root, Path(dirpath) / name) for name in filenames if name.endswith(".md")]
    return sorted(found)


def read_tree(root, languages):
    """Every `<lang>/<slug>.md` under `root` for the given languages, sorted by path.

    Every path is checked before any file is read: one leading outside `root` refuses all.
    """
    root = Path(root)
    found = [(lang, root / lang, path) for lang in languages if (root / lang).is_dir()
             for path in _markdown_paths(root, root / lang)]
    files = []
    for lang, base, path in found:
        slug = path.relative_to(base).with_suffix("").as_posix()
        meta, body = parse_markdown_file(path.read_text(encoding="utf-8"))
        files.append(SourceFile(lang, slug, body, meta))
    return files


class _Loader(yaml.SafeLoader):
    """SafeLoader that tolerates MkDocs' python tags (`!!python/name:...`)."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read_mkdocs_nav(path):
    """Navigation from mkdocs.yml as {slug: (section, order)}; sections are parent slugs."""
    path = inside(Path(path).parent, path)
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    placement = {}
    _walk_nav(config.get("nav") or [], "", placement, root=True)
    return placement


def _walk_nav(items, section, placement, root=False):
    """Depth-first over a nav list; a group's index page becomes the section of the rest."""
    entries = [_nav_entry(item) for item in items]
    group_index = None if root else next(
        (target for label, target in entries if isinstance(target, str) and _is_index(target)),
        None)
    inner = _slug(group_index) if group_index else section
    for label, target in entries:
        if isinstance(target, str):
            if not target.endswith(".md") or "://" in target:
                continue
            slug = _slug(target)
            placement.setdefault(slug, (section if slug == inner and group_index else inner,
                                        len(placement)))
        elif isinstance(target, list):
            sub_section = inner
            if label and not any(isinstance(t, str) and _is_index(t)
                                 for _, t in map(_nav_entry, target)):
                sub_section = label
            _walk_nav(target, sub_section, placement)


def _nav_entry(item):
    if isinstance(item, dict) and len(item) == 1:
        label, target = next(iter(item.items()))
        return str(label or ""), target
    return "", item


def _is_index(target):
    return target.endswith(".md") and target.rsplit("/", 1)[-1] == "index.md"


def _slug(target):
    return target[:-3] if target.endswith(".md") else target
