"""``flask import-crm``: a summary, a rejected-rows file, a dry run, clear refusals."""

import csv

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.extensions import db
from tests.crm.conftest import SAMPLES


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["import-crm", *map(str, args)])


def test_the_command_imports_and_prints_a_summary(app, org):
    result = _invoke(app, SAMPLES / "hubspot_companies.csv", SAMPLES / "hubspot_deals.csv")
    assert result.exit_code == 0, result.output
    assert "accounts (hubspot): 3 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert "opportunities (hubspot): 3 created" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 3
    again = _invoke(app, SAMPLES / "hubspot_companies.csv", SAMPLES / "hubspot_deals.csv")
    assert "accounts (hubspot): 0 created, 0 updated, 3 unchanged, 0 rejected" in again.output


def test_a_dry_run_counts_and_stores_nothing(app, org):
    result = _invoke(app, SAMPLES / "salesforce_accounts.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was stored." in result.output
    assert "5 created" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0


def test_the_rejected_rows_go_to_a_csv_file(app, org, tmp_path):
    source = tmp_path / "accounts.csv"
    source.write_text("crm_id,name,owner_email\nA-1,Fine,\nA-2,Ghost Owned,ghost@example.com\n")
    report = tmp_path / "rejected.csv"
    result = _invoke(app, source, "--rejected", report)
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    rows = list(csv.reader(report.open()))
    assert rows[0] == ["file", "row", "column", "reason"]
    assert rows[1][:3] == ["accounts", "3", "owner_email"]


def test_a_file_without_the_required_columns_is_a_clear_error(app, org, tmp_path):
    source = tmp_path / "accounts.csv"
    source.write_text("Company,Owner\nX,Y\n")
    result = _invoke(app, source)
    assert result.exit_code == 1
    assert "lacks required columns" in result.stderr


def test_unknown_competitors_are_printed_for_an_admin(app, org):
    result = _invoke(
        app, SAMPLES / "salesforce_accounts.csv", SAMPLES / "salesforce_opportunities.csv"
    )
    assert "Unknown competitors (map them on the admin page, then re-run): Acme Freight Cloud" in (
        result.output
    )
