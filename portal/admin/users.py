"""Admin views: accounts and roles (list, create, role, status, password, API tokens)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from portal.admin.views import bp
from portal.auth import operations, throttle
from portal.auth.access import requires
from portal.auth.models import ROLES, User
from portal.extensions import db


def _role_names():
    return {"reader": _("Reader"), "writer": _("Writer"), "owner": _("Owner"),
            "admin": _("Admin")}


def error_message(exc):
    """An AccountError in the admin's language."""
    messages = {
        "bad_email": _("%(email)s is not an email address.", email=exc.params.get("email", "")),
        "bad_role": _("Choose one of the roles in the list."),
        "long_name": _("A name can have at most 120 characters."),
        "duplicate": _("A user with the email %(email)s already exists.",
                       email=exc.params.get("email", "")),
        "short_password": _("A password needs at least %(num)d characters.",
                            num=exc.params.get("num", 0)),
        "long_password": _("A password can have at most %(num)d characters.",
                           num=exc.params.get("num", 0)),
        "last_admin": _("This is the last active admin: make another user an admin first."),
    }
    return messages.get(exc.code, str(exc))


def _user(user_id):
    return db.session.get(User, user_id) or abort(404)


def _render_list(errors=None, values=None, status=200):
    return render_template("admin/users.html", users=operations.list_users(db.session),
                           roles=ROLES, role_names=_role_names(), errors=errors or {},
                           values=values or {}), status


def _render_user(user, error=None, token=None, status=200):
    page = render_template("admin/user.html", user=user, roles=ROLES, role_names=_role_names(),
                           tokens=operations.tokens_of(db.session, user), error=error,
                           new_token=token)
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/users")
@requires("admin")
def users():
    """Every account with its role, status, last sign-in and creation date."""
    return _render_list()


@bp.post("/users")
@requires("admin")
def create_user():
    """Create an account; the initial password is optional (without one it cannot sign in)."""
    form = request.form
    values = {k: (form.get(k) or "").strip() for k in ("email", "name", "role")}
    password = form.get("password") or ""
    try:
        if password:
            operations.check_new_password(password)
        user = operations.create_user(db.session, values["email"], values["role"], password or None,
                                      values["name"])
    except operations.AccountError as exc:
        db.session.rollback()
        field = {"short_password": "password", "long_password": "password", "bad_role": "role",
                 "long_name": "name"}.get(exc.code, "email")
        return _render_list({field: error_message(exc)}, values, 422)
    db.session.commit()
    flash(_("Created the account %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.get("/users/<int:user_id>")
@requires("admin")
def user_detail(user_id):
    """One account: change its role or status, reset its password, manage its API tokens."""
    return _render_user(_user(user_id))


def _apply(user, change, done):
    """Run `change()`, commit and go back to the user's page; a refused change answers 422."""
    try:
        change()
    except operations.AccountError as exc:
        db.session.rollback()
        return _render_user(user, error=error_message(exc), status=422)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)


@bp.post("/users/<int:user_id>/role")
@requires("admin")
def change_role(user_id):
    """Give an account another role (the last active admin keeps theirs)."""
    user = _user(user_id)
    role = request.form.get("role", "")
    return _apply(user, lambda: operations.change_role(db.session, user, role),
                  _("%(email)s now has the role %(role)s.", email=user.email,
                    role=_role_names().get(role, role)))


@bp.post("/users/<int:user_id>/status")
@requires("admin")
def change_status(user_id):
    """Deactivate or reactivate an account."""
    user = _user(user_id)
    active = request.form.get("active") == "1"
    done = (_("%(email)s can sign in again.", email=user.email) if active
            else _("%(email)s is deactivated: it cannot sign in and its tokens are refused.",
                   email=user.email))
    return _apply(user, lambda: operations.set_active(db.session, user, active), done)


@bp.post("/users/<int:user_id>/password")
@requires("admin")
def reset_password(user_id):
    """Set a new password; this also lifts a sign-in lock on the account."""
    user = _user(user_id)

    def change():
        operations.reset_password(db.session, user, request.form.get("password") or "")
        throttle.unlock(db.session, throttle.account_key(current_app.config["SECRET_KEY"],
                                                         user.email))
    return _apply(user, change, _("The password of %(email)s was changed.", email=user.email))


@bp.post("/users/<int:user_id>/tokens")
@requires("admin")
def create_token(user_id):
    """Issue an API token and show it once."""
    user = _user(user_id)
    name = (request.form.get("name") or "").strip()[:120]
    token = operations.create_token(db.session, user, name)
    db.session.commit()
    return _render_user(user, token=token)


@bp.post("/users/<int:user_id>/tokens/revoke")
@requires("admin")
def revoke_tokens(user_id):
    """Revoke every API token of an account."""
    user = _user(user_id)
    count = operations.revoke_tokens(db.session, user)
    db.session.commit()
    flash(ngettext("Revoked %(num)d API token of %(email)s.",
                   "Revoked %(num)d API tokens of %(email)s.", count, email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), 303)
