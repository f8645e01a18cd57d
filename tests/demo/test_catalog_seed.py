"""Demo accounts, taxonomies and catalog entries: believable, some stale, seeded idempotently."""

import re
from collections import Counter

import pytest
import sqlalchemy as sa

from forum.accounts.models import Account, Segment
from forum.auth.models import Team, TeamKind
from forum.catalog.models import Commitment
from forum.demo import seed
from forum.extensions import db
from forum.taxonomy.models import ReasonBranch, TaxonomyTerm

pytestmark = pytest.mark.slow  # a long module: scheduled first (tests/conftest.py)


@pytest.fixture(scope="module")
def demo_world(module_app):
    """The demo seeded once for the module and committed."""
    with module_app.app_context():
        seed("demo-password")
        db.session.commit()


@pytest.fixture
def seeded(app, demo_world):
    """An app context on top of the demo (the test's writes are rolled back)."""
    with app.app_context():
        yield


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seeding_twice_adds_nothing_the_second_time(seeded):
    before = [_count(m) for m in (Account, TaxonomyTerm, Commitment)]
    summary = seed("demo-password")
    assert [_count(m) for m in (Account, TaxonomyTerm, Commitment)] == before
    assert "Added 0 accounts, 0 taxonomy terms and 0 catalog entries." in summary


def test_about_forty_accounts_cover_every_segment_and_sales_region(seeded):
    from forum.demo.catalog import ACCOUNTS

    assert 35 <= len(ACCOUNTS) <= 45
    accounts = db.session.scalars(sa.select(Account)).all()
    assert len(accounts) >= len(ACCOUNTS)  # and the ones demo stories name in passing
    assert {a.segment for a in accounts} == {s.value for s in Segment}
    regions = {a.region for a in accounts}
    assert len(regions) == 4 and all(r.kind == TeamKind.SALES for r in regions)
    assert all(a.arr and a.arr > 0 for a in accounts)


def test_demo_crm_ids_look_like_crm_ids_and_are_unique(seeded):
    crm_ids = db.session.scalars(sa.select(Account.crm_id)).all()
    # the demo's own ids, and those of the sample Salesforce and HubSpot exports (samples/crm)
    assert all(re.fullmatch(r"001[56]g00000[0-9A-Za-z]{6,7}|[0-9]{10}", c) for c in crm_ids)
    assert len(set(crm_ids)) == len(crm_ids)


def test_every_reason_branch_has_reasons_including_delivery_ones(seeded):
    reasons = db.session.scalars(sa.select(TaxonomyTerm).where(TaxonomyTerm.kind == "reason"))
    by_branch = Counter(t.branch for t in reasons)
    assert set(by_branch) == {b.value for b in ReasonBranch}
    delivery = set(
        db.session.scalars(
            sa.select(TaxonomyTerm.name).where(TaxonomyTerm.branch == ReasonBranch.DELIVERY)
        )
    )
    assert {"Late delivery on a previous order", "Onboarding took too long", "Billing errors"} <= (
        delivery
    )


def test_competitors_and_root_causes_are_seeded(seeded):
    names = set(db.session.scalars(sa.select(TaxonomyTerm.name)))
    assert {"Northwind Logistics Cloud", "Globex Suite"} <= names
    assert {"Capacity", "Process gap", "Tooling", "Communication", "Supplier", "Training"} <= names


def test_every_operations_team_publishes_three_to_five_entries_with_an_owner(seeded):
    teams = db.session.scalars(sa.select(Team).where(Team.kind == TeamKind.OPERATIONS)).all()
    for team in teams:
        entries = db.session.scalars(
            sa.select(Commitment).where(Commitment.team_id == team.id)
        ).all()
        assert 3 <= len(entries) <= 5, team.name
        assert all(e.owner is not None and e.owner.team_id == team.id for e in entries)


def test_some_demo_entries_are_stale_and_most_are_not(seeded):
    entries = db.session.scalars(sa.select(Commitment)).all()
    stale = [e for e in entries if e.is_stale()]
    assert 0 < len(stale) < len(entries) / 2


def test_the_demo_imports_the_crm_samples_once(seeded):
    from forum.crm.models import CrmImport
    from forum.demo.crm import seed_crm
    from forum.feedback.models import Post

    banco = db.session.scalar(sa.select(Account).where(Account.crm_id == "0015g00000BncAus1"))
    assert banco is not None and banco.name == "Banco Austral"
    # The demo's Banco Austral is the sample's: one account of the name, updated by the import.
    same_name = sa.select(sa.func.count(Account.id)).where(Account.name == "Banco Austral")
    assert db.session.scalar(same_name) == 1
    deal = db.session.scalar(sa.select(Post).where(Post.crm_opportunity_id == "7200000002"))
    assert deal.outcome == "won"
    runs = db.session.scalar(sa.select(sa.func.count(CrmImport.id)))
    assert seed_crm() == "The CRM samples were imported already."
    assert db.session.scalar(sa.select(sa.func.count(CrmImport.id))) == runs
