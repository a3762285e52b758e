"""Sign-in (throttled), sign-out (POST with CSRF), and the bearer-token loader for the JSON API."""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from portal.auth import operations, throttle
from portal.auth.access import public, requires, signed_in
from portal.auth.forms import LoginForm, LogoutForm
from portal.auth.models import User
from portal.extensions import db, login_manager
from portal.timeutil import utcnow

bp = Blueprint("auth", __name__, template_folder="templates")


@login_manager.user_loader
def _load_user(login_id):
    """The user named by a session or remember cookie, while its nonce is still current."""
    user_id, _sep, _nonce = str(login_id).partition(":")
    if not _sep or not user_id.isascii() or not user_id.isdigit() or len(user_id) > 18:
        return None  # also login ids from before sessions carried a nonce
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.matches_login_id(login_id) else None


@login_manager.request_loader
def _load_user_from_token(req):
    """Bearer tokens open the JSON API only: an HTML page never signs in by token."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    user = operations.user_for_token(db.session, header[7:].strip())
    if user is not None:
        db.session.commit()
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        abort(401, description="Authentication required: log in or send 'Authorization: Bearer <token>'.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


role_required = requires  # kept for existing imports; new code uses portal.auth.access


def safe_next(target):
    """`target` when it is a path on this site, else the docs root (no open redirects).

    Control characters are refused before parsing: urlsplit drops tabs and newlines, so
    "/\\n/host" would read as "//host", and "/\\n/[::1" would not parse at all.
    """
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)):
        return url_for("root")
    try:
        netloc = urlsplit(target).netloc
    except ValueError:
        return url_for("root")
    return target if netloc == "" else url_for("root")


def _throttle_keys(email):
    secret = current_app.config["SECRET_KEY"]
    keys = [throttle.account_key(secret, email)]
    if current_app.config.get("SIGN_IN_PER_CLIENT", True):  # off behind a proxy hiding addresses
        keys.append(throttle.client_key(secret, request.remote_addr))
    return keys


def wait_message(seconds):
    """The sign-in page's message for a refused attempt, in whole minutes past two minutes."""
    if seconds < 120:
        return ngettext("Too many failed sign-in attempts. Try again in %(num)d second.",
                        "Too many failed sign-in attempts. Try again in %(num)d seconds.", seconds)
    minutes = -(-seconds // 60)
    return ngettext("Too many failed sign-in attempts. Try again in %(num)d minute.",
                    "Too many failed sign-in attempts. Try again in %(num)d minutes.", minutes)


def _refused(form, seconds):
    page = render_template("auth/login.html", form=form, wait=wait_message(seconds))
    return page, 429, {"Retry-After": str(seconds)}


def _attempt(form):
    """Check one sign-in against the throttle; returns the user, or the seconds to wait."""
    keys, now = _throttle_keys(form.email.data), utcnow()
    wait = throttle.retry_after(db.session, keys, now)
    if wait:
        return None, wait
    user = operations.authenticate(db.session, form.email.data, form.password.data)
    try:
        if user:
            throttle.record_success(db.session, keys[0])
            user.last_sign_in_at = now
            db.session.commit()
            return user, 0
        wait = throttle.record_failure(db.session, keys, now)
        db.session.commit()
    except IntegrityError:  # another worker counted the same key first; count this one again
        db.session.rollback()
        if not user:
            wait = throttle.record_failure(db.session, keys, now)
            db.session.commit()
    return user, wait


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with email and password; repeated failures slow down, then lock for a while."""
    form = LoginForm()
    if form.validate_on_submit():
        user, wait = _attempt(form)
        if user:
            session.clear()  # a new session: nothing set before sign-in carries over
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        if wait:
            return _refused(form, wait)
        flash(_("That email and password do not match an account."), "error")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
@public
def logout():
    """GET asks to confirm; the POST (with its CSRF token) signs out."""
    form = LogoutForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else 400
        return render_template("auth/logout.html", form=form), status
    if current_user.is_authenticated:
        operations.revoke_sessions(db.session, current_user._get_current_object())
        db.session.commit()  # every copy of the old cookies, on any device, stops working
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("root"), 303)


@bp.get("/api/v1/me")
@signed_in
def me():
    """The signed-in user (session or bearer token), to check a token works."""
    return jsonify(email=current_user.email, name=current_user.display_name,
                   role=current_user.role)
