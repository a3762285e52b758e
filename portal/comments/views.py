"""Views of the comments area."""
from flask import Blueprint

bp = Blueprint("comments", __name__, template_folder="templates")
