"""Forms for logging in and looking after admin accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length, StopValidation

from ..i18n import _l
from .models import AdminRole, DigestFrequency

ROLE_LABELS = {
    AdminRole.MODERATOR: _l("Moderator"),
    AdminRole.ADMIN: _l("Admin"),
}
ROLE_HINTS = {
    AdminRole.MODERATOR: _l("Reviews endorsements and edits platforms."),
    AdminRole.ADMIN: _l("Also manages accounts and reads the audit log."),
}
REQUIRED = _l("This field is required.")


def _role_choices():
    return [SelectChoice(r.value, ROLE_LABELS[r]) for r in (AdminRole.MODERATOR, AdminRole.ADMIN)]


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address."))],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class NewPasswordMixin:
    """A new password typed twice, or generated and shown once."""

    password_choice = RadioField(
        _l("Initial password"),
        choices=[
            SelectChoice("generate", _l("Generate a password and show it to me once")),
            SelectChoice("type", _l("I will type a password")),
        ],
        default="generate",
        validators=[DataRequired(REQUIRED)],
    )
    password = PasswordField(
        _l("Password"),
        description=_l("At least 12 characters. A phrase of several unrelated words works well."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Type the password again"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )

    def wants_generated_password(self) -> bool:
        return self.password_choice.data == "generate"

    def validate_password(self, field):
        if not self.wants_generated_password() and not field.data:
            raise StopValidation(_l("Type a password, or choose to generate one."))


class NewUserForm(NewPasswordMixin, FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter a valid email address.")),
            Length(max=254, message=_l("Enter a valid email address.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name"),
        description=_l("Shown to other admins, for example in the audit log."),
        validators=[Length(max=120, message=_l("Use at most 120 characters."))],
    )
    role = RadioField(_l("Role"), choices=_role_choices, default=AdminRole.MODERATOR.value)


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    password_choice = RadioField(
        _l("New password"),
        choices=[
            SelectChoice("generate", _l("Generate a password and show it to me once")),
            SelectChoice("type", _l("I will type a password")),
        ],
        default="generate",
        validators=[DataRequired(REQUIRED)],
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices, validators=[DataRequired(REQUIRED)])


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["yes", "no"])])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A phrase of several unrelated words works well."),
        validators=[DataRequired(_l("Enter a new password."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[AnyOf(["en", "fr"])])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Nothing but the CSRF token: logging out is a POST so another site cannot force it."""


DIGEST_LABELS = {
    DigestFrequency.IMMEDIATELY: _l("As soon as something is waiting (checked every few minutes)"),
    DigestFrequency.HOURLY: _l("At most once an hour"),
    DigestFrequency.DAILY: _l("At most once a day"),
    DigestFrequency.OFF: _l("Never"),
}


class DigestForm(FlaskForm):
    """How often a moderator is emailed about endorsements awaiting review."""

    digest = RadioField(
        _l("Email me about endorsements awaiting review"),
        choices=[SelectChoice(value.value, label) for value, label in DIGEST_LABELS.items()],
        validators=[DataRequired(_l("Choose how often."))],
    )
