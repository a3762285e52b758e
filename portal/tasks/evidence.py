"""Where a task came from: prefill a new task from evidence, and link back to it."""
from flask import url_for
from flask_babel import gettext as _

from portal.comments.models import PageComment
from portal.content.models import Page
from portal.feedback.models import Vote
from portal.tasks.operations import parse_evidence

PREFILL = ("page", "lang", "title", "description", "evidence", "priority", "due", "labels",
           "assignee")


def _quote(text):
    return "\n".join("> " + line for line in (text or "").strip().splitlines())


def prefill(session, args):
    """Form values for a new task from query parameters; evidence fills what is missing."""
    values = {k: (args.get(k) or "").strip() for k in PREFILL}
    kind, ref = parse_evidence(values["evidence"])
    if kind in ("page", "stuck", "search_gap"):
        lang, _sep, rest = ref.partition(":")
        values["lang"] = values["lang"] or lang
        if kind != "search_gap":
            values["page"] = values["page"] or rest
        if not values["title"]:
            values["title"] = (_("Readers get stuck on %(page)s", page=rest) if kind == "stuck"
                               else _("Readers search for “%(query)s” and do not find it",
                                      query=rest) if kind == "search_gap"
                               else _("Improve %(page)s", page=rest))
    elif kind == "comment":
        comment = session.get(PageComment, int(ref))
        if comment is not None:
            values["page"] = values["page"] or comment.page.slug
            values["lang"] = values["lang"] or comment.lang
            values["description"] = values["description"] or _(
                "From a comment by %(name)s:", name=comment.author.display_name
                if comment.author else "?") + "\n\n" + _quote(comment.body)
    elif kind == "vote":
        vote = session.get(Vote, int(ref))
        if vote is not None:
            values["page"] = values["page"] or vote.page
            values["lang"] = values["lang"] or vote.lang
            values["title"] = values["title"] or _("Readers find %(page)s not helpful", page=vote.page)
            text = _("A reader said this page did not help (reason: %(reason)s).",
                     reason=vote.reason or "-")
            if vote.comment:
                text += "\n\n" + _quote(vote.comment)
            values["description"] = values["description"] or text
    return values


def evidence_link(task):
    """(url, label) pointing back at the evidence a task was created from, or None."""
    kind, ref = task.evidence_kind, task.evidence_ref or ""
    if not kind:
        return None
    if kind == "page":
        lang, _sep, slug = ref.partition(":")
        return url_for("docs.page", lang=lang, slug=slug), _("The page %(page)s", page=slug)
    if kind == "stuck":
        lang, _sep, slug = ref.partition(":")
        return f"/insights/pages/{lang}/{slug}", _("Stuck point on %(page)s", page=slug)
    if kind == "search_gap":
        lang, _sep, query = ref.partition(":")
        return f"/insights/searches?lang={lang}", _("Search gap: “%(query)s”", query=query)
    from portal.extensions import db
    if kind == "comment":
        comment = db.session.get(PageComment, int(ref))
        if comment is None:
            return None
        return (url_for("docs.page", lang=comment.lang, slug=comment.page.slug)
                + f"#comment-{comment.id}", _("Comment #%(id)s", id=comment.id))
    if kind == "vote":
        vote = db.session.get(Vote, int(ref))
        page = vote and db.session.query(Page).filter_by(slug=vote.page).first()
        if page is None:
            return None
        return (url_for("tasks.timeline", lang=vote.lang, slug=vote.page) + f"#vote-{vote.id}",
                _("Reader feedback #%(id)s", id=vote.id))
    return None
