"""Login, logout, and the bearer-token loader for the JSON API."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import operations
from portal.auth.access import requires
from portal.auth.forms import LoginForm
from portal.auth.models import User
from portal.extensions import db, login_manager

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def _load_user(user_id):
    return db.session.get(User, int(user_id))


@login_manager.request_loader
def _load_user_from_token(req):
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = operations.user_for_token(db.session, header[7:].strip())
    if user is not None:
        db.session.commit()
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        abort(401, description="Authentication required: log in or send 'Authorization: Bearer <token>'.")
    return redirect(url_for("auth.login", next=request.full_path))


role_required = requires  # kept for existing imports; new code uses portal.auth.access


def _safe_next(target):
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("root")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(db.session, form.email.data, form.password.data)
        if user:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("That email and password do not match an account."), "error")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out and go back to the docs."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("root"))


@bp.get("/api/v1/me")
@login_required
def me():
    """The signed-in user (session or bearer token), to check a token works."""
    return jsonify(email=current_user.email, name=current_user.display_name,
                   role=current_user.role)
