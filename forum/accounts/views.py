"""Accounts pages (being built)."""

from flask import Blueprint, render_template

from forum.auth.permissions import require

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.get("/")
@require("account.view")
def index():
    """The accounts list."""
    return render_template("accounts/index.html")


@bp.get("/<int:account_id>")
@require("account.view")
def detail(account_id: int):
    """An account (being built)."""
    return render_template("accounts/index.html")
