"""Reads for page comments: a page's thread, one comment's JSON shape."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.comments.markup import render
from portal.comments.models import PageComment


@dataclass
class Node:
    """A comment with its replies, for templates."""
    comment: PageComment
    replies: list = field(default_factory=list)

    @property
    def html(self):
        """The comment's body as safe HTML."""
        return render(self.comment.body)


def page_comments(session, page_id, lang):
    """Every comment on a page in one language, oldest first."""
    return session.scalars(
        select(PageComment).where(PageComment.page_id == page_id, PageComment.lang == lang)
        .options(selectinload(PageComment.author), selectinload(PageComment.moderated_by))
        .order_by(PageComment.created_at, PageComment.id)).all()


def thread(session, page_id, lang):
    """The page's comments as a tree of `Node`s (top-level comments, each with replies)."""
    nodes = {c.id: Node(c) for c in page_comments(session, page_id, lang)}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id)
        (parent.replies if parent else roots).append(node)
    return roots


def is_shown_to_readers(comment):
    """Visible and resolved comments show their text to everyone."""
    return comment.status in ("visible", "resolved")


def comment_json(comment, moderator=False):
    """The API shape: `{id, author, body, created_at, parent, html, status}`."""
    shown = moderator or is_shown_to_readers(comment)
    return {"id": comment.id,
            "author": comment.author.display_name if comment.author else None,
            "body": comment.body if shown else None,
            "html": str(render(comment.body)) if shown else None,
            "created_at": comment.created_at.isoformat(),
            "parent": comment.parent_id, "status": comment.status}
