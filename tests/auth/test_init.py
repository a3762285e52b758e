"""`portal init` starts an instance empty; `init --demo` adds the guide, demo accounts, traffic."""
from sqlalchemy import func, select

from portal.auth.models import User
from portal.content.models import Page
from portal.extensions import db
from portal.feedback.models import Event
from portal.tasks.models import Task

DEMO_EMAILS = {"owner@example.com", "writer@example.com", "reader@example.com"}


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_init_alone_leaves_an_empty_instance(runner, client):
    result = runner.invoke(args=["portal", "init"])
    assert result.exit_code == 0, result.output
    assert (_count(Page), _count(User), _count(Event), _count(Task)) == (0, 0, 0, 0)
    assert "signpost-demo" not in result.output and "create-user" in result.output
    assert client.get("/en/search?q=install").status_code == 200
    assert client.get("/api/v1/pages").json["pages"] == []


def test_init_demo_adds_the_guide_accounts_and_traffic_once(runner, client):
    result = runner.invoke(args=["portal", "init", "--demo"])
    assert result.exit_code == 0, result.output
    slugs = set(db.session.scalars(select(Page.slug)))
    assert {"installation", "accounts", "cli"} <= slugs
    users = db.session.scalars(select(User).where(User.email.in_(DEMO_EMAILS))).all()
    assert {u.email: u.role for u in users} == {"owner@example.com": "owner",
                                                "writer@example.com": "writer",
                                                "reader@example.com": "reader"}
    assert all(u.check_password("signpost-demo") for u in users)
    assert result.output.count("password signpost-demo") == 3
    assert _count(Event) > 0 and _count(Task) > 0
    assert "installation" in client.get("/api/v1/search?q=install&lang=en").get_data(as_text=True)

    before = (_count(Page), _count(User), _count(Event), _count(Task))
    again = runner.invoke(args=["portal", "init", "--demo"])
    assert again.exit_code == 0, again.output
    assert "Database is up to date" in again.output and "Demo account" not in again.output
    assert (_count(Page), _count(User), _count(Event), _count(Task)) == before


def test_demo_is_never_added_to_an_instance_in_use(runner):
    assert runner.invoke(args=["portal", "init"]).exit_code == 0
    created = runner.invoke(args=["portal", "create-user", "admin@corp.example", "--role", "admin",
                                  "--password", "long-enough-pw"])
    assert created.exit_code == 0, created.output
    later = runner.invoke(args=["portal", "init", "--demo"])
    assert later.exit_code == 0 and "nothing was added" in later.output
    assert (_count(Page), _count(User), _count(Event)) == (0, 1, 0)
