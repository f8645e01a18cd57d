"""Idempotency by CRM id, updates in place that never touch a rep's words, unknown taxonomy
names listed for an admin, and one transaction per batch."""

import io

import pytest
import sqlalchemy as sa

from forum.accounts.models import Account
from forum.crm.models import CrmImport, CrmTermName
from forum.crm.services import map_term_name
from forum.extensions import db
from forum.feedback.models import Post
from forum.taxonomy.models import TaxonomyKind, TaxonomyTerm
from tests import factories
from tests.crm.conftest import do_import, sample, tally, text


def _snapshot():
    accounts = db.session.execute(
        sa.select(
            Account.crm_id, Account.name, Account.segment, Account.arr, Account.region_id
        ).order_by(Account.crm_id)
    ).all()
    posts = db.session.execute(
        sa.select(
            Post.crm_opportunity_id,
            Post.title,
            Post.body,
            Post.outcome,
            Post.deal_value,
            Post.competitor_id,
            Post.closed_on,
        ).order_by(Post.crm_opportunity_id)
    ).all()
    return accounts, posts


def test_importing_the_same_files_twice_changes_nothing(app, org):
    with app.app_context():
        do_import(sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv"))
        before = _snapshot()
        again = do_import(sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv"))
        assert tally(again, "accounts") == dict(created=0, updated=0, unchanged=5, rejected=0)
        assert tally(again, "opportunities") == dict(created=0, updated=0, unchanged=5, rejected=0)
        assert _snapshot() == before


def test_a_changed_row_updates_in_place_and_says_which_fields(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"))
        changed = text(
            "crm_id,name,segment,region,arr,currency,owner_email\n"
            "GEN-A-1,Example Water Utility,Public sector,North America,275000,USD,\n"
        )
        importer = do_import(changed)
        assert tally(importer, "accounts") == dict(created=0, updated=1, unchanged=0, rejected=0)
        assert importer.summary.notes == ["accounts row 2: GEN-A-1 updated (arr)"]
        accounts = db.session.scalars(sa.select(Account).where(Account.crm_id == "GEN-A-1"))
        assert [str(a.arr) for a in accounts] == ["275000.00"]


def test_an_import_never_overwrites_what_a_rep_wrote(app, org):
    with app.app_context():
        do_import(sample("generic_accounts.csv"))
        rep = db.session.get(factories.User, org["people"]["jordan.blake@example.com"])
        report = factories.post(
            "win_loss",
            author=rep,
            title="Lost the water utility to their IT team",
            body="They built it in-house; our demo came too late.",
            outcome="open",
            crm_opportunity_id="GEN-O-1",
        )
        db.session.commit()
        importer = do_import(sample("generic_accounts.csv"), sample("generic_opportunities.csv"))
        assert tally(importer, "opportunities")["updated"] == 1
        db.session.refresh(report)
        assert report.outcome == "no_decision"
        assert report.title == "Lost the water utility to their IT team"
        assert report.body == "They built it in-house; our demo came too late."
        assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 1


def test_an_account_a_rep_named_gets_its_crm_id_instead_of_a_twin(app, org):
    with app.app_context():
        typed = factories.account("example water utility", crm_id=None)
        db.session.commit()
        importer = do_import(sample("generic_accounts.csv"))
        assert tally(importer, "accounts")["updated"] == 1
        assert db.session.scalars(sa.select(Account.id)).all() == [typed.id]
        assert typed.crm_id == "GEN-A-1"


def test_unknown_competitors_and_reasons_are_listed_never_created(app, org):
    with app.app_context():
        terms_before = db.session.scalar(sa.select(sa.func.count(TaxonomyTerm.id)))
        importer = do_import(
            sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv")
        )
        assert importer.summary.unmapped == {
            "competitor": {"Acme Freight Cloud"},
            "reason": {"Missed go-live date", "Chose a cheaper regional carrier"},
        }
        assert db.session.scalar(sa.select(sa.func.count(TaxonomyTerm.id))) == terms_before
        waiting = db.session.scalars(
            sa.select(CrmTermName.name).where(CrmTermName.term_id.is_(None))
        ).all()
        assert sorted(waiting) == [
            "Acme Freight Cloud",
            "Chose a cheaper regional carrier",
            "Missed go-live date",
        ]
        deal = db.session.scalar(
            sa.select(Post).where(Post.crm_opportunity_id == "0065g00000GV0001")
        )
        assert deal.competitor_id is None  # imported all the same


def test_a_mapped_name_applies_on_the_next_run(app, org):
    with app.app_context():
        do_import(sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv"))
        entry = db.session.scalar(
            sa.select(CrmTermName).where(CrmTermName.name == "Acme Freight Cloud")
        )
        globex = db.session.get(TaxonomyTerm, org["terms"]["Globex Suite"])
        map_term_name(entry, globex, actor=None)
        db.session.commit()
        importer = do_import(
            sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv")
        )
        assert tally(importer, "opportunities")["updated"] == 1
        assert "competitor" not in importer.summary.unmapped
        deal = db.session.scalar(
            sa.select(Post).where(Post.crm_opportunity_id == "0065g00000GV0001")
        )
        assert deal.competitor_id == globex.id


def test_taxonomy_names_match_without_accents_or_case(app, org):
    with app.app_context():
        factories.term(TaxonomyKind.COMPETITOR, "Sólido Logística")
        db.session.commit()
        do_import(sample("generic_accounts.csv"))
        importer = do_import(
            None,
            text(
                "crm_id,account_crm_id,owner_email,outcome,competitor\n"
                "O-9,GEN-A-1,jordan.blake@example.com,lost,SOLIDO  logistica\n"
            ),
        )
        assert importer.summary.unmapped == {}
        deal = db.session.scalar(sa.select(Post).where(Post.crm_opportunity_id == "O-9"))
        assert deal.competitor.name == "Sólido Logística"


def test_a_failure_in_a_batch_keeps_the_batches_before_it_and_none_of_its_own(app, org):
    rows = "".join(f"A-{i},Account {i},,,,,\n" for i in range(1, 6))
    rows = rows.replace("A-4,Account 4,,,,,", 'A-4,=HYPERLINK("x"),,,,,')

    def boom(rejection):
        raise RuntimeError("the database went away")

    with app.app_context():
        with pytest.raises(RuntimeError):
            do_import(
                text("crm_id,name,segment,region,arr,currency,owner_email\n" + rows),
                batch_size=2,
                on_reject=boom,
            )
        names = db.session.scalars(sa.select(Account.crm_id).order_by(Account.crm_id)).all()
        assert names == ["A-1", "A-2"]  # batch 1 committed; A-3 of batch 2 rolled back


def test_a_dry_run_stores_nothing(app, org):
    with app.app_context():
        importer = do_import(
            sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv"), dry_run=True
        )
        assert (
            tally(importer, "opportunities")["created"] == 5
        )  # the opportunities found their accounts
        assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(CrmImport.id))) == 0


def test_a_run_is_stored_with_its_summary_and_audited(app, org):
    with app.app_context():
        importer = do_import(sample("generic_accounts.csv"))
        run = db.session.get(CrmImport, importer.run_id)
        assert run.finished_at is not None
        assert run.summary["files"]["accounts"]["created"] == 1
        assert run.formats == "accounts: generic"


def test_batches_do_not_change_the_result(app, org):
    with app.app_context():
        importer = do_import(
            sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv"), batch_size=1
        )
        assert tally(importer, "accounts")["created"] == 5
        assert tally(importer, "opportunities")["created"] == 5


def test_a_blank_file_says_it_has_no_header(app, org):
    from forum.crm.results import ImportError_

    with app.app_context(), pytest.raises(ImportError_, match="no header"):
        do_import(io.BytesIO(b""))
