"""Finding and maintaining accounts. Services flush; callers commit."""

import difflib
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


class UnknownAccount(DomainError):
    """A rep named an account that does not exist; ``suggestions`` are the likeliest ones."""

    def __init__(self, typed: str, suggestions: list[Account]):
        hint = ""
        if suggestions:
            hint = " Did you mean " + " or ".join(a.name for a in suggestions[:3]) + "?"
        super().__init__(
            f"No account is named “{typed[:120]}”.{hint} Pick an existing account, or add a "
            "new one first.",
            field="account",
        )
        self.typed, self.suggestions = typed, suggestions


class SimilarAccounts(DomainError):
    """A new account's name is close to existing ones: the person must say it is new."""

    def __init__(self, name: str, suggestions: list[Account]):
        names = " or ".join(a.name for a in suggestions[:3])
        super().__init__(f"Did you mean {names}? Tick “it is a new customer” to add “{name}”.")
        self.suggestions = suggestions


SIMILAR_LIMIT = 5
SIMILAR_CUTOFF = 0.75
CANDIDATES = 400


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


def similar_accounts(typed: str, *, limit: int = SIMILAR_LIMIT, exclude=()) -> list[Account]:
    """Accounts whose names look like ``typed`` ("Banco Austrl" → Banco Austral): names
    sharing a word's first three letters are read from the database, then ranked by how
    alike they are, ignoring case and accents."""
    wanted = _fold(typed)
    words = [w[:3] for w in account_key(typed).split() if len(w) >= 3][:5]
    if not wanted or not words:
        return []
    starts = []
    for w in words:
        starts.append(Account.name_key.startswith(w, autoescape=True))
        starts.append(Account.name_key.contains(" " + w, autoescape=True))
    candidates = db.session.scalars(
        sa.select(Account).where(sa.or_(*starts)).order_by(Account.name_key).limit(CANDIDATES)
    )
    scored = []
    for account in candidates:
        if account.id in exclude:
            continue
        name = _fold(account.name)
        ratio = difflib.SequenceMatcher(None, wanted, name).ratio()
        # "Austral" typed for "Banco Austral S.A.": a close match of the leading words counts too.
        head = difflib.SequenceMatcher(None, wanted, name[: len(wanted) + 2]).ratio()
        score = max(ratio, head)
        if score >= SIMILAR_CUTOFF:
            scored.append((-score, account.name_key, account.id, account))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored[:limit]]


def pick_account(typed: str, account_id: int | None = None) -> Account | None:
    """The existing account a rep picked: by id (the picker), else by exact CRM id or name.
    Never creates one; an unknown name raises ``UnknownAccount`` with the likeliest matches."""
    if account_id is not None:
        account = db.session.get(Account, account_id)
        if account is None:
            raise DomainError("That account does not exist.", field="account")
        return account
    typed = normalize_name(typed)
    if not typed:
        return None
    account = find_account(typed)
    if account is None:
        raise UnknownAccount(typed, suggest_accounts(typed))
    return account


def suggest_accounts(typed: str, limit: int = SIMILAR_LIMIT) -> list[Account]:
    """What a search step offers for ``typed``: names containing it, then names like it."""
    like = sa.or_(
        Account.name_key.contains(account_key(typed), autoescape=True),
        Account.crm_id.icontains(typed, autoescape=True),
    )
    found = list(
        db.session.scalars(sa.select(Account).where(like).order_by(Account.name_key).limit(limit))
    )
    seen = {a.id for a in found}
    return found + similar_accounts(typed, limit=limit - len(found), exclude=seen)


def create_account(
    *,
    name: str,
    segment: str,
    region_id: int | None,
    arr: Decimal | None,
    arr_currency: str | None,
    crm_id: str | None,
    actor,
    confirmed_new: bool = False,
) -> Account:
    """The explicit "new customer" choice: name, segment and region required, and similar
    existing names offered first (``SimilarAccounts``) until ``confirmed_new``."""
    name = normalize_name(name)
    if not name or not segment or region_id is None:
        raise DomainError("A new account needs a name, a segment and a sales region.")
    if find_account(name) is not None:
        raise SimilarAccounts(name, [find_account(name)])
    similar = similar_accounts(name)
    if similar and not confirmed_new:
        raise SimilarAccounts(name, similar)
    account = save_account(
        None,
        name=name,
        segment=segment,
        region_id=region_id,
        arr=arr,
        arr_currency=arr_currency,
        crm_id=crm_id,
        actor=actor,
    )
    audit.record("account.create", actor=actor, target=account, name=name)
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
