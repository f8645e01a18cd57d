"""The search page (endpoint ``search.results``), reached from the box in every page's header.

It stands above feedback and fixes, so the engine below it (``forum.search``) imports no domain.
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from forum.accounts.models import Account
from forum.auth.permissions import require
from forum.core.params import page_arg
from forum.extensions import db
from forum.finder import queries

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.get("/")
@require("search.view")
def results():
    """Reports, comments and fixes matching the words typed: ranked, filtered and paged."""
    f = queries.SearchFilter.from_args(request.args)  # BadFilter: 400
    number = page_arg()
    outcome = queries.run(f, current_user, number)
    if number > 1 and not outcome.items:
        abort(404)
    account = db.session.get(Account, f.account) if f.account else None
    return render_template(
        "search/results.html",
        f=f,
        outcome=outcome,
        page=outcome.page,
        account=account,
        options=queries.filter_options(),
    )
