"""Writes for page comments: add (with limits), moderate. The caller commits."""
from sqlalchemy import select

from portal.comments.models import PageComment
from portal.content.models import Page
from portal.tasks import notifications
from portal.timeutil import utcnow

MAX_LENGTH = 5000
ACTIONS = {"resolve": "resolved", "hide": "hidden", "delete": "deleted", "restore": "visible"}


class CommentError(ValueError):
    """A comment that cannot be stored; `code` names why (empty, too_long, bad_parent)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def find_page(session, slug):
    """The page with `slug`, or None."""
    return session.scalar(select(Page).where(Page.slug == slug.strip("/")))


def add_comment(session, page, lang, author, body, parent_id=None, max_length=MAX_LENGTH):
    """Add `author`'s comment (or reply) on `page` in `lang`; notifies the replied-to and mentioned."""
    body = (body or "").strip()
    if not body:
        raise CommentError("empty")
    if len(body) > max_length:
        raise CommentError("too_long")
    parent = None
    if parent_id not in (None, ""):
        try:
            parent = session.get(PageComment, int(parent_id))
        except (TypeError, ValueError):
            parent = None
        if parent is None or parent.page_id != page.id or parent.lang != lang \
                or parent.status == "deleted":
            raise CommentError("bad_parent")
    comment = PageComment(page_id=page.id, lang=lang, author_id=author.id, body=body,
                          parent_id=parent.id if parent else None, status="visible",
                          created_at=utcnow())
    session.add(comment)
    session.flush()
    if parent is not None and parent.author is not None:
        notifications.notify(session, parent.author, "reply", f"reply:{comment.id}", author,
                             comment=comment)
    notifications.notify_mentions(session, body, author, f"comment:{comment.id}", comment=comment)
    return comment


def moderate(session, comment, action, moderator):
    """Resolve, hide, delete (soft) or restore a comment, remembering who did it and when."""
    if action not in ACTIONS:
        raise CommentError("bad_action")
    comment.status = ACTIONS[action]
    comment.moderated_by_id = moderator.id
    comment.moderated_at = utcnow()
    return comment
