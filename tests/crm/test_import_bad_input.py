"""Bad input: each bad row is rejected with its row, column and reason; the rest imports."""

import codecs
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from forum.accounts.models import Account
from forum.crm.results import ImportError_, report_writer
from forum.crm.values import CellError, amount, day
from forum.extensions import db
from tests.crm.conftest import do_import, tally, text

HEADER = "crm_id,name,segment,region,arr,currency,owner_email\n"
GOOD = "A-1,Banco Austral,Enterprise,LATAM,1000,BRL,lucas.souza@example.com\n"


def _names():
    return db.session.scalars(sa.select(Account.name).order_by(Account.crm_id)).all()


def _rejections(importer):
    from forum.crm.models import CrmRejection

    return [
        (r.row, r.column, r.reason)
        for r in db.session.scalars(
            sa.select(CrmRejection)
            .where(CrmRejection.import_id == importer.run_id)
            .order_by(CrmRejection.row)
        )
    ]


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF8 + (HEADER + "A-1,Alpenglühen AG,,,,,\n").encode("utf-8"),
        (HEADER + "A-1,Alpenglühen AG,,,,,\n").encode("latin-1"),
        (HEADER + "A-1,Alpenglühen AG,,,,,\n").replace(",", "\t").encode("utf-16"),
        (HEADER + "A-1,Alpenglühen AG,,,,,\n").replace(",", ";").encode("cp1252"),
        (HEADER + "A-1,Alpenglühen AG,,,,,\n").replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8-bom", "latin1", "utf16-excel-tabs", "semicolons-cp1252", "crlf"],
)
def test_encodings_and_delimiters_are_recognised(app, org, encoded):
    with app.app_context():
        importer = do_import(io.BytesIO(encoded))
        assert tally(importer, "accounts")["created"] == 1
        assert _names() == ["Alpenglühen AG"]


def test_missing_required_columns_stop_the_file_with_the_header_it_has(app, org):
    with app.app_context(), pytest.raises(ImportError_, match="lacks required columns: crm_id"):
        do_import(text("name,segment\nBanco Austral,Enterprise\n"))


def test_an_opportunities_file_needs_an_outcome_or_a_stage(app, org):
    with app.app_context(), pytest.raises(ImportError_, match="outcome or stage"):
        do_import(None, text("crm_id,account_crm_id,owner_email\nO-1,A-1,x@example.com\n"))


def test_bad_rows_are_rejected_with_reasons_and_the_rest_imported(app, org):
    rows = [
        GOOD,
        "A-1,Banco Austral again,,,,,\n",  # 3: duplicate CRM id
        'A-3,"=HYPERLINK(""http://evil.example"",""click"")",,,,,\n',  # 4: formula
        "A-4,Unknown Owner Inc,,,,,nobody@example.com\n",  # 5
        "A-5,Bad Segment Ltd,Galactic,,,,\n",  # 6
        "A-6,Nowhere Corp,,Atlantis,,,\n",  # 7
        "A-7,Bad Money SA,,,twelve,,\n",  # 8
        "A-8,Minus Money SA,,,-5,,\n",  # 9
        "A-9,Wrong Code SA,,,100,ZZZ,\n",  # 10
        ",No Id Ltd,,,,,\n",  # 11
        "A-11," + "x" * 121 + ",,,,,\n",  # 12: too long a name
        'A-12,Fine Again GmbH,SMB,EMEA,"€ 12.500,50",,tom.fischer@example.com\n',  # 13
    ]
    with app.app_context():
        importer = do_import(text(HEADER + "".join(rows)))
        assert tally(importer, "accounts") == dict(created=2, updated=0, unchanged=0, rejected=10)
        assert _names() == ["Banco Austral", "Fine Again GmbH"]
        got = {row: (column, reason) for row, column, reason in _rejections(importer)}
        assert got[3] == ("crm_id", "CRM id A-1 is already in row 2 of this file.")
        assert got[4] == ("name", "a spreadsheet formula, not a value.")
        assert got[5][0] == "owner_email" and "nobody@example.com" in got[5][1]
        assert got[6][0] == "segment"
        assert got[7] == ("region", "no sales region is named “Atlantis”.")
        assert got[8][0] == got[9][0] == got[10][0] == "arr"
        assert "negative" in got[9][1] and "ZZZ" in got[10][1]
        assert got[11] == ("crm_id", "required, but empty.")
        assert got[12] == ("name", "longer than 120 characters.")
        fine = db.session.scalar(sa.select(Account).where(Account.crm_id == "A-12"))
        assert (fine.arr, fine.arr_currency) == (Decimal("12500.50"), "EUR")


