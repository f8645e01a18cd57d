"""The landing page for each role, and `/healthz` for load balancers."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from forum.extensions import db, limiter
from forum.home import queries

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    """Where each role starts its day."""
    user = current_user
    return render_template("home/index.html", user=user, **queries.landing(user))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 with JSON when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up"), 200
