"""Views of the write area."""
from flask import Blueprint

bp = Blueprint("write", __name__, template_folder="templates")
