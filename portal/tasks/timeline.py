"""A page's timeline: revisions, comments, tasks with their activity, and reader votes, by time."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.comments.models import PageComment
from portal.content.models import Revision, Translation
from portal.feedback.models import Vote
from portal.tasks.models import Task, TaskActivity

AT_CREATION = timedelta(seconds=2)


@dataclass
class Entry:
    """One thing that happened to a page: `kind` is revision, comment, task, activity or vote."""
    at: object
    kind: str
    item: object
    task: object = None


def page_timeline(session, page, lang=None, limit=500):
    """Everything that happened to `page` (in `lang`, or every language), newest first."""
    entries = []
    revisions = (select(Revision)
                 .join(Translation, Revision.translation_id == Translation.id)
                 .where(Translation.page_id == page.id)
                 .options(selectinload(Revision.author), selectinload(Revision.translation)))
    comments = select(PageComment).where(PageComment.page_id == page.id) \
        .options(selectinload(PageComment.author))
    votes = select(Vote).where(Vote.page == page.slug)
    tasks = select(Task).where(Task.page_id == page.id).options(
        selectinload(Task.activity).selectinload(TaskActivity.actor), selectinload(Task.assignee))
    if lang:
        revisions = revisions.where(Translation.lang == lang)
        comments = comments.where(PageComment.lang == lang)
        votes = votes.where(Vote.lang == lang)
        tasks = tasks.where((Task.lang == lang) | Task.lang.is_(None))
    entries += [Entry(r.created_at, "revision", r) for r in session.scalars(revisions)]
    entries += [Entry(c.created_at, "comment", c) for c in session.scalars(comments)]
    entries += [Entry(v.updated_at, "vote", v) for v in session.scalars(votes)]
    for task in session.scalars(tasks):
        entries.append(Entry(task.created_at, "task", task, task))
        # The fields a task was created with are logged at creation; the task entry shows them.
        entries += [Entry(a.at, "activity", a, task) for a in task.activity
                    if a.field != "created" and (a.at - task.created_at) > AT_CREATION]
    entries.sort(key=lambda e: (e.at, e.kind), reverse=True)
    return entries[:limit]
