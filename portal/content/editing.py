"""Writers' changes to pages: create, save (draft or publish), follow the source, move,
unpublish, restore. Domain code: plain arguments and the session, the caller commits and
then announces published changes through `portal.content.events`.
"""
import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from portal.content.models import Page, PageRedirect, Translation
from portal.content.operations import StaleRevision, latest_revision, save_revision
from portal.timeutil import utcnow

MAX_MARKDOWN = 200_000
MAX_TITLE = 500
MAX_MESSAGE = 500
MAX_SLUG = 255
# Path segments of letters, digits, '.', '_' and '-'; no empty, '.' or '..' segment.
SLUG_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")

__all__ = ["StaleRevision", "EditError", "PageExists", "Edit", "clean_slug", "check_edit",
           "create_page", "save", "followed_source", "move_page", "set_published", "restore",
           "latest_revision"]


class EditError(ValueError):
    """Input a writer must correct: `field` is what is wrong, `code` how."""

    def __init__(self, field, code):
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


class PageExists(Exception):
    """The page (in that language) already exists."""


@dataclass
class Edit:
    """What a writer submits for one translation."""

    markdown: str
    title: str
    message: str = ""
    base_revision: int | None = None
    draft: bool = False
    # For translations: True = follows the source's current revision now; False = keeps
    # the followed revision; an int = follows that source revision.
    follow: bool | int = False


def clean_slug(slug):
    """`slug` without surrounding slashes and spaces, or EditError when it is not a valid path."""
    slug = (slug or "").strip().strip("/")
    if not slug:
        raise EditError("slug", "empty")
    if len(slug) > MAX_SLUG:
        raise EditError("slug", "too_long")
    if any(not SLUG_SEGMENT.match(part) for part in slug.split("/")):
        raise EditError("slug", "invalid")
    return slug


def check_edit(edit):
    """Refuse an empty title, oversized text or message (EditError)."""
    if not isinstance(edit.markdown, str):
        raise EditError("markdown", "missing")
    if len(edit.markdown) > MAX_MARKDOWN:
        raise EditError("markdown", "too_long")
    if not isinstance(edit.title, str) or not edit.title.strip():
        raise EditError("title", "empty")
    if len(edit.title) > MAX_TITLE:
        raise EditError("title", "too_long")
    if not isinstance(edit.message, str) or len(edit.message) > MAX_MESSAGE:
        raise EditError("message", "too_long")


def source_of(page, source_lang):
    """The page's source-language translation, or None."""
    return next((t for t in page.translations if t.lang == source_lang), None)


def followed_source(translation, source, follow):
    """The source revision a translation's next save follows (None for the source itself)."""
    if source is None or translation is source:
        return None
    if follow is True:
        return source.current_revision.number if source.current_revision else None
    if isinstance(follow, int) and not isinstance(follow, bool):
        newest = source.current_revision.number if source.current_revision else 0
        if not 1 <= follow <= newest:
            raise EditError("source_revision", "unknown")
        return follow
    head = latest_revision(translation)
    return head.source_revision if head else None


def save(session, translation, edit, author, source_lang):
    """Save `edit` as a draft or publish it; StaleRevision when its base is not the newest."""
    check_edit(edit)
    source = source_of(translation.page, source_lang)
    follows = followed_source(translation, source, edit.follow)
    head = latest_revision(translation)
    meta = dict(head.meta or {}) if head else {}
    return save_revision(session, translation, edit.markdown, edit.title.strip(), meta,
                         author=author, message=edit.message.strip(),
                         base_revision=edit.base_revision, source_revision=follows,
                         draft=edit.draft, record_follow=edit.follow is not False)


def create_page(session, slug, lang, edit, author, source_lang, section=""):
    """A new page, or a new language of an existing page; PageExists when it is there."""
    slug = clean_slug(slug)
    check_edit(edit)
    page = session.scalars(select(Page).where(Page.slug == slug)).first()
    if page is None:
        if session.scalars(select(PageRedirect).where(PageRedirect.old_slug == slug)).first():
            session.execute(delete(PageRedirect).where(PageRedirect.old_slug == slug))
        page = Page(slug=slug, section=(section or "").strip().strip("/"), order=_next_order(session))
        session.add(page)
    elif any(t.lang == lang for t in page.translations):
        raise PageExists(slug)
    translation = Translation(lang=lang, title=edit.title.strip(), published=False)
    page.translations.append(translation)
    session.flush()
    save(session, translation, Edit(edit.markdown, edit.title, edit.message, None, edit.draft,
                                    True if lang != source_lang else False),
         author, source_lang)
    return translation


def _next_order(session):
    last = session.scalars(select(Page.order).order_by(Page.order.desc()).limit(1)).first()
    return (last or 0) + 1


def move_page(session, page, new_slug):
    """Give the page a new slug; the old one redirects to it. Returns the old slug."""
    new_slug = clean_slug(new_slug)
    old_slug = page.slug
    if new_slug == old_slug:
        return old_slug
    if session.scalars(select(Page).where(Page.slug == new_slug)).first() is not None:
        raise EditError("slug", "taken")
    session.execute(delete(PageRedirect).where(PageRedirect.old_slug == new_slug))
    session.add(PageRedirect(old_slug=old_slug, page_id=page.id))
    for child in session.scalars(select(Page).where(Page.section == old_slug)):
        child.section = new_slug
    page.slug = new_slug
    for translation in page.translations:
        translation.updated_at = utcnow()  # reader caches key on it
    session.flush()
    return old_slug


def set_published(translation, published):
    """Unpublish (readers and search lose it) or publish again; False when nothing changed."""
    if translation.current_revision is None or translation.published == published:
        return False
    translation.published = published
    translation.updated_at = utcnow()  # reader caches key on it
    return True


def restore(session, translation, number, author, base_revision=None, message=None):
    """Publish an old revision's text again as a new revision; None when it is already current."""
    old = next((r for r in translation.revisions if r.number == number), None)
    if old is None:
        raise EditError("revision", "unknown")
    return save_revision(session, translation, old.markdown, old.title, old.meta,
                         author=author, message=message or f"Restore revision {number}",
                         base_revision=base_revision, source_revision=old.source_revision)


def redirect_target(session, slug):
    """The current slug of a page that moved away from `slug`, or None."""
    row = session.execute(select(Page.slug).join(PageRedirect, PageRedirect.page_id == Page.id)
                          .where(PageRedirect.old_slug == slug)).first()
    return row[0] if row else None
