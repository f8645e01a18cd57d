"""Maintaining the taxonomies admins curate. Services flush and audit; callers commit."""

import sqlalchemy as sa

from forum.auth.models import normalize_name
from forum.core import audit
from forum.core.errors import DomainError
from forum.extensions import db
from forum.taxonomy.models import ReasonBranch, TaxonomyKind, TaxonomyTerm

MAX_NAME = 80
KIND_NAMES = {
    TaxonomyKind.COMPETITOR: "competitor",
    TaxonomyKind.REASON: "win/loss reason",
    TaxonomyKind.ROOT_CAUSE: "root-cause category",
}


def term_key(name: str) -> str:
    """Two names with the same key are the same term: 'Globex  suite' is 'Globex Suite'."""
    return normalize_name(name).casefold()


def _name(kind: TaxonomyKind, name: str, term: TaxonomyTerm | None) -> str:
    name = normalize_name(name)
    if not name or len(name) > MAX_NAME:
        raise DomainError(f"A name has 1 to {MAX_NAME} characters.")
    clash = db.session.scalar(
        sa.select(TaxonomyTerm).where(
            TaxonomyTerm.kind == kind, TaxonomyTerm.name_key == term_key(name)
        )
    )
    if clash is not None and clash is not term:
        hint = "" if clash.active else " It is deactivated: reactivate it instead."
        raise DomainError(f"There is already a {KIND_NAMES[kind]} named “{clash.name}”.{hint}")
    return name


def _branch(kind: TaxonomyKind, branch: str | None) -> str:
    """Reasons need a branch; other kinds have none."""
    if kind != TaxonomyKind.REASON:
        return ""
    if branch not in {b.value for b in ReasonBranch}:
        raise DomainError("Choose the branch this reason belongs to.")
    return branch


def add_term(kind: TaxonomyKind, name: str, *, branch: str | None = None, actor) -> TaxonomyTerm:
    """Add an active term; names are unique within a kind, ignoring case."""
    kind = TaxonomyKind(kind)
    name = _name(kind, name, None)
    term = TaxonomyTerm(
        kind=kind, name=name, name_key=term_key(name), branch=_branch(kind, branch), active=True
    )
    db.session.add(term)
    db.session.flush()
    audit.record(
        "taxonomy.create", actor=actor, target=term, kind=str(kind), name=name, branch=term.branch
    )
    return term


def update_term(term: TaxonomyTerm, name: str, *, branch: str | None = None, actor) -> TaxonomyTerm:
    """Rename a term (and move a reason to another branch); posts keep pointing at it."""
    kind = TaxonomyKind(term.kind)
    name = _name(kind, name, term)
    branch = _branch(kind, branch if kind == TaxonomyKind.REASON else None)
    changes = {}
    if term.name != name:
        changes["name"] = [term.name, name]
    if term.branch != branch:
        changes["branch"] = [term.branch, branch]
    term.name, term.name_key, term.branch = name, term_key(name), branch
    db.session.flush()
    audit.record("taxonomy.update", actor=actor, target=term, **changes)
    return term


def set_active(term: TaxonomyTerm, active: bool, *, actor) -> TaxonomyTerm:
    """Withdraw a term from new posts (existing posts keep it) or offer it again."""
    term.active = active
    db.session.flush()
    audit.record(
        "taxonomy.reactivate" if active else "taxonomy.deactivate",
        actor=actor,
        target=term,
        name=term.name,
    )
    return term


def terms_by_kind() -> dict[str, list[TaxonomyTerm]]:
    """Every term, grouped by kind and sorted by name (active and deactivated alike)."""
    groups: dict[str, list[TaxonomyTerm]] = {k.value: [] for k in TaxonomyKind}
    for term in db.session.scalars(
        sa.select(TaxonomyTerm).order_by(TaxonomyTerm.name_key, TaxonomyTerm.id)
    ):
        groups.setdefault(term.kind, []).append(term)
    return groups
