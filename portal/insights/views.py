"""Views of the insights area."""
from flask import Blueprint

bp = Blueprint("insights", __name__, template_folder="templates")
