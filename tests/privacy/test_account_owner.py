"""The customer accounts a person owns (from the CRM import): in their export; after an
erasure, or when the user row itself goes, the accounts stay and name no owner."""

import json

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.auth.models import Role, User
from forum.extensions import db
from forum.privacy import erasure, export
from tests import factories


def _world():
    owner = factories.user(Role.REP, email="owner@example.test", password=None)
    other = factories.user(Role.REP, email="other@example.test", password=None)
    theirs = factories.account("Nordwind Freight", crm_id="A-1", owner_id=owner.id)
    kept = factories.account("Other Customer", crm_id="A-2", owner_id=other.id)
    return owner, other, theirs, kept


def test_the_export_lists_the_accounts_they_own(app):
    with app.app_context():
        owner, _, theirs, _ = _world()
        doc = json.loads("".join(export.document(owner.id)))
        assert doc["accounts_owned"] == [
            {"id": theirs.id, "name": "Nordwind Freight", "crm_id": "A-1"}
        ]


def test_an_erased_persons_accounts_stay_without_an_owner(app):
    with app.app_context():
        owner, other, theirs, kept = _world()
        admin = factories.user(Role.ADMIN, password=None)
        done = erasure.erase(owner, actor=admin, confirm=owner.email)
        assert done.removed["account_ownerships"] == 1
        owners = dict(db.session.execute(sa.select(Account.crm_id, Account.owner_id)).all())
        assert owners == {"A-1": None, "A-2": other.id}
        assert db.session.get(Account, theirs.id).name == "Nordwind Freight"


def test_deleting_a_user_row_empties_the_owner_of_their_accounts(app):
    with app.app_context():
        owner, _, theirs, _ = _world()
        db.session.execute(sa.delete(User).where(User.id == owner.id))
        db.session.expire_all()
        assert db.session.get(Account, theirs.id).owner_id is None
