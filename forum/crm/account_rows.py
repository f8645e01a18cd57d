"""The accounts half of the CRM import: one batch of account rows in a handful of statements.

The batch's accounts are looked up by CRM id in one query (and, for the new ones, an account a
rep typed under the same name in another), then inserted and updated in bulk. Bulk writes
bypass the ORM, so the search documents of reports whose account was renamed are noted for the
commit (``search.note``). Flushes nothing else; the caller commits."""

import sqlalchemy as sa

from forum import search
from forum.accounts.models import Account, Segment
from forum.accounts.services import account_key
from forum.auth.models import normalize_name
from forum.crm.context import Context, changes, column_defaults
from forum.crm.results import RowRejected, Tally
from forum.crm.values import CellError, amount, fold
from forum.extensions import db
from forum.feedback.models import Post

SEGMENT_OF = (
    {fold(s.label): s.value for s in Segment}
    | {fold(s.value.replace("_", " ")): s.value for s in Segment}
    | {fold("Mid market"): "mid_market", fold("SMB"): "smb", fold("Public"): "public_sector"}
)
STORED = (
    Account.id,
    Account.crm_id,
    Account.name,
    Account.name_key,
    Account.segment,
    Account.region_id,
    Account.arr,
    Account.arr_currency,
    Account.owner_id,
)
OPTIONAL = ("segment", "region_id", "arr", "arr_currency", "owner_id")
SILENT = frozenset({"name_key"})  # follows the name; never reported as a change
INDEXED = frozenset({"name", "crm_id"})  # what the reports' search documents say of it


def import_accounts(ctx: Context, parsed: list, tally: Tally) -> None:
    """Create, update or leave each of ``parsed`` ((record, cells) pairs) and count it."""
    ctx.load_owners(cells for _, cells in parsed)
    rows = []
    for record, cells in parsed:
        try:
            rows.append((record.row, cells["crm_id"], account_values(ctx, cells)))
        except RowRejected as exc:
            ctx.reject("accounts", tally, record.row, exc.column, exc.reason)
    if not rows:
        return
    existing = {
        r.crm_id: r
        for r in db.session.execute(
            sa.select(*STORED).where(Account.crm_id.in_([crm_id for _, crm_id, _ in rows]))
        )
    }
    unlinked = _typed_accounts([v["name_key"] for _, c, v in rows if c not in existing])
    new_row = column_defaults(Account.__table__, OPTIONAL)
    inserts, updates, renamed = [], [], []
    for row, crm_id, values in rows:
        current = existing.get(crm_id)
        if current is None:
            current = unlinked.pop(values["name_key"], None)
            if current is not None:
                values["crm_id"] = crm_id  # a typed account gets its CRM id
        if current is None:
            inserts.append({**new_row, **values, "crm_id": crm_id})
            tally.created += 1
            continue
        changed = changes(current, values)
        if changed:
            updates.append({"id": current.id, **changed})
        if INDEXED & changed.keys():
            renamed.append(current.id)
        reported = [name for name in changed if name not in SILENT]
        if reported:
            ctx.updated("accounts", tally, row, crm_id, reported)
        else:
            tally.unchanged += 1
    if inserts:
        # Core, not the ORM: the ORM would leave out None values and split the rows into
        # one statement per set of columns.
        db.session.execute(sa.insert(Account.__table__), inserts)
    if updates:
        db.session.execute(sa.update(Account), updates)
    if renamed:
        search.note([("post", sa.select(Post.id).where(Post.account_id.in_(renamed)))])


def _typed_accounts(keys: list[str]) -> dict:
    """Accounts without a CRM id named like these (the oldest of each name), in one query."""
    found: dict = {}
    if keys:
        for r in db.session.execute(
            sa.select(*STORED)
            .where(Account.name_key.in_(set(keys)), Account.crm_id.is_(None))
            .order_by(Account.id)
        ):
            found.setdefault(r.name_key, r)
    return found


def account_values(ctx: Context, cells: dict) -> dict:
    """The stored values a row gives (an empty cell leaves its field as it is); raises
    RowRejected, for an owner who is no user among others."""
    owner = ctx.owner(cells, required=False)
    name = normalize_name(cells["name"])
    values = {"name": name, "name_key": account_key(name)}
    if owner is not None:
        values["owner_id"] = owner.id
    if cells.get("segment"):
        segment = SEGMENT_OF.get(fold(cells["segment"]))
        if segment is None:
            names = ", ".join(s.label for s in Segment)
            raise RowRejected("segment", f"“{cells['segment'][:40]}” is not a segment ({names}).")
        values["segment"] = segment
    if cells.get("region"):
        region = ctx.regions.get(fold(cells["region"]))
        if region is None:
            raise RowRejected("region", f"no sales region is named “{cells['region'][:60]}”.")
        values["region_id"] = region
    if cells.get("arr"):
        try:
            values["arr"], values["arr_currency"] = amount(
                cells["arr"], cells.get("currency", ""), ctx.default_currency, field="ARR"
            )
        except CellError as exc:
            raise RowRejected("arr", exc.reason) from None
    return values
