"""Post pages (being built)."""

from flask import Blueprint, render_template

from forum.auth.permissions import require

bp = Blueprint("feedback", __name__, url_prefix="/posts")


@bp.get("/")
@require("post.view")
def feed():
    """The feed."""
    return render_template("accounts/index.html")


@bp.get("/new")
@require("post.create")
def new():
    """Choose a kind of report."""
    return render_template("accounts/index.html")


@bp.get("/mine")
@require("post.create")
def mine():
    """My reports."""
    return render_template("accounts/index.html")
