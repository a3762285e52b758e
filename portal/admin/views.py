"""Views of the admin area: owner settings (micro-surveys); accounts live in `users`."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.views import role_required
from portal.extensions import db
from portal.feedback.surveys import KINDS, get_settings, update_setting

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _labels():
    return {"ces": _("Customer effort (CES, 1–7), asked after a reader arrives from search"),
            "csat": _("Satisfaction (CSAT, 1–5), asked site-wide"),
            "nps": _("Net promoter score (NPS, 0–10), asked site-wide")}


@bp.route("/surveys", methods=["GET", "POST"])
@role_required("owner")
def surveys():
    """Switch micro-surveys on or off and set the share of sessions that see them."""
    errors = {}
    if request.method == "POST":
        values, errors = _parse(request.form)
        if not errors:
            for kind, (enabled, rate) in values.items():
                update_setting(db.session, kind, enabled, rate, current_user)
            db.session.commit()
            current_app.extensions.pop("signpost_surveys", None)
            flash(_("Survey settings saved."), "success")
            return redirect(url_for("admin.surveys"), 303)
    settings = get_settings(db.session)
    return render_template("admin/surveys.html", settings=settings, labels=_labels(),
                           errors=errors, form=request.form if errors else None), 422 if errors else 200


def _parse(form):
    values, errors = {}, {}
    for kind in KINDS:
        raw = (form.get(f"{kind}-rate") or "").strip()
        try:
            rate = float(raw)
        except ValueError:
            rate = -1
        if not 0 <= rate <= 100:
            errors[kind] = _("Enter a percentage from 0 to 100.")
            continue
        values[kind] = (form.get(f"{kind}-enabled") == "on", rate / 100)
    return values, errors


from portal.admin import users  # noqa: E402,F401  (registers the account views on `bp`)
from portal.admin import search  # noqa: E402,F401  (registers the search tuning views)
