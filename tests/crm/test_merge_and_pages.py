"""Merging two accounts, and the admin pages of the CRM import."""

import csv
import io

import sqlalchemy as sa

from forum.accounts.models import Account
from forum.core.audit import AuditEntry
from forum.crm.models import CrmImport, CrmTermName
from forum.extensions import db
from forum.feedback.models import Corroboration, Post
from tests import factories
from tests.crm.conftest import SAMPLES
from tests.pagecheck import page_problems


def _pair(app):
    with app.app_context():
        typo = factories.account("Banco Austrl", crm_id=None, segment="", arr=None)
        real = factories.account("Banco Austral", crm_id="0015g00000BncAus1", segment="")
        typo.segment = "enterprise"
        report = factories.post("broken_promise", account=typo)
        factories.corroboration(report, account=typo)
        db.session.commit()
        return typo.id, real.id, report.id


def test_an_admin_merges_a_misspelt_account_and_its_reports_follow(app, client, login):
    who = login("admin")
    typo, real, report = _pair(app)
    response = client.post(
        f"/admin/crm/accounts/{typo}/merge",
        data={"account": "Banco Austral", "reason": "Same bank, typed wrong"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Account, typo) is None
        kept = db.session.get(Account, real)
        assert kept.segment == "enterprise"  # a fact the target lacked
        assert db.session.get(Post, report).account_id == real
        assert db.session.scalars(sa.select(Corroboration.account_id)).all() == [real]
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.merge"))
        assert (entry.actor_id, entry.target_id, entry.reason) == (
            who.id,
            real,
            "Same bank, typed wrong",
        )
        assert entry.details["source_name"] == "Banco Austrl"
        assert entry.details["posts"] == [report]


def test_an_account_cannot_be_merged_into_itself(app, client, login):
    login("admin")
    typo, _real, _report = _pair(app)
    response = client.post(
        f"/admin/crm/accounts/{typo}/merge",
        data={"account_id": str(typo), "account": "Banco Austrl", "reason": "Why not at all"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Account, typo) is not None


def test_merging_into_a_misspelt_name_offers_the_right_one(app, client, login):
    login("admin")
    typo, _real, _report = _pair(app)
    response = client.post(
        f"/admin/crm/accounts/{typo}/merge",
        data={"account": "Banco Australl", "reason": "Same bank, typed wrong"},
    )
    assert response.status_code == 400
    assert "Did you mean Banco Austral" in response.get_data(as_text=True)


def test_leaders_may_not_merge_accounts(app, client, login):
    login("leader")
    typo, real, _report = _pair(app)
    response = client.post(
        f"/admin/crm/accounts/{typo}/merge",
        data={"account_id": str(real), "account": "Banco Austral", "reason": "Same bank"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Account, typo) is not None


def _upload(client, accounts, opportunities=None, **fields):
    data = {"accounts": (io.BytesIO((SAMPLES / accounts).read_bytes()), accounts), **fields}
    if opportunities:
        data["opportunities"] = (
            io.BytesIO((SAMPLES / opportunities).read_bytes()),
            opportunities,
        )
    return client.post("/admin/crm/import", data=data, content_type="multipart/form-data")


def test_an_admin_uploads_exports_and_reads_the_summary(app, client, login, org):
    login("admin")
    response = _upload(client, "salesforce_accounts.csv", "salesforce_opportunities.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Accounts (salesforce)" in page
    assert "Acme Freight Cloud" in page  # an unknown competitor, listed for mapping
    assert page_problems(page) == []
    index = client.get("/admin/crm/").get_data(as_text=True)
    assert "Missed go-live date" in index
    assert page_problems(index) == []


def test_a_dry_run_upload_stores_nothing(app, client, login, org):
    login("admin")
    response = _upload(client, "hubspot_companies.csv", dry_run="y")
    assert response.status_code == 200
    assert "Dry run: nothing was stored" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Account.id))) == 0


def test_the_rejected_rows_report_downloads_as_csv(app, client, login, org):
    login("admin")
    data = {
        "accounts": (
            io.BytesIO(b"crm_id,name,owner_email\nA-1,=cmd|calc,\nA-2,Fine,ghost@example.com\n"),
            "accounts.csv",
        )
    }
    response = client.post("/admin/crm/import", data=data, content_type="multipart/form-data")
    run_url = response.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "a spreadsheet formula, not a value." in page
    download = client.get(run_url + "/rejected.csv")
    assert download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert rows[0] == ["file", "row", "column", "reason"]
    assert [r[:3] for r in rows[1:]] == [
        ["accounts", "2", "name"],
        ["accounts", "3", "owner_email"],
    ]


def test_a_file_without_required_columns_is_a_form_error(app, client, login, org):
    login("admin")
    data = {"accounts": (io.BytesIO(b"Company,Owner\nX,Y\n"), "accounts.csv")}
    response = client.post("/admin/crm/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "lacks required columns" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CrmImport.id))) == 0


def test_an_admin_maps_a_crm_name_to_a_term(app, client, login, org):
    login("admin")
    _upload(client, "salesforce_accounts.csv", "salesforce_opportunities.csv")
    with app.app_context():
        entry = db.session.scalar(
            sa.select(CrmTermName).where(CrmTermName.name == "Acme Freight Cloud")
        )
        entry_id = entry.id
    globex = org["terms"]["Globex Suite"]
    response = client.post(f"/admin/crm/names/{entry_id}", data={"term_id": globex})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(CrmTermName, entry_id).term_id == globex
    reason = org["terms"]["Price too high"]  # a reason is no competitor
    with app.app_context():
        other = db.session.scalar(
            sa.select(CrmTermName).where(CrmTermName.name == "Missed go-live date")
        ).id
    wrong = client.post(f"/admin/crm/names/{other}", data={"term_id": globex})
    assert wrong.status_code == 400
    assert reason  # the right kind would be accepted; the wrong one changed nothing
    with app.app_context():
        assert db.session.get(CrmTermName, other).term_id is None
