"""Refusals of writers' input, in the writer's language."""
from flask_babel import gettext as _

from portal.content.editing import MAX_MARKDOWN, MAX_MESSAGE, MAX_SLUG, MAX_TITLE


def edit_error(exc):
    """A sentence telling the writer what to correct for an EditError."""
    messages = {
        ("slug", "empty"): lambda: _("Enter the page's path, for example guide/install."),
        ("slug", "too_long"): lambda: _("A path can be at most %(limit)d characters long.",
                                        limit=MAX_SLUG),
        ("slug", "invalid"): lambda: _("A path is made of letters, digits, '.', '_' and '-', "
                                       "with '/' between folders."),
        ("slug", "taken"): lambda: _("Another page already uses that path."),
        ("markdown", "missing"): lambda: _("Write the page's Markdown."),
        ("markdown", "too_long"): lambda: _("A page can be at most %(limit)d characters long.",
                                            limit=MAX_MARKDOWN),
        ("title", "empty"): lambda: _("Give the page a title."),
        ("title", "too_long"): lambda: _("A title can be at most %(limit)d characters long.",
                                         limit=MAX_TITLE),
        ("message", "too_long"): lambda: _("A message can be at most %(limit)d characters long.",
                                           limit=MAX_MESSAGE),
        ("revision", "unknown"): lambda: _("There is no such revision."),
        ("source_revision", "unknown"): lambda: _("There is no such revision of the source page."),
    }
    return messages.get((exc.field, exc.code), lambda: _("Check the value of %(field)s.",
                                                         field=exc.field))()
