"""An account's owner from the CRM: stored, shown, updated by a re-import, rejected when the
address is no user's; and what the bulk writes of an import leave findable and followed."""

import sqlalchemy as sa

from forum import search
from forum.accounts.models import Account
from forum.auth.models import User
from forum.crm.models import CrmRejection
from forum.extensions import db
from forum.feedback.models import Follow, Post
from tests.crm.conftest import do_import, sample, tally, text

HEADER = "crm_id,name,segment,region,arr,currency,owner_email\n"


def _owner_id(crm_id: str) -> int | None:
    return db.session.scalar(sa.select(Account.owner_id).where(Account.crm_id == crm_id))


def test_the_owners_address_becomes_the_accounts_owner(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"))
        assert _owner_id("GEN-A-1") == org["people"]["jordan.blake@example.com"]


def test_the_owner_is_matched_whatever_the_case_of_the_address(app, org):
    with app.app_context():
        do_import(text(HEADER + "A-1,Acme,,,,,Jordan.Blake@Example.COM\n"))
        assert _owner_id("A-1") == org["people"]["jordan.blake@example.com"]


def test_a_new_owner_in_the_crm_updates_the_account_in_place(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"))
        moved = text(
            HEADER + "GEN-A-1,Example Water Utility,Public sector,North America,250000,USD,"
            "rep@example.com\n"
        )
        importer = do_import(moved)
        assert tally(importer, "accounts") == dict(created=0, updated=1, unchanged=0, rejected=0)
        assert importer.summary.notes == ["accounts row 2: GEN-A-1 updated (owner_id)"]
        assert _owner_id("GEN-A-1") == org["people"]["rep@example.com"]


def test_an_empty_owner_cell_leaves_the_owner_as_it_is(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"))
        importer = do_import(
            text(HEADER + "GEN-A-1,Example Water Utility,Public sector,North America,250000,USD,\n")
        )
        assert tally(importer, "accounts")["unchanged"] == 1
        assert _owner_id("GEN-A-1") == org["people"]["jordan.blake@example.com"]


def test_an_owner_who_is_no_user_rejects_the_row_with_the_reason(app, org):
    with app.app_context():
        importer = do_import(
            text(HEADER + "A-1,Kept,,,,,rep@example.com\nA-2,Left out,,,,,ghost@example.com\n")
        )
        assert tally(importer, "accounts") == dict(created=1, updated=0, unchanged=0, rejected=1)
        [rejection] = db.session.scalars(sa.select(CrmRejection)).all()
        assert (rejection.row, rejection.column) == (3, "owner_email")
        assert "ghost@example.com" in rejection.reason
        assert db.session.scalars(sa.select(Account.crm_id)).all() == ["A-1"]


def test_a_re_import_keeps_rejecting_an_unknown_owner_and_changes_nothing(app, org):
    rows = HEADER + "A-1,Acme,,,,,rep@example.com\n"
    with app.app_context():
        do_import(text(rows))
        again = do_import(text(rows.replace("rep@example.com", "ghost@example.com")))
        assert tally(again, "accounts")["rejected"] == 1
        assert _owner_id("A-1") == org["people"]["rep@example.com"]


def test_the_account_page_names_its_owner(app, client, login, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"))
        account_id = db.session.scalar(sa.select(Account.id).where(Account.crm_id == "GEN-A-1"))
    login("rep")
    page = client.get(f"/accounts/{account_id}").get_data(as_text=True)
    assert "Account owner" in page
    assert "jordan.blake" not in page.split("Account owner")[0]  # the name, not the address
    with app.app_context():
        owner = db.session.get(User, org["people"]["jordan.blake@example.com"])
        assert owner.display_name in page.split("Account owner")[1]


def test_imported_reports_are_findable_and_followed_by_their_reps(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"), sample("generic_opportunities.csv"))
        report = db.session.scalar(sa.select(Post).where(Post.crm_opportunity_id == "GEN-O-1"))
        hits = search.search("meter reading", {"post": None}).hits
        assert [h.target_id for h in hits] == [report.id]
        follows = db.session.execute(sa.select(Follow.user_id, Follow.post_id)).all()
        assert follows == [(report.author_id, report.id)]


def test_a_renamed_account_is_found_under_its_new_name(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"), sample("generic_opportunities.csv"))
        do_import(
            text(
                HEADER + "GEN-A-1,Riverside Waterworks,Public sector,North America,250000,USD,"
                "jordan.blake@example.com\n"
            )
        )
        report = db.session.scalar(sa.select(Post).where(Post.crm_opportunity_id == "GEN-O-1"))
        assert [h.target_id for h in search.search("riverside", {"post": None}).hits] == [report.id]
