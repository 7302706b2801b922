"""A bilingual (English/French) sign-on platform for coalition policy platforms."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import config as config_module
from .security import App

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(config: dict | None = None) -> Flask:
    """Create the app: settings, then extensions, then blueprints and commands. No I/O."""
    app = App(__name__, template_folder=str(TEMPLATES), instance_relative_config=True)
    app.config.from_object(config_module.BaseConfig)
    if config is None:
        config = config_module.from_environment(app.instance_path)
    app.config.update(config)

    from . import errors, i18n, page_cache, ratelimit, security
    from .accounts import sessions as admin_sessions
    from .extensions import babel, csrf, db, init_sqlite_write_intent, mail, migrate
    from .markup import render_markdown, safe_website
    from .privacy import logs as privacy_logs

    db.init_app(app)
    init_sqlite_write_intent(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=lambda: app.config["TIMEZONE"],
    )
    csrf.init_app(app)
    mail.init_app(app)
    ratelimit.init_app(app)
    i18n.init_app(app)
    # The page cache sits inside the security middleware (proxy headers, no server banner),
    # so pages it answers from memory get the same treatment as fresh ones.
    page_cache.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    privacy_logs.init_app(app)
    admin_sessions.init_app(app)
    from .operations import logs as operations_logs
    from .operations import metrics as operations_metrics

    operations_metrics.init_app(app)
    operations_logs.init_app(app)

    from .accounts.views import bp as accounts_bp
    from .directory.api import bp as api_bp
    from .directory.views import bp as directory_bp
    from .endorsements.views import bp as endorsements_bp
    from .moderation.views import bp as moderation_bp
    from .operations.health import bp as operations_bp
    from .operations.metrics import bp as metrics_bp
    from .platforms.views import bp as platforms_bp
    from .privacy.views import bp as privacy_bp

    for blueprint in (
        platforms_bp,
        endorsements_bp,
        directory_bp,
        api_bp,
        privacy_bp,
        accounts_bp,
        moderation_bp,
        operations_bp,
        metrics_bp,
    ):
        app.register_blueprint(blueprint)

    from .abuse_console.views import bp as abuse_console_bp
    from .platforms_admin.views import bp as platforms_admin_bp

    app.register_blueprint(platforms_admin_bp)
    app.register_blueprint(abuse_console_bp)

    from . import db_connections

    # After every blueprint: each view runs once more if the database connection dies under it.
    db_connections.init_app(app)

    from .cli import register_commands

    register_commands(app)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["safe_website"] = safe_website
    return app
