"""Page comments: the no-JS forms on the reader page and the JSON API."""
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import public, requires, signed_in
from portal.comments import operations, queries
from portal.comments.markup import render
from portal.comments.models import PageComment
from portal.extensions import csrf, db
from portal.feedback.ratelimit import RateLimiter

bp = Blueprint("comments", __name__, template_folder="templates")


def _limiter():
    limiter = current_app.extensions.get("signpost_comment_limiter")
    if limiter is None:
        limiter = RateLimiter(current_app.config["SECRET_KEY"],
                              current_app.config.get("COMMENT_RATE_LIMIT", 10))
        current_app.extensions["signpost_comment_limiter"] = limiter
    return limiter


def error_message(code):
    """A refusal in words the commenter can act on."""
    return {
        "empty": _("Write a comment before sending it."),
        "too_long": _("A comment can be at most %(limit)d characters long.",
                      limit=operations.MAX_LENGTH),
        "bad_parent": _("The comment you are replying to does not exist on this page."),
        "bad_action": _("That moderation action is not known."),
    }[code]


def _rate_limited():
    """Seconds to wait when the current user is over the comment rate limit, else 0."""
    allowed, wait = _limiter().allow(f"comment-user:{current_user.id}", 1)
    return 0 if allowed else max(1, wait)


def _languages():
    return current_app.config["CONTENT_LANGUAGES"]


@bp.app_context_processor
def _comment_helpers():
    return {"comment_thread": lambda page_id, lang: queries.thread(db.session, page_id, lang),
            "comment_max_length": operations.MAX_LENGTH, "comment_draft": _take_draft}


def _keep_draft(page, parent, body):
    """Keep a refused comment's text so the form after the redirect still has it."""
    session["comment_draft"] = {"page": page.id, "parent": str(parent or ""),
                                "body": (body or "")[:operations.MAX_LENGTH]}


def _take_draft(page_id, parent=""):
    """The kept text for this page's form (and reply parent), once."""
    draft = session.get("comment_draft")
    if draft and draft["page"] == page_id and draft["parent"] == str(parent or ""):
        session.pop("comment_draft")
        return draft["body"]
    return ""


@bp.app_template_filter("comment_markup")
def _comment_markup(text):
    return render(text or "")


@bp.post("/<lang:lang>/comments/<path:slug>")
@signed_in
def add(lang, slug):
    """Add a comment or reply from the reader page's form, then go back to it."""
    page = operations.find_page(db.session, slug) or abort(404)
    back = url_for("docs.page", lang=lang, slug=page.slug)
    wait = _rate_limited()
    if wait:
        flash(_("You are commenting too quickly. Please wait %(seconds)d seconds and try again.",
                seconds=wait), "error")
        _keep_draft(page, request.form.get("parent"), request.form.get("body"))
        return redirect(back + "#comments", 303)
    try:
        comment = operations.add_comment(db.session, page, lang, current_user,
                                         request.form.get("body"), request.form.get("parent"))
    except operations.CommentError as exc:
        flash(error_message(exc.code), "error")
        _keep_draft(page, request.form.get("parent"), request.form.get("body"))
        return redirect(back + "#comments", 303)
    db.session.commit()
    flash(_("Your comment was posted."), "success")
    return redirect(f"{back}#comment-{comment.id}", 303)


@bp.post("/comments/<int:comment_id>/moderate")
@requires("writer")
def moderate(comment_id):
    """Resolve, hide, delete or restore a comment (writers and owners)."""
    comment = db.session.get(PageComment, comment_id) or abort(404)
    try:
        operations.moderate(db.session, comment, request.form.get("action"), current_user)
    except operations.CommentError as exc:
        flash(error_message(exc.code), "error")
    else:
        db.session.commit()
        flash(_("The comment was updated."), "success")
    return redirect(url_for("docs.page", lang=comment.lang, slug=comment.page.slug)
                    + f"#comment-{comment.id}", 303)


@bp.get("/api/v1/pages/<path:slug>/comments")
@public
def api_list(slug):
    """A page's comments in one language, oldest first."""
    page, lang = _api_page(slug)
    moderator = current_user.is_authenticated and current_user.has_role("writer")
    comments = queries.page_comments(db.session, page.id, lang)
    return jsonify(page=page.slug, lang=lang,
                   comments=[queries.comment_json(c, moderator) for c in comments])


@bp.post("/api/v1/pages/<path:slug>/comments")
@signed_in
@csrf.exempt  # JSON only: a cross-site form cannot send application/json without CORS
def api_add(slug):
    """Add a comment `{body, parent?}`; 201 with the comment."""
    page, lang = _api_page(slug)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object like {\"body\": \"...\"} with "
                               "Content-Type: application/json.")
    wait = _rate_limited()
    if wait:
        response = jsonify(error=_("You are commenting too quickly. Please wait %(seconds)d "
                                   "seconds and try again.", seconds=wait))
        response.headers["Retry-After"] = str(wait)
        return response, 429
    body = data.get("body")
    if not isinstance(body, str):
        abort(422, description=error_message("empty"))
    try:
        comment = operations.add_comment(db.session, page, lang, current_user, body,
                                         data.get("parent"))
    except operations.CommentError as exc:
        abort(422, description=error_message(exc.code))
    db.session.commit()
    return jsonify(queries.comment_json(comment)), 201


def _api_page(slug):
    lang = request.args.get("lang") or current_app.config["SOURCE_LANGUAGE"]
    if lang not in _languages():
        abort(422, description=f"Unknown language {lang!r}; use one of: {', '.join(_languages())}.")
    page = operations.find_page(db.session, slug)
    if page is None:
        abort(404, description=f"No page {slug!r}.")
    return page, lang
