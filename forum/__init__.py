"""Voice of Sales: the application factory."""

import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config as app_config
import forum.models  # noqa: F401 - registers every table on the metadata
from forum import notify, webhooks
from forum.accounts.views import bp as accounts_bp
from forum.admin.rates import bp as rates_bp
from forum.admin.views import bp as admin_bp
from forum.api import v1 as api_v1
from forum.api.settings import bp as api_tokens_bp
from forum.api.views import bp as api_bp
from forum.auth import list_memory
from forum.auth.permissions import can
from forum.auth.session import load_user
from forum.auth.sso import providers as sso_providers
from forum.auth.sso.views import bp as sso_bp
from forum.auth.views import bp as auth_bp
from forum.board.views import bp as board_bp
from forum.buyers import receivers as buyer_receivers
from forum.buyers.views import bp as buyers_bp
from forum.buyers.views import survey_bp
from forum.catalog.views import bp as catalog_bp
from forum.cli import register_commands
from forum.core.errors import register_error_handlers
from forum.core.templating import register_templating
from forum.core.web import (
    BoundedIntConverter,
    install_sqlite_pragmas,
    register_request_hygiene,
    warn_once_about_unexpected_proxies,
)
from forum.core.zones import viewer_zone
from forum.crm.views import bp as crm_bp
from forum.extensions import babel, csrf, db, limiter, login_manager, migrate
from forum.feedback.views import bp as feedback_bp
from forum.finder.views import bp as search_bp
from forum.fixes.views import bp as fixes_bp
from forum.home.views import bp as home_bp
from forum.loop import receivers as loop_receivers
from forum.loop.views import bp as loop_bp
from forum.navigation import nav_items
from forum.notify.views import bp as notify_bp
from forum.privacy.views import bp as privacy_bp
from forum.taxonomy.views import bp as taxonomy_bp
from forum.triage.views import bp as triage_bp
from forum.webhooks.views import bp as webhooks_bp


def create_app(config_class: type | None = None, **overrides) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages, commands."""
    cfg = config_class or app_config.config_for()
    app = Flask(
        __name__,
        instance_path=str(cfg.INSTANCE_DIR),
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(cfg)
    app.config.update(overrides)
    if app.config["APP_ENV"] == "production":
        problems = app_config.check_production_settings(app.config)
        if problems:
            raise app_config.UnsafeSettings(problems)
    # An unusable single sign-on setting stops the start with the variable to fix.
    sso_providers.load(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = app_config.secret_key(app.config["INSTANCE_DIR"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver; accept the usual URL form.
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1
        )
    else:
        warn_once_about_unexpected_proxies(app)

    # Ids past a 32-bit integer cannot exist: 404 instead of a database overflow error.
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    _register_blueprints(app)
    api_v1.init_app(app)

    loop_receivers.connect()  # follow-ups follow the fixes
    buyer_receivers.connect()  # the fix page shows the buyers behind a fix
    notify.init_app(app)
    webhooks.init_app(app)  # after notify: a payload is queued beside the notifications
    list_memory.init_app(app)

    register_error_handlers(app)
    register_request_hygiene(app)
    register_templating(app)

    app.jinja_env.globals.update(can=can, nav_items=nav_items)

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    install_sqlite_pragmas()
    db.init_app(app)
    # An absolute folder: `flask db` and the tests work from any working directory.
    migrations = Path(app.root_path).parent / "migrations"
    migrate.init_app(app, db, directory=str(migrations), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    # Dates, times and numbers through Babel: in the signed-in person's zone, else the
    # organisation's (forum.core.zones); English until a second catalogue ships.
    babel.init_app(app, default_locale="en", timezone_selector=viewer_zone)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:

    for bp in (
        home_bp,
        auth_bp,
        sso_bp,
        admin_bp,
        rates_bp,
        privacy_bp,
        taxonomy_bp,
        accounts_bp,
        catalog_bp,
        crm_bp,
        feedback_bp,
        fixes_bp,
        loop_bp,
        buyers_bp,
        survey_bp,
        triage_bp,
        notify_bp,
        board_bp,
        search_bp,
        api_bp,
        webhooks_bp,
        api_tokens_bp,
    ):
        app.register_blueprint(bp)
