"""The opportunities half of the CRM import: one batch of deals in a handful of statements.

The batch's accounts and existing win/loss reports are looked up by CRM id in one query each;
new reports (with their authors' follows) are inserted in bulk, changed ones updated in bulk —
only the CRM's fields: the title and body of a report are the rep's once it exists. Bulk writes
bypass the ORM, so the new and moved reports' search documents are noted for the commit
(``search.note``). The caller commits."""

from datetime import UTC, datetime, time

import sqlalchemy as sa

from forum import search
from forum.accounts.models import Account
from forum.core.time import utcnow
from forum.crm import mappings
from forum.crm.context import Context, Owner, changes, column_defaults
from forum.crm.results import RowRejected, Tally
from forum.crm.values import CellError, amount, day, fold
from forum.extensions import db
from forum.feedback.models import Follow, Outcome, Post, PostKind, PostStatus
from forum.taxonomy.models import TaxonomyKind

IMPORTED_BODY = (
    "Imported from the CRM (opportunity {crm_id}). The rep has not written about this deal yet: "
    "edit this report to say why it was won or lost."
)
STORED = (
    Post.id,
    Post.crm_opportunity_id,
    Post.account_id,
    Post.outcome,
    Post.stage,
    Post.deal_value,
    Post.currency,
    Post.closed_on,
    Post.competitor_id,
    Post.primary_reason_id,
)
OPTIONAL = ("stage", "deal_value", "currency", "closed_on", "competitor_id", "primary_reason_id")
INDEXED = frozenset({"account_id"})  # of these values, what a report's search document says


def import_deals(ctx: Context, parsed: list, tally: Tally) -> None:
    """Create, update or leave the report of each of ``parsed`` ((record, cells) pairs)."""
    wanted = {cells["account_crm_id"] for _, cells in parsed}
    accounts = {
        r.crm_id: r
        for r in db.session.execute(
            sa.select(Account.id, Account.crm_id, Account.name).where(Account.crm_id.in_(wanted))
        )
    }
    ctx.load_owners(cells for _, cells in parsed)
    rows = []
    for record, cells in parsed:
        try:
            rows.append((record.row, cells, *deal_values(ctx, cells, accounts)))
        except RowRejected as exc:
            ctx.reject("opportunities", tally, record.row, exc.column, exc.reason)
    if not rows:
        return
    reports = {}
    for r in db.session.execute(
        sa.select(*STORED)
        .where(
            Post.crm_opportunity_id.in_([cells["crm_id"] for _, cells, _, _ in rows]),
            Post.kind == PostKind.WIN_LOSS,
        )
        .order_by(Post.id.desc())
    ):
        reports[r.crm_opportunity_id] = r  # the oldest report of the deal wins
    new_row = column_defaults(Post.__table__, OPTIONAL)
    now = utcnow()
    inserts, updates, touched = [], [], []
    for row, cells, values, owner in rows:
        current = reports.get(cells["crm_id"])
        if current is None:
            account = accounts[cells["account_crm_id"]]
            inserts.append(_new_report(cells, {**new_row, **values}, owner, account.name, now))
            tally.created += 1
            continue
        changed = changes(current, values)
        if changed:
            updates.append({"id": current.id, **changed})
            ctx.updated("opportunities", tally, row, cells["crm_id"], list(changed))
        else:
            tally.unchanged += 1
        if INDEXED & changed.keys():
            touched.append(current.id)
    if inserts:
        # Core, not the ORM: the ORM leaves out None values, so rows with and without an
        # amount (say) would go in separate statements. No RETURNING either: SQLite would then
        # insert one row per statement to keep their order. The batch's new deals had no
        # report, so the reports now bearing their CRM ids are the new ones.
        db.session.execute(sa.insert(Post.__table__), inserts)
        created = db.session.execute(
            sa.select(Post.id, Post.author_id).where(
                Post.crm_opportunity_id.in_([r["crm_opportunity_id"] for r in inserts]),
                Post.kind == PostKind.WIN_LOSS,
            )
        ).all()
        follows = [{"user_id": author, "post_id": id_} for id_, author in created]
        db.session.execute(sa.insert(Follow.__table__), follows)
        touched.extend(id_ for id_, _ in created)
    if updates:
        db.session.execute(sa.update(Post), updates)
    search.note(("post", id_) for id_ in touched)


def _new_report(cells: dict, values: dict, owner: Owner, account_name: str, now) -> dict:
    title = cells.get("name") or f"{account_name} — opportunity {cells['crm_id']}"
    closed = values.get("closed_on")
    # A closed deal counts in the period it closed in (the board reads created_at).
    created = now
    if closed is not None and closed <= now.date():
        created = datetime.combine(closed, time(12), tzinfo=UTC)
    return {
        **values,
        "kind": PostKind.WIN_LOSS,
        "author_id": owner.id,
        "region_id": owner.region_id,
        "status": PostStatus.NOTED,
        "status_reason": "Imported from the CRM.",
        "title": " ".join(title.split())[:200],
        "body": IMPORTED_BODY.format(crm_id=cells["crm_id"]),
        "crm_opportunity_id": cells["crm_id"],
        "created_at": created,
    }


def deal_values(ctx: Context, cells: dict, accounts: dict) -> tuple[dict, Owner]:
    """The CRM's values for a report and its owner; raises RowRejected."""
    account = accounts.get(cells["account_crm_id"])
    if account is None:
        raise RowRejected(
            "account_crm_id",
            f"no account has the CRM id {cells['account_crm_id']} "
            "(import it in the accounts file).",
        )
    owner = ctx.owner(cells, required=True)
    values: dict = {"account_id": account.id}
    stage = fold(cells.get("stage", ""))
    outcome = _outcome(fold(cells.get("outcome", ""))) or _outcome(stage)
    if outcome is None and stage in mappings.STAGE_OF:
        outcome = Outcome.OPEN.value
    if outcome is None:
        column = "outcome" if cells.get("outcome") else "stage"
        shown = cells.get(column, "")[:40]
        raise RowRejected(
            column,
            f"“{shown}” is neither an outcome (won, lost, no decision, open) nor a known stage.",
        )
    values["outcome"] = outcome
    if stage in mappings.STAGE_OF:
        values["stage"] = mappings.STAGE_OF[stage]
    if cells.get("amount"):
        try:
            values["deal_value"], values["currency"] = amount(
                cells["amount"], cells.get("currency", ""), ctx.default_currency, field="Amount"
            )
        except CellError as exc:
            raise RowRejected("amount", exc.reason) from None
    if cells.get("close_date"):
        try:
            values["closed_on"] = day(cells["close_date"], day_first=ctx.day_first)
        except CellError as exc:
            raise RowRejected("close_date", exc.reason) from None
    for column, kind, attr in (
        ("competitor", TaxonomyKind.COMPETITOR, "competitor_id"),
        ("loss_reason", TaxonomyKind.REASON, "primary_reason_id"),
    ):
        if cells.get(column):
            term_id = ctx.term(kind, cells[column])
            if term_id is not None:
                values[attr] = term_id
    return values, owner


def _outcome(text: str) -> str | None:
    if text in mappings.WON:
        return Outcome.WON.value
    if text in mappings.LOST:
        return Outcome.LOST.value
    if text in mappings.NO_DECISION:
        return Outcome.NO_DECISION.value
    if text in mappings.OPEN:
        return Outcome.OPEN.value
    return None
