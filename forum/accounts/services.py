"""Finding and maintaining accounts. Services flush; callers commit."""

import unicodedata
from decimal import Decimal

import sqlalchemy as sa

from forum.accounts.models import Account, Segment
from forum.auth.models import normalize_name
from forum.core import audit
from forum.core.errors import DomainError
from forum.core.money import check_currency, parse
from forum.core.rates import reporting_currency
from forum.extensions import db


def account_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").casefold().strip()


def find_account(typed: str) -> Account | None:
    """The account whose CRM id or name is exactly ``typed`` (case-insensitive), else None."""
    typed = normalize_name(typed)
    if not typed:
        return None
    account = db.session.scalar(sa.select(Account).where(Account.crm_id == typed))
    if account is None:
        account = db.session.scalar(
            sa.select(Account).where(Account.name_key == account_key(typed)).order_by(Account.id)
        )
    return account


def find_or_create_account(typed: str, *, actor) -> Account | None:
    """Pick the account a rep typed, creating a bare one when nothing matches."""
    typed = normalize_name(typed)
    if not typed:
        return None
    account = find_account(typed)
    if account is None:
        if len(typed) > 120:
            raise DomainError("An account name has at most 120 characters.")
        account = Account(name=typed, name_key=account_key(typed))
        db.session.add(account)
        db.session.flush()
        audit.record("account.create", actor=actor, target=account, name=typed)
    return account


def save_account(
    account: Account | None,
    *,
    name: str,
    segment: str,
    region_id: int | None,
    arr: Decimal | None,
    crm_id: str | None,
    actor,
    arr_currency: str | None = None,
) -> Account:
    """Create or update an account; the CRM id stays unique."""
    name = normalize_name(name)
    crm_id = (crm_id or "").strip() or None
    if segment and segment not in {s.value for s in Segment}:
        raise DomainError("Unknown segment.")
    if crm_id:
        clash = db.session.scalar(sa.select(Account).where(Account.crm_id == crm_id))
        if clash is not None and clash is not account:
            raise DomainError(f"Another account ({clash.name}) already has this CRM id.")
    currency = check_currency(arr_currency or reporting_currency(), "Currency of the ARR")
    if arr is not None:
        arr = parse(arr, currency, field="Annual recurring revenue").amount
    if account is None:
        account = Account(name=name, name_key=account_key(name))
        db.session.add(account)
    account.name, account.name_key = name, account_key(name)
    account.segment, account.region_id, account.arr, account.crm_id = (
        segment,
        region_id,
        arr,
        crm_id,
    )
    account.arr_currency = currency
    db.session.flush()
    audit.record("account.save", actor=actor, target=account, name=name)
    return account
