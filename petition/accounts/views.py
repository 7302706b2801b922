"""Admin pages for logging in and out, choosing a language, and managing accounts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import ratelimit
from ..extensions import db
from ..i18n import _, current_lang, requested_lang
from . import passwords, services, sessions
from .access import admin_required, login_page, moderator_required
from .forms import (
    ROLE_HINTS,
    ROLE_LABELS,
    ActiveForm,
    ChangePasswordForm,
    DigestForm,
    LanguageForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    RoleForm,
)
from .models import AdminRole, AdminUser, DigestFrequency
from .redirects import safe_admin_next

bp = Blueprint("accounts", __name__)

DASHBOARD = "moderation.dashboard"


@bp.app_context_processor
def account_labels():
    return {"role_labels": ROLE_LABELS, "role_hints": ROLE_HINTS}


def _after_login_url() -> str:
    return safe_admin_next(request.args.get("next")) or url_for(DASHBOARD)


@bp.route("/admin/login", methods=["GET", "POST"])
@login_page
def login():
    # First, before anything reads the database: on SQLite the count is written in a
    # transaction of its own, which must not wait for a lock this request would hold.
    if request.method == "POST" and not ratelimit.allow_login():
        abort(429)
    if sessions.current_admin() is not None:
        return redirect(_after_login_url())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.LoginFailed:
            # Keep the failure count, the lockout and the audit event.
            db.session.commit()
            failed = True
        else:
            if requested_lang():
                # Logged in from the French (or English) login page: the admin pages stay in
                # that language, now and next time.
                services.set_language(user, requested_lang())
            db.session.commit()
            sessions.start(user)
            return redirect(_after_login_url())
    return render_template(
        "accounts/login.html",
        form=form,
        failed=failed,
        lockout_attempts=services.LOCKOUT_ATTEMPTS,
        lockout_minutes=services.LOCKOUT_MINUTES,
        next_url=safe_admin_next(request.args.get("next")),
    )


@bp.post("/admin/logout")
@moderator_required
def logout():
    services.log_out(sessions.current_admin())
    db.session.commit()
    sessions.end()
    flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/admin/language")
@moderator_required
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        services.set_language(sessions.current_admin(), form.lang.data)
        db.session.commit()
    return redirect(safe_admin_next(form.next.data) or url_for(DASHBOARD))


@bp.route("/admin/account/password", methods=["GET", "POST"])
@moderator_required
def change_password():
    user = sessions.current_admin()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(user, form.current.data, form.password.data)
        except services.WrongPassword as error:
            form.current.errors.append(error.message)
        except passwords.WeakPassword as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            # The new session version ends every other browser's session; keep this one.
            sessions.refresh(user)
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for(DASHBOARD))
    digest = DigestForm(digest=user.digest.value)
    return render_template("accounts/change_password.html", form=form, digest_form=digest)


@bp.post("/admin/account/notifications")
@moderator_required
def set_digest():
    user = sessions.current_admin()
    form = DigestForm()
    if form.validate_on_submit():
        services.set_digest(user, DigestFrequency(form.digest.data))
        db.session.commit()
        flash(_("Your notification setting is saved."), "success")
    else:
        flash(_("Choose how often."), "error")
    return redirect(url_for(".change_password"))


@bp.get("/admin/accounts/")
@admin_required
def users():
    return render_template("accounts/users.html", users=services.list_users())


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        generated = passwords.generate_password() if form.wants_generated_password() else None
        try:
            user = services.create_user(
                form.email.data,
                generated or form.password.data,
                role=AdminRole(form.role.data),
                display_name=form.display_name.data or "",
                lang=current_lang(),
                actor=sessions.current_admin(),
            )
        except (services.InvalidEmail, services.EmailTaken) as error:
            form.email.errors.append(error.message)
        except passwords.WeakPassword as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The account for %(email)s is created.", email=user.email), "success")
            if generated:
                return _show_password_once(user, generated)
            return redirect(url_for("accounts.user", user_id=user.id))
    return render_template("accounts/new_user.html", form=form)


def _show_password_once(user: AdminUser, password: str):
    # Shown in this response only: never stored, never put in the session cookie.
    return render_template("accounts/password_shown.html", user=user, password=password)


def _user_or_404(user_id: int) -> AdminUser:
    user = db.session.get(AdminUser, user_id)
    if user is None:
        abort(404)
    return user


def _user_page(user: AdminUser, **forms):
    forms.setdefault("role_form", RoleForm(role=user.role.value, formdata=None))
    forms.setdefault("password_form", ResetPasswordForm(formdata=None))
    return render_template(
        "accounts/user.html",
        user=user,
        active_form=ActiveForm(formdata=None),
        is_self=user.id == sessions.current_admin().id,
        **forms,
    )


@bp.get("/admin/accounts/<int:user_id>")
@admin_required
def user(user_id: int):
    return _user_page(_user_or_404(user_id))


@bp.post("/admin/accounts/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, role_form=form), 400
    try:
        services.change_role(user, AdminRole(form.role.data), actor=sessions.current_admin())
    except services.LastAdmin as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The role is changed."), "success")
        if user.id == sessions.current_admin().id and user.role != AdminRole.ADMIN:
            # You just gave up the right to see this page.
            return redirect(url_for(DASHBOARD))
    return redirect(url_for("accounts.user", user_id=user_id))


@bp.post("/admin/accounts/<int:user_id>/active")
@admin_required
def set_active(user_id: int):
    user = _user_or_404(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "yes"
    try:
        services.set_active(user, active, actor=sessions.current_admin())
    except services.LastAdmin as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.user", user_id=user_id))
    db.session.commit()
    if active:
        flash(_("The account is active again."), "success")
    else:
        flash(_("The account is deactivated and its sessions have ended."), "success")
    return redirect(url_for("accounts.user", user_id=user_id))


@bp.post("/admin/accounts/<int:user_id>/password")
@admin_required
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        generated = passwords.generate_password() if form.wants_generated_password() else None
        try:
            services.reset_password(
                user, generated or form.password.data, actor=sessions.current_admin()
            )
        except passwords.WeakPassword as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            if user.id == sessions.current_admin().id:
                sessions.refresh(user)
            flash(_("The password is reset and the account's sessions have ended."), "success")
            if generated:
                return _show_password_once(user, generated)
            return redirect(url_for("accounts.user", user_id=user_id))
    return _user_page(user, password_form=form), 400
