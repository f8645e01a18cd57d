"""Taxonomy pages (being built)."""

from flask import Blueprint, render_template

from forum.auth.permissions import require

bp = Blueprint("taxonomy", __name__, url_prefix="/admin/taxonomy")


@bp.get("/")
@require("admin.taxonomy")
def index():
    """The taxonomy list."""
    return render_template("taxonomy/index.html")
