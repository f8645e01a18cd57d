"""/api/v1/accounts: the accounts list, one account, and its promise ledger."""

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.accounts import queries
from forum.accounts.models import Account
from forum.api.v1 import auth
from forum.api.v1 import schemas as s
from forum.auth.permissions import ensure
from forum.core.pagination import paginate
from forum.core.params import to_id
from forum.extensions import db

bp = Blueprint("api_accounts", __name__, url_prefix="/api/v1/accounts", description="Accounts")
auth.protect(bp)


def _account(a: Account) -> dict:
    return {
        "id": a.id,
        "name": a.name,
        "segment": a.segment,
        "region": a.region.name if a.region else None,
        "arr": None if a.arr is None else str(a.arr),
        "arr_currency": a.arr_currency,
        "crm_id": a.crm_id,
    }


@bp.route("")
class Accounts(MethodView):
    @bp.arguments(s.AccountArgsSchema, location="query", as_kwargs=True)
    @bp.response(200, s.AccountPageSchema)
    def get(self, **_):
        """Accounts, by name or CRM id, segment and region (as the accounts page)."""
        ensure(current_user, "account.view")
        q = request.args.get("q", "").strip()[:100]
        region_id = request.args.get("region", type=to_id)
        if region_id not in {r.id for r in queries.sales_regions()}:
            region_id = None  # an unknown region is no filter, as on the page
        page = paginate(
            queries.account_list(q, request.args.get("segment", ""), region_id), per_page=50
        )
        return {
            "accounts": [_account(a) for a in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
        }


@bp.route("/<int:account_id>")
class OneAccount(MethodView):
    @bp.response(200, s.LedgerSchema)
    def get(self, account_id: int):
        """One account and its promise ledger (its reports, newest first)."""
        ensure(current_user, "account.view")
        account = db.get_or_404(Account, account_id)
        entries = [
            {
                "id": e.id,
                "kind": e.kind_label,
                "title": e.title,
                "status": e.status_label,
                "created_at": e.created_at,
            }
            for e in queries.ledger(account)
        ]
        return {"account": _account(account), "entries": entries}
