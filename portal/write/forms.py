"""Forms of the write area (Flask-WTF: every POST carries a CSRF token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.content.editing import MAX_MARKDOWN, MAX_MESSAGE, MAX_SLUG, MAX_TITLE


class EditForm(FlaskForm):
    """A translation's title and Markdown, based on the revision the writer opened."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    markdown = TextAreaField(_l("Markdown"), validators=[Length(max=MAX_MARKDOWN)])
    message = StringField(_l("What did you change? (optional)"),
                          validators=[Optional(), Length(max=MAX_MESSAGE)])
    base_revision = HiddenField()
    follow = BooleanField()
    save_draft = SubmitField(_l("Save draft"))
    publish = SubmitField(_l("Publish"))

    def base(self):
        """The revision number the text was based on, or None for a new translation."""
        try:
            return int(self.base_revision.data) if self.base_revision.data else None
        except ValueError:
            return -1


class CreateForm(FlaskForm):
    """A new page: its path, language, title and first text."""

    slug = StringField(_l("Path"), validators=[DataRequired(), Length(max=MAX_SLUG)])
    lang = SelectField(_l("Language"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    section = StringField(_l("Section (optional)"), validators=[Optional(), Length(max=MAX_SLUG)])
    markdown = TextAreaField(_l("Markdown"), validators=[Length(max=MAX_MARKDOWN)])
    save_draft = SubmitField(_l("Save draft"))
    publish = SubmitField(_l("Publish"))


class MoveForm(FlaskForm):
    """A page's new path."""

    slug = StringField(_l("New path"), validators=[DataRequired(), Length(max=MAX_SLUG)])
    submit = SubmitField(_l("Move page"))
