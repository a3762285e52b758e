"""Sign-in throttling: unit tests on a hand-driven clock, then through the login form."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from portal.auth import throttle
from portal.auth.models import SignInThrottle
from portal.extensions import db

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
ACCOUNT = throttle.account_key("secret", "ann@example.com")
CLIENT = throttle.client_key("secret", "203.0.113.9")


def test_policy_grows_then_caps_then_locks():
    waits = [throttle.ACCOUNT.wait_after(n) for n in range(1, 12)]
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 300, 900, 900]
    assert throttle.CLIENT.wait_after(19) == 0 and throttle.CLIENT.wait_after(20) == 30


def test_keys_are_salted_hashes_never_the_address_or_email():
    assert "203.0.113.9" not in CLIENT and "ann" not in ACCOUNT
    assert throttle.client_key("other-secret", "203.0.113.9") != CLIENT
    assert throttle.account_key("secret", " ANN@example.com ") == ACCOUNT


def test_failures_wait_then_lock_then_expire(app):
    keys = [ACCOUNT]
    for n in range(4):
        assert throttle.record_failure(db.session, keys, T0 + timedelta(seconds=n)) == 0
    assert throttle.retry_after(db.session, keys, T0 + timedelta(seconds=4)) == 0
    now = T0 + timedelta(seconds=4)
    assert throttle.record_failure(db.session, keys, now) == 30       # fifth failure
    assert throttle.retry_after(db.session, keys, now + timedelta(seconds=10)) == 20
    assert throttle.retry_after(db.session, keys, now + timedelta(seconds=30)) == 0
    for n, expected in enumerate([60, 120, 240, 300, 900]):
        now += timedelta(seconds=1000)
        assert throttle.record_failure(db.session, keys, now) == expected
    assert throttle.retry_after(db.session, keys, now + timedelta(minutes=14)) == 60
    assert throttle.retry_after(db.session, keys, now + timedelta(minutes=15)) == 0
    # a day after the last failure the count starts again
    assert throttle.record_failure(db.session, keys, now + timedelta(days=2)) == 0


def test_success_clears_the_account_but_not_the_client(app):
    for n in range(6):
        throttle.record_failure(db.session, [ACCOUNT, CLIENT], T0 + timedelta(seconds=n))
    throttle.record_success(db.session, ACCOUNT)
    assert db.session.get(SignInThrottle, ACCOUNT) is None
    assert db.session.get(SignInThrottle, CLIENT).failures == 6


def _post(client, password, email="ann@example.com", address="198.51.100.7"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def test_login_form_slows_down_and_says_when(client, make_user):
    make_user("reader", email="ann@example.com", password="right-password")
    for _ in range(4):
        assert _post(client, "wrong").status_code == 400
    fifth = _post(client, "wrong")
    assert fifth.status_code == 429 and fifth.headers["Retry-After"] == "30"
    assert "Try again in 30 seconds." in fifth.get_data(as_text=True)
    refused = _post(client, "right-password")  # even the right password waits
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 30
    assert client.get("/api/v1/me").status_code == 401
    rows = db.session.scalars(select(SignInThrottle)).all()
    assert {r.key[:2] for r in rows} == {"a:", "c:"}
    assert not any("198.51.100.7" in r.key or "ann" in r.key for r in rows)


def test_success_after_the_lock_ran_out_resets_the_count(app, client, make_user):
    from portal.timeutil import utcnow
    make_user("reader", email="ann@example.com", password="right-password")
    secret = app.config["SECRET_KEY"]
    keys = [throttle.account_key(secret, "ann@example.com")]
    for n in range(10):
        throttle.record_failure(db.session, keys, utcnow() - timedelta(minutes=16))
    db.session.commit()
    assert db.session.get(SignInThrottle, keys[0]).failures == 10
    ok = _post(client, "right-password")
    assert ok.status_code == 302
    assert db.session.get(SignInThrottle, keys[0]) is None


def test_lock_after_ten_failures_is_told_in_minutes(app, client, make_user):
    from portal.timeutil import utcnow
    make_user("reader", email="bo@example.com", password="right-password")
    key = throttle.account_key(app.config["SECRET_KEY"], "bo@example.com")
    for n in range(9):
        throttle.record_failure(db.session, [key], utcnow() - timedelta(hours=1))
    db.session.commit()
    locked = _post(client, "wrong", email="bo@example.com")
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "900"
    assert "Try again in 15 minutes." in locked.get_data(as_text=True)


def test_one_client_guessing_many_accounts_is_slowed(client):
    for n in range(19):
        assert _post(client, "wrong", email=f"user{n}@example.com").status_code == 400
    blocked = _post(client, "wrong", email="user99@example.com")
    assert blocked.status_code == 429
    other_client = _post(client, "wrong", email="user99@example.com", address="192.0.2.1")
    assert other_client.status_code == 400


def test_per_client_counting_can_be_switched_off_behind_a_proxy(tmp_path, database_template):
    from tests.conftest import make_app
    app = make_app(tmp_path, database_template, SIGN_IN_PER_CLIENT=False)
    with app.app_context():
        client = app.test_client()
        for n in range(25):
            assert _post(client, "wrong", email=f"user{n}@example.com").status_code == 400
        assert all(r.key.startswith("a:") for r in db.session.scalars(select(SignInThrottle)))
        db.session.remove()
        db.engine.dispose()


def test_day_old_keys_are_deleted_by_later_failures(app):
    throttle.record_failure(db.session, ["a:old"], T0)
    throttle.record_failure(db.session, ["a:recent"], T0 + timedelta(hours=20))
    throttle.record_failure(db.session, [ACCOUNT], T0 + timedelta(days=1, minutes=1))
    assert {r.key for r in db.session.scalars(select(SignInThrottle))} == {"a:recent", ACCOUNT}
