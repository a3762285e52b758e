"""Learning from clicks: distinct sessions, bots and robots left out, decay, came-back clicks."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.search import learning
from portal.search.log import log_search, record_click
from portal.timeutil import utcnow

# Two pages equally good for "deploy": which one comes first is up to the readers.
TWINS = {
    "en/guide/alpha.md": "# Deploy\n\nDeploy the app on a server.\n",
    "en/guide/beta.md": "# Deploy\n\nDeploy the app on a server today.\n",
}


@pytest.fixture
def twins(make_docs, import_docs):
    return import_docs(make_docs(TWINS))


def session(n):
    return f"{n:032x}"


def teach(sessions, slug="guide/beta", query="deploy", days_ago=0, back=False, clicks=1):
    """Each session searches `query` and opens `slug` (`back`: searches again 5 s later)."""
    for s in sessions:
        at = utcnow() - timedelta(days=days_ago)
        entry = log_search(db.session, query, "en", 2, session_id=s)
        entry.created_at = at
        for i in range(clicks):
            click = record_click(db.session, entry.id, 2, slug, "en", s)
            click.created_at = at + timedelta(seconds=10 + i)
        if back:
            again = log_search(db.session, query + " server", "en", 2, session_id=s)
            again.created_at = at + timedelta(seconds=10 + clicks + 5)
    db.session.commit()


def order(client):
    return [r["slug"] for r in client.get("/api/v1/search?q=deploy").get_json()["results"]]


def relearn(client=None):
    learning.refresh(db.session)
    db.session.commit()
    from portal.search import tuning
    tuning.forget()


def test_distinct_sessions_move_a_page_up(client, twins):
    assert order(client) == ["guide/alpha", "guide/beta"]
    teach([session(i) for i in range(learning.MIN_SESSIONS)])
    relearn()
    assert order(client) == ["guide/beta", "guide/alpha"]
    row = learning.listing(db.session)[0]
    assert (row.slug, row.query_key, row.sessions) == ("guide/beta", "deploy", learning.MIN_SESSIONS)
    assert row.boost > 0


def test_one_visitor_cannot_push_a_page_up(client, twins):
    teach([session(1)] * 20, clicks=5)  # one session, many searches and clicks
    teach([session(i) for i in range(2, learning.MIN_SESSIONS)])  # with it, one session short
    relearn()
    assert learning.listing(db.session) == []
    assert order(client) == ["guide/alpha", "guide/beta"]


def test_bot_searches_never_teach(client, twins):
    """Searches from a bot user agent are logged without their session, so clicks never join."""
    for i in range(learning.MIN_SESSIONS + 2):
        body = client.get(f"/api/v1/search?q=deploy&session={session(i)}",
                          headers={"User-Agent": "Googlebot/2.1"}).get_json()
        record_click(db.session, body["search_id"], 2, "guide/beta", "en", session(i))
    db.session.commit()
    relearn()
    assert learning.listing(db.session) == []
    assert order(client) == ["guide/alpha", "guide/beta"]


def test_a_session_searching_like_a_robot_is_ignored(client, twins):
    robot = session(99)
    teach([robot] * (learning.MAX_SESSION_SEARCHES + 1), query="install")
    teach([session(i) for i in range(learning.MIN_SESSIONS - 1)] + [robot])
    relearn()
    assert learning.listing(db.session) == []


def test_old_clicks_count_less(client, twins):
    teach([session(i) for i in range(5)])
    relearn()
    fresh = learning.listing(db.session)[0].boost
    db.session.execute(db.text("DELETE FROM search_clicks"))
    db.session.execute(db.text("DELETE FROM search_log"))
    teach([session(i) for i in range(5)], days_ago=4 * learning.HALF_LIFE_DAYS)
    relearn()
    old = learning.listing(db.session)[0].boost
    assert 0 < old < fresh / 4


def test_clicks_past_the_window_are_forgotten(client, twins):
    teach([session(i) for i in range(5)], days_ago=learning.WINDOW_DAYS + 1)
    relearn()
    assert learning.listing(db.session) == []


def test_coming_straight_back_counts_against_a_page(client, twins):
    teach([session(i) for i in range(5)], slug="guide/alpha", back=True)
    relearn()
    row = learning.listing(db.session)[0]
    assert row.slug == "guide/alpha" and row.came_back > 0 and row.stayed == 0 and row.boost < 0
    assert order(client) == ["guide/beta", "guide/alpha"]


def test_learning_can_be_switched_off_and_is_shown_to_owners(client, login_as, twins):
    teach([session(i) for i in range(learning.MIN_SESSIONS)])
    login_as("owner")
    body = client.put("/api/v1/search/learned", json={"refresh": True}).get_json()
    assert body["learning"] is True and body["boosts"][0]["slug"] == "guide/beta"
    assert order(client) == ["guide/beta", "guide/alpha"]
    assert client.put("/api/v1/search/learned", json={"learning": False}).status_code == 200
    assert order(client) == ["guide/alpha", "guide/beta"]
    html = client.get("/admin/search").get_data(as_text=True)
    assert "guide/beta" in html
    r = client.put("/api/v1/search/learned", json={"learning": "no"})
    assert r.status_code == 422 and "true or false" in r.get_json()["error"]


def test_boosts_are_recomputed_in_the_background_once_per_interval(app, twins):
    teach([session(i) for i in range(learning.MIN_SESSIONS)])
    learning.refresh_in_background(app, 3600).join(timeout=60)  # creates the settings row
    db.session.expire_all()
    assert [r.slug for r in learning.listing(db.session)] == ["guide/beta"]
    stamp = learning.settings(db.session).learned_at
    teach([session(i) for i in range(10, 10 + learning.MIN_SESSIONS)], slug="guide/alpha")
    learning.refresh_in_background(app, 3600).join(timeout=60)  # still fresh: no recompute
    db.session.expire_all()
    assert [r.slug for r in learning.listing(db.session)] == ["guide/beta"]
    assert learning.settings(db.session).learned_at == stamp
