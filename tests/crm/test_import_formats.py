"""The Salesforce, HubSpot and generic exports become accounts and win/loss records."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.extensions import db
from forum.feedback.models import Post, PostKind, PostStatus
from tests.crm.conftest import do_import, sample, tally


def _account(crm_id):
    return db.session.scalar(sa.select(Account).where(Account.crm_id == crm_id))


def _deal(crm_id):
    return db.session.scalar(sa.select(Post).where(Post.crm_opportunity_id == crm_id))


def test_a_salesforce_export_becomes_accounts_and_win_loss_reports(app, org):
    with app.app_context():
        importer = do_import(
            sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv")
        )
        assert importer.summary.formats == {
            "accounts": "salesforce",
            "opportunities": "salesforce",
        }
        assert tally(importer, "accounts") == dict(created=5, updated=0, unchanged=0, rejected=0)
        assert tally(importer, "opportunities")["created"] == 5
        banco = _account("0015g00000BncAus1")
        assert (banco.name, banco.segment, banco.region.name) == (
            "Banco Austral",
            "enterprise",
            "LATAM",
        )
        assert (banco.arr, banco.arr_currency) == (Decimal("4200000.00"), "BRL")
        assert _account("0015g00000AlpKlz2").name == "Alpenglühen Kliniken AG"
        lost = _deal("0065g00000BA0001")
        assert lost.kind == PostKind.WIN_LOSS
        assert lost.status == PostStatus.NOTED  # imported deals do not flood the triage inbox
        assert (lost.outcome, lost.deal_value, lost.currency) == (
            "lost",
            Decimal("1200000.00"),
            "BRL",
        )
        assert lost.account_id == banco.id
        assert lost.author_id == org["people"]["lucas.souza@example.com"]
        assert lost.closed_on == date(2026, 9, 30)  # 9/30/2026, Salesforce's US format
        assert lost.competitor_id == org["terms"]["Globex Suite"]
        assert lost.title == "Banco Austral — treasury rollout"
        assert _deal("0065g00000BA0002").outcome == "won"
        open_deal = _deal("0065g00000TF0001")
        assert (open_deal.outcome, open_deal.stage) == ("open", "negotiation")


def test_competitor_names_match_terms_ignoring_case(app, org):
    with app.app_context():
        do_import(sample("salesforce_accounts.csv"), sample("salesforce_opportunities.csv"))
        deal = _deal("0065g00000AK0001")  # "soylent erp" in the file
        assert deal.competitor_id == org["terms"]["Soylent ERP"]
        assert deal.primary_reason_id == org["terms"]["Price too high"]


def test_a_hubspot_export_is_read_with_its_own_headers_and_stages(app, org):
    with app.app_context():
        importer = do_import(sample("hubspot_companies.csv"), sample("hubspot_deals.csv"))
        assert importer.summary.formats == {"accounts": "hubspot", "opportunities": "hubspot"}
        assert tally(importer, "accounts")["created"] == 3
        assert tally(importer, "opportunities")["created"] == 3
        koru = _account("9100000001")
        assert (koru.segment, koru.region.name, koru.arr_currency) == (
            "mid_market",
            "APAC",
            "AUD",
        )
        lost = _deal("7200000001")
        assert lost.account_id == koru.id
        assert lost.primary_reason_id == org["terms"]["Missing integration with their ERP"]
        assert lost.closed_on == date(2026, 9, 12)
        contract = _deal("7200000003")  # "contractsent": HubSpot's internal stage name
        assert (contract.outcome, contract.stage) == ("open", "contract")


def test_the_generic_layout_reads_an_explicit_outcome(app, org):
    with app.app_context():
        importer = do_import(sample("generic_accounts.csv"), sample("generic_opportunities.csv"))
        assert importer.summary.formats == {"accounts": "generic", "opportunities": "generic"}
        deal = _deal("GEN-O-1")
        assert (deal.outcome, deal.stage, deal.deal_value) == (
            "no_decision",
            "proposal",
            Decimal("60000"),
        )
        assert deal.competitor_id == org["terms"]["An in-house build"]
        assert _account("GEN-A-1").segment == "public_sector"


def test_an_accounts_file_alone_imports_accounts(app, org):
    with app.app_context():
        importer = do_import(sample("generic_accounts.csv"))
        assert list(importer.summary.files) == ["accounts"]
        assert _account("GEN-A-1") is not None
