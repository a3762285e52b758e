"""Login form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.auth.operations import AccountError, check_email


def valid_email(form, field):
    """The same address rule as accounts made by the CLI or the Users page."""
    try:
        check_email(field.data)
    except AccountError:
        raise ValidationError(_l("Enter an email address such as name@example.com.")) from None


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), valid_email, Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST from this site."""

    submit = SubmitField(_l("Sign out"))
