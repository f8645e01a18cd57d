"""The demo's CRM import: the sample Salesforce and HubSpot exports under samples/crm,
imported as ``flask import-crm`` would (idempotent by CRM id). Flushes; callers commit."""

from pathlib import Path

import sqlalchemy as sa

from forum.crm.models import CrmImport
from forum.crm.services import Importer
from forum.extensions import db

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "crm"
PAIRS = [
    ("salesforce_accounts.csv", "salesforce_opportunities.csv"),
    ("hubspot_companies.csv", "hubspot_deals.csv"),
]


def seed_crm() -> str:
    """Import the sample exports once; a second seeding imports nothing (and says so)."""
    if db.session.scalar(sa.select(CrmImport.id).limit(1)) is not None:
        return "The CRM samples were imported already."
    done = []
    for accounts, deals in PAIRS:
        if not (SAMPLES / accounts).exists():
            continue  # an installed package without the samples folder
        importer = Importer(source="demo", default_currency="USD")
        with (SAMPLES / accounts).open("rb") as a, (SAMPLES / deals).open("rb") as d:
            for _ in importer.batches(a, d, names=(accounts, deals)):
                pass  # the seed's caller commits once
        files = importer.summary.files
        done.append(
            f"{files['accounts'].created} accounts and {files['opportunities'].created} deals "
            f"from {accounts.split('_')[0].capitalize()}"
        )
    return "Imported from the CRM samples: " + "; ".join(done) + "." if done else ""
