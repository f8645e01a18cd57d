"""A small organisation the CRM samples name: the sales regions, their reps, the taxonomy."""

import io
from pathlib import Path

import pytest

from forum.auth.models import Role, TeamKind
from forum.crm.commands import run
from forum.crm.services import Importer
from forum.extensions import db
from forum.taxonomy.models import ReasonBranch, TaxonomyKind
from tests import factories

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "crm"
REPS = {
    "LATAM": ["lucas.souza@example.com"],
    "EMEA": ["tom.fischer@example.com", "sofia.marin@example.com"],
    "APAC": ["mei.tanaka@example.com", "arjun.rao@example.com"],
    "North America": ["jordan.blake@example.com", "rep@example.com"],
}


@pytest.fixture
def org(app):
    """Regions, reps (no password: hashing is slow) and a few taxonomy terms."""
    with app.app_context():
        people = {}
        for region, emails in REPS.items():
            team = factories.team(TeamKind.SALES, name=region)
            for email in emails:
                people[email] = factories.user(Role.REP, team_obj=team, email=email, password=None)
        terms = {}
        for name in [
            "Globex Suite",
            "Soylent ERP",
            "Northwind Logistics Cloud",
            "Initech Operations Platform",
            "Vandelay Supply Chain",
            "An in-house build",
        ]:
            terms[name] = factories.term(TaxonomyKind.COMPETITOR, name).id
        for name in ["Price too high", "Missing integration with their ERP"]:
            terms[name] = factories.term(TaxonomyKind.REASON, name, branch=ReasonBranch.PRICE).id
        db.session.commit()
        ids = {"terms": terms, "people": {e: u.id for e, u in people.items()}}
    return ids


def sample(name: str) -> io.BytesIO:
    return io.BytesIO((SAMPLES / name).read_bytes())


def text(content: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(content.encode(encoding))


def do_import(accounts=None, opportunities=None, **options) -> Importer:
    """Run an import as the command does (a commit per batch); returns the importer."""
    importer = Importer(**options)
    run(importer, accounts, opportunities, names=("accounts.csv", "opportunities.csv"))
    return importer


def tally(importer: Importer, kind: str) -> dict:
    return importer.summary.files[kind].as_dict()
