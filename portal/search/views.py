"""Views of the search area."""
from flask import Blueprint, render_template

bp = Blueprint("search", __name__, template_folder="templates")


@bp.route("/<lang:lang>/search")
def results(lang):
    """Search results page (filled in by the search issue)."""
    return render_template("base.html")
