"""Demo collaboration data for `portal init --demo`: tasks in every state, comments, activity.

Called by the accounts set-up after the demo accounts and the guide exist; it uses whatever
writers, owners and pages it finds and does nothing when there are none (or when tasks
exist already). The caller commits.
"""
from datetime import timedelta

from sqlalchemy import func, select

from portal.auth.models import User
from portal.comments.operations import add_comment
from portal.content.models import Page
from portal.tasks import operations
from portal.tasks.models import Task
from portal.timeutil import utcnow

TASKS = [
    # title, status, priority, due in days (None: no date), labels, description
    ("Explain what to do when the install script fails", "open", "high", 3, ["install"],
     "Readers vote *not helpful* on the install page. Add a **Troubleshooting** section."),
    ("Translate the search page into Korean", "in_progress", "normal", 7, ["translation", "ko"],
     "The Korean search page follows an old revision."),
    ("Check the screenshots in the writing guide", "in_review", "low", None, ["screenshots"],
     "Compare every screenshot with the current editor."),
    ("Add an example to the API page", "done", "normal", -2, ["api"],
     "Readers asked for a `curl` example."),
    ("Shorten the first paragraph of the home page", "open", "urgent", -1, ["home"],
     "Overdue on purpose, so the demo shows overdue marking."),
]


def create_demo_collab(session):
    """Create demo tasks and page comments; returns how many tasks were created."""
    if session.scalar(select(func.count(Task.id))):
        return 0
    users = session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)).all()
    writers = [u for u in users if u.has_role("writer") and not u.has_role("owner")]
    owners = [u for u in users if u.has_role("owner")]
    if not writers or not owners:
        return 0
    pages = session.scalars(select(Page).order_by(Page.id).limit(len(TASKS))).all()
    today = utcnow().date()
    owner, created = owners[0], 0
    for i, (title, status, priority, days, labels, description) in enumerate(TASKS):
        page = pages[i % len(pages)] if pages else None
        clean = {"title": title, "description": description, "priority": priority,
                 "labels": labels, "page": page, "lang": "ko" if "ko" in labels else None,
                 "due": today + timedelta(days=days) if days is not None else None,
                 "assignee": writers[i % len(writers)]}
        evidence = ("page", f"en:{page.slug}") if page is not None and i == 0 else (None, None)
        task = operations.create_task(session, owner, clean, evidence)
        if status != "open":
            operations.update_task(session, task, clean["assignee"], {"status": status})
        if i == 0:
            operations.add_task_comment(session, task, clean["assignee"],
                                        f"I will take this one. @{owner.email.split('@')[0]} "
                                        "can you check the wording afterwards?")
        created += 1
    if pages:
        reader = next((u for u in users if not u.has_role("writer")), writers[0])
        first = add_comment(session, pages[0], "en", reader,
                            "Does this also work behind a proxy?")
        add_comment(session, pages[0], "en", writers[0],
                    "Yes — set `HTTPS_PROXY` first. I will add it to the page.", first.id)
    return created
