"""Reads of published content: pages, fallbacks, navigation, neighbours."""
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.content.models import Page, Revision, Translation
from portal.content.source import slug_label


class NavEntry(NamedTuple):
    """One page in navigation order: its title in the reader's language or the source's."""

    slug: str
    section: str | None
    title: str
    lang: str  # language the title is in


class Crumb(NamedTuple):
    """One ancestor in a page's breadcrumb trail."""

    slug: str
    title: str


@dataclass
class NavNode:
    """One entry of the navigation tree."""

    slug: str | None
    title: str
    lang: str | None = None  # language the title is in; differs from the reader's on fallback
    children: list = field(default_factory=list)
    collapsed: bool = False  # a pruned section: `slug` is the page its link leads to


@dataclass
class PageView:
    """A page as a reader sees it in one language (possibly the source-language fallback)."""

    page: Page
    translation: Translation
    revision: Revision
    requested_lang: str
    available: dict  # lang -> Translation of every published translation
    source_lang: str

    @property
    def is_fallback(self):
        """True when the requested language is missing and the source is shown instead."""
        return self.translation.lang != self.requested_lang

    @property
    def outdated(self):
        """True when this translation follows an older revision of the source."""
        return is_outdated(self.translation, self.available.get(self.source_lang))


def is_outdated(translation, source):
    """A translation is outdated when the source has moved past the revision it follows."""
    if source is None or translation is source or translation.current_revision is None:
        return False
    followed = translation.current_revision.source_revision
    current = source.current_revision.number if source.current_revision else None
    return followed is not None and current is not None and followed < current


def content_stamp(session):
    """A cheap value that changes whenever published content changes (for caches)."""
    return session.execute(
        select(func.count(Translation.id), func.max(Translation.current_revision_id),
               func.max(Translation.updated_at))).one()


def get_page_view(session, slug, lang, source_lang):
    """The page in `lang`, else in the source language, else any; None when unknown."""
    page = session.scalars(
        select(Page).where(Page.slug == slug).options(
            selectinload(Page.translations).selectinload(Translation.current_revision))
    ).first()
    if page is None:
        return None
    available = {t.lang: t for t in page.translations
                 if t.published and t.current_revision is not None}
    chosen = available.get(lang) or available.get(source_lang) or next(iter(available.values()), None)
    if chosen is None:
        return None
    return PageView(page, chosen, chosen.current_revision, lang, available, source_lang)


def list_translations(session, lang=None):
    """Published translations with their pages, in navigation order."""
    stmt = (select(Translation, Page).join(Page)
            .where(Translation.published.is_(True), Translation.current_revision_id.is_not(None))
            .options(selectinload(Translation.current_revision))
            .order_by(Page.order, Page.slug, Translation.lang))
    if lang:
        stmt = stmt.where(Translation.lang == lang)
    return list(session.execute(stmt))


def nav_entries(session, lang, source_lang):
    """A NavEntry for every page in navigation order."""
    rows = session.execute(
        select(Page.slug, Page.section, Translation.lang, Translation.title)
        .join(Translation)
        .where(Translation.published.is_(True), Translation.lang.in_({lang, source_lang}))
        .order_by(Page.order, Page.slug)).all()
    chosen = {}
    for slug, section, tlang, title in rows:
        if slug not in chosen or tlang == lang:
            chosen[slug] = NavEntry(slug, section, title, tlang)
    return list(chosen.values())


def build_nav_tree(entries):
    """Turn nav entries into a tree of NavNode; sections that are not pages become labels."""
    nodes = {e.slug: NavNode(e.slug, e.title, e.lang) for e in entries}
    roots = []
    labels = {}
    for entry in entries:
        node, section = nodes[entry.slug], entry.section
        if not section:
            roots.append(node)
        elif section in nodes:
            nodes[section].children.append(node)
        else:
            if section not in labels:
                labels[section] = NavNode(None, slug_label(section))
                roots.append(labels[section])
            labels[section].children.append(node)
    return roots


def prune_nav_tree(roots, current):
    """The part of the tree a reader sees on page `current` (MkDocs Material's pruning).

    Top-level items stay, and so do the children of every node on the path down to
    `current` (its ancestors, and `current` itself when it is a section). Every other
    section becomes a collapsed leaf linking to its own page, else to its first page depth
    first, so each page stays reachable by clicks; a section with no page is dropped.
    """
    path = {id(node) for node in _path_to(roots, current)}
    return _pruned(roots, path)


def outline_nav_tree(roots):
    """The top two levels of the tree, for a large site's contents (the docs home).

    Top-level items keep their direct children; a section below them becomes a collapsed
    leaf linking to its own page, else to its first page, whose sidebar lists the rest.
    """
    return _pruned(roots, {id(node) for node in roots})


def _path_to(nodes, slug):
    """The nodes from a root down to the node of `slug`; empty when it is not in the tree."""
    for node in nodes:
        if slug is not None and node.slug == slug:
            return [node]
        below = _path_to(node.children, slug)
        if below:
            return [node, *below]
    return []


def _pruned(nodes, path):
    kept = []
    for node in nodes:
        if not node.children:
            if node.slug:
                kept.append(node)
        elif id(node) in path:
            kept.append(NavNode(node.slug, node.title, node.lang, _pruned(node.children, path)))
        elif (target := first_page(node)) is not None:
            kept.append(NavNode(target, node.title, node.lang, collapsed=True))
    return kept


def first_page(node):
    """The slug of `node` if it is a page, else of the first page inside it (depth first)."""
    if node.slug:
        return node.slug
    for child in node.children:
        if (slug := first_page(child)) is not None:
            return slug
    return None


def breadcrumbs(entries, slug):
    """Ancestors of `slug` from the top, as Crumbs."""
    by_slug = {e.slug: e for e in entries}
    trail = []
    current = by_slug.get(slug)
    seen = set()
    while (current and current.section and current.section in by_slug
           and current.section not in seen):
        seen.add(current.section)
        current = by_slug[current.section]
        trail.append(Crumb(current.slug, current.title))
    return list(reversed(trail))


def neighbours(entries, slug):
    """(previous, next) entries around `slug` in navigation order."""
    slugs = [e.slug for e in entries]
    if slug not in slugs:
        return None, None
    i = slugs.index(slug)
    prev = entries[i - 1] if i > 0 else None
    nxt = entries[i + 1] if i + 1 < len(entries) else None
    return prev, nxt


def published_pairs(session):
    """Every published (slug, lang) pair, as plain tuples (cheap to hash and compare)."""
    return {tuple(row) for row in session.execute(
        select(Page.slug, Translation.lang).join(Translation.page)
        .where(Translation.published.is_(True), Translation.current_revision_id.is_not(None)))}