def test_a_ten_megabyte_cell_costs_one_row(app, org):
    huge = "A-2,Huge," + "x" * (10 * 1024 * 1024) + ",,,,\n"
    with app.app_context():
        importer = do_import(text(HEADER + GOOD + huge + "A-3,After The Huge One,,,,,\n"))
        assert tally(importer, "accounts") == dict(created=2, updated=0, unchanged=0, rejected=1)
        assert _names() == ["Banco Austral", "After The Huge One"]
        ((row, _column, reason),) = _rejections(importer)
        assert row == 3 and "longer than" in reason


def test_a_quoted_cell_past_the_csv_limit_is_one_unreadable_row(app, org):
    big = 'A-2,"' + "y" * 200_000 + '",,,,,\n'
    with app.app_context():
        importer = do_import(text(HEADER + GOOD + big + "A-3,Still Here,,,,,\n"))
        assert "Still Here" in _names()
        assert tally(importer, "accounts")["rejected"] == 1


def test_a_bad_opportunity_row_names_its_column(app, org):
    with app.app_context():
        do_import(text(HEADER + GOOD))
        deals = (
            "crm_id,account_crm_id,owner_email,amount,currency,stage,close_date\n"
            'O-1,A-1,lucas.souza@example.com,"$1,250,000.00",,Closed Won,31/03/2026\n'
            "O-2,A-404,lucas.souza@example.com,10,USD,Closed Won,2026-03-31\n"
            "O-3,A-1,ghost@example.com,10,USD,Closed Won,2026-03-31\n"
            "O-4,A-1,lucas.souza@example.com,10,USD,Daydreaming,2026-03-31\n"
            "O-5,A-1,lucas.souza@example.com,10,USD,Closed Lost,31st of never\n"
            "O-6,A-1,lucas.souza@example.com,€10,USD,Closed Lost,2026-02-30\n"
        )
        importer = do_import(None, text(deals))
        assert tally(importer, "opportunities")["created"] == 1
        got = {row: column for row, column, _ in _rejections(importer) if row > 1}
        assert got == {
            3: "account_crm_id",
            4: "owner_email",
            5: "stage",
            6: "close_date",
            7: "amount",  # € in the cell, USD in the currency column
        }


def test_the_rejected_rows_report_is_csv_a_spreadsheet_cannot_run(app, org):
    out = io.StringIO()
    with app.app_context():
        do_import(
            text(HEADER + "A-1,=1+1,,,,,\n" + "A-2,Ok,,,,,nobody@example.com\n"),
            on_reject=report_writer(out),
        )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["file", "row", "column", "reason"]
    assert rows[1][:3] == ["accounts", "2", "name"]
    assert rows[2][:3] == ["accounts", "3", "owner_email"]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    "cell, currency, expected",
    [
        ("1,250,000.00", "", (Decimal("1250000.00"), "USD")),
        ("1.250.000,00", "EUR", (Decimal("1250000.00"), "EUR")),
        ("$1,250", "", (Decimal("1250"), "USD")),
        ("EUR 25 000", "", (Decimal("25000"), "EUR")),
        ("25 000 €", "", (Decimal("25000"), "EUR")),
        ("£3,000.50", "GBP", (Decimal("3000.50"), "GBP")),
        ("1'250'000", "CHF", (Decimal("1250000"), "CHF")),
        ("R$ 1.000,00", "", (Decimal("1000.00"), "BRL")),
        ("1250,5", "EUR", (Decimal("1250.5"), "EUR")),
    ],
)
def test_amounts_with_separators_and_symbols(cell, currency, expected):
    assert amount(cell, currency, "USD", field="Amount") == expected


@pytest.mark.parametrize("cell", ["", "abc", "1e30", "NaN", "(100)", "1,2,3.4.5", "¥100 EUR"])
def test_amounts_that_are_refused(cell):
    with pytest.raises(CellError):
        amount(cell, "", "USD", field="Amount")


@pytest.mark.parametrize(
    "cell, day_first, expected",
    [
        ("2026-03-31", False, date(2026, 3, 31)),
        ("2026-03-31T10:00:00Z", False, date(2026, 3, 31)),
        ("3/31/2026", False, date(2026, 3, 31)),
        ("31/03/2026", False, date(2026, 3, 31)),
        ("03/04/2026", False, date(2026, 3, 4)),
        ("03/04/2026", True, date(2026, 4, 3)),
        ("31.03.2026", False, date(2026, 3, 31)),
        ("Mar 31, 2026", False, date(2026, 3, 31)),
        ("31 March 2026", False, date(2026, 3, 31)),
        ("2026/03/31", False, date(2026, 3, 31)),
    ],
)
def test_dates_in_several_formats(cell, day_first, expected):
    assert day(cell, day_first=day_first) == expected


@pytest.mark.parametrize("cell", ["2026-02-30", "13/13/2026", "yesterday", "٣/٣/٢٠٢٦"])
def test_dates_that_are_refused(cell):
    with pytest.raises(CellError):
        day(cell)
