"""Catalog pages (being built)."""

from flask import Blueprint, render_template

from forum.auth.permissions import require

bp = Blueprint("catalog", __name__, url_prefix="/catalog")


@bp.get("/")
@require("catalog.view")
def index():
    """The catalog list."""
    return render_template("catalog/index.html")
