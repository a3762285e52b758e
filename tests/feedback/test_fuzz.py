"""Random JSON thrown at the event API never produces a 500 and never a partial batch."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback.models import Event
from tests.feedback.conftest import SESSION, UA

scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | \
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) |
                           st.dictionaries(st.text(max_size=12), inner, max_size=6), max_leaves=25)
field_values = st.sampled_from(["page_view", "scroll", "engagement", "feedback", "survey", "link",
                                "copy", "exit", "search_click", "guide/install", "en", "ko",
                                "index", "direct", "search", SESSION]) | scalars
events = st.dictionaries(st.sampled_from(["type", "page", "lang", "ref", "depth", "seconds",
                                          "section", "helpful", "reason", "comment", "kind",
                                          "score", "href", "search_id", "rank", "chars", "t",
                                          "from_page"]), field_values, max_size=8)
batches = st.fixed_dictionaries({"session": st.sampled_from([SESSION, "x", None]) | st.text(max_size=33),
                                 "events": st.lists(events, max_size=6) | json_values})


def _count():
    return db.session.scalar(select(func.count()).select_from(Event))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=batches | json_values)
def test_random_json_never_breaks_the_endpoint(client, docs, body):
    before = _count()
    data = json.dumps(body, allow_nan=True)
    response = client.post("/api/v1/events", data=data, content_type="application/json", headers=UA)
    assert response.status_code in (202, 400, 413, 415, 422, 429), response.get_data(as_text=True)
    assert "error" in response.get_json() or response.status_code == 202
    stored = _count() - before
    expected = response.get_json().get("accepted", 0) if response.status_code == 202 else 0
    assert stored == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_break_the_endpoint(client, docs, raw):
    response = client.post("/api/v1/events", data=raw, content_type="application/json", headers=UA)
    assert response.status_code in (400, 413, 422)
