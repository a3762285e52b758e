"""The JSON API's contract: an OpenAPI 3.1 document served at /api/v1/openapi.json.

The document is built from `spec.py` (plain data, one entry per route and method) so the
sync test (tests/test_openapi.py) can compare it with the URL map, and schemathesis can
fuzz every operation from it.
"""
from flask import Blueprint, current_app, jsonify

from portal.apispec.spec import document
from portal.auth.access import public

bp = Blueprint("apispec", __name__)


@bp.get("/api/v1/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 description of every JSON endpoint."""
    cache = current_app.extensions.setdefault("signpost_openapi", {})
    if "doc" not in cache:
        cache["doc"] = document(current_app.config)
    response = jsonify(cache["doc"])
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
