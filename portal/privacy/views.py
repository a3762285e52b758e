"""Personal data pages: a signed-in user's own data (download, delete the account) and the
admin's export / deletion of any account (linked from the admin user page)."""
import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.auth.access import requires, signed_in
from portal.auth.models import User
from portal.extensions import db
from portal.privacy import LastAdminError, delete_account, export_account

bp = Blueprint("privacy", __name__, template_folder="templates")


def _download(user):
    body = json.dumps(export_account(db.session, user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="signpost-account-{user.id}.json"',
        "Cache-Control": "no-store"})


def _account_page(error=None, status=200):
    page = render_template("privacy/account.html", error=error)
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/account")
@signed_in
def account():
    """The signed-in user's data: download it, or delete the account."""
    return _account_page()


@bp.get("/account/data.json")
@signed_in
def own_export():
    """Everything stored about the signed-in account, as a JSON download."""
    return _download(current_user._get_current_object())


@bp.post("/account/delete")
@signed_in
def own_delete():
    """Delete the signed-in account after its password is confirmed."""
    user = current_user._get_current_object()
    if not user.check_password(request.form.get("password") or ""):
        return _account_page(_("That password is not right. Type the password you sign in "
                               "with to delete your account."), 422)
    try:
        delete_account(db.session, user)
    except LastAdminError:
        db.session.rollback()
        return _account_page(_("This is the last active admin: make another user an admin "
                               "first."), 409)
    logout_user()
    flash(_("Your account and its personal data are deleted."), "info")
    return redirect(url_for("root"), 303)


@bp.get("/admin/users/<int:user_id>/data.json")
@requires("admin")
def admin_export(user_id):
    """Everything stored about one account, as a JSON download."""
    return _download(db.session.get(User, user_id) or abort(404))


@bp.post("/admin/users/<int:user_id>/delete")
@requires("admin")
def admin_delete(user_id):
    """Delete one account's personal data; the admin types its email to confirm."""
    user = db.session.get(User, user_id) or abort(404)
    if (request.form.get("confirm") or "").strip().lower() != user.email.lower():
        flash(_("Type the account's email to confirm the deletion."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id), 303)
    email = user.email
    try:
        delete_account(db.session, user)
    except LastAdminError:
        db.session.rollback()
        flash(_("This is the last active admin: make another user an admin first."), "error")
        return redirect(url_for("admin.user_detail", user_id=user_id), 303)
    flash(_("Deleted the account %(email)s and its personal data.", email=email), "success")
    return redirect(url_for("admin.users"), 303)
