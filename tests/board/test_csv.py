"""CSV exports: the same filters and shielding as the pages, and no spreadsheet formulas."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from forum.accounts.models import Account
from forum.auth.models import TeamKind
from forum.core.csvsafe import neutralise
from forum.extensions import db
from forum.fixes.models import FixEvent
from tests import factories
from tests.board.world import FixRec, PostRec, apply_move, store_fixes, store_posts

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_could_run_gets_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Acme", "1", "", " =not first", "a=b"])
def test_an_ordinary_cell_is_left_as_it_is(cell):
    assert neutralise(cell) == cell


def test_an_instant_is_written_in_utc():
    assert neutralise(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


@pytest.fixture
def org(app):
    """An ops team, two regions, a shielded rep and an open rep, each with a report."""
    with app.app_context():
        ops = factories.team(TeamKind.OPERATIONS, name="Shipping")
        emea = factories.team(TeamKind.SALES, name="EMEA")
        apac = factories.team(TeamKind.SALES, name="APAC")
        shy = factories.user("rep", team_obj=emea, display_name="Sam Shielded")
        open_rep = factories.user("rep", team_obj=apac, display_name="Olga Open")
        leader = factories.user("leader")
        acme = Account(name="@Acme", name_key="@acme", segment="smb")
        db.session.add(acme)
        db.session.flush()
        rec = FixRec(0, ops.id, "P1", NOW - timedelta(days=10), NOW - timedelta(days=1))
        apply_move(rec, NOW - timedelta(days=9), "acknowledged")
        store_fixes([rec], leader.id)
        posts = [
            PostRec(
                0,
                "broken_promise",
                "linked",
                shy.id,
                emea.id,
                ops.id,
                acme.id,
                NOW - timedelta(days=11),
                fix_id=rec.id,
                shielded=True,
                revenue_at_risk=Decimal(5000),
                title='=HYPERLINK("http://evil")',
            ),
            PostRec(
                0,
                "field_feedback",
                "new",
                open_rep.id,
                apac.id,
                None,
                None,
                NOW - timedelta(days=2),
                title="-Prices are too high",
            ),
        ]
        store_posts(posts)
        db.session.add(
            FixEvent(
                fix_id=rec.id,
                seq=10,
                at=NOW - timedelta(days=3),
                actor_id=shy.id,
                kind="status",
                from_value="resolved",
                to_value="reopened",
                note="+ it did not hold",
                details={},
                hash="0" * 64,
            )
        )
        db.session.commit()
        return dict(
            ops=ops.id,
            emea=emea.id,
            apac=apac.id,
            fix=rec.id,
            shielded_post=posts[0].id,
            shy=shy.email,
        )


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_reports_export_neutralises_formulas_in_titles_and_names(client, login, org):
    login("leader")
    rows = _rows(client.get("/board/export/posts.csv"))
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[org["shielded_post"]]["title"] == '\'=HYPERLINK("http://evil")'
    assert by_id[org["shielded_post"]]["account"] == "'@Acme"
    assert "'-Prices are too high" in {r["title"] for r in rows}


def test_the_reports_export_shows_a_shielded_author_as_a_verified_rep_of_the_region(
    client, login, org
):
    login("leader")
    rows = _rows(client.get("/board/export/posts.csv"))
    authors = {r["author"] for r in rows}
    assert "A verified rep (EMEA)" in authors
    assert "Sam Shielded" not in client.get("/board/export/posts.csv").get_data(as_text=True)
    assert "Olga Open" in authors


def test_the_history_export_signs_a_shielded_reporters_move_with_the_shield(client, login, org):
    login("leader")
    response = client.get("/board/export/history.csv")
    rows = _rows(response)
    mine = [r for r in rows if r["to"] == "reopened"]
    assert [r["by"] for r in mine] == ["A verified rep (EMEA)"]
    assert mine[0]["note"] == "'+ it did not hold"
    assert "Sam Shielded" not in response.get_data(as_text=True)


def test_the_reports_export_follows_the_region_filter(client, login, org):
    login("leader")
    rows = _rows(client.get(f"/board/export/posts.csv?region={org['apac']}"))
    assert [r["region"] for r in rows] == ["APAC"]


def test_the_fixes_export_holds_the_fixes_of_the_list_it_was_asked_for(client, login, org):
    login("leader")
    overdue = _rows(client.get("/board/export/fixes.csv?list=overdue"))
    resolved = _rows(client.get("/board/export/fixes.csv?list=resolved"))
    assert ([int(r["id"]) for r in overdue], resolved) == ([org["fix"]], [])
    assert overdue[0]["overdue_now"] == "yes"


def test_the_fixes_export_follows_the_region_filter(client, login, org):
    login("leader")
    assert _rows(client.get(f"/board/export/fixes.csv?region={org['apac']}")) == []
    emea = _rows(client.get(f"/board/export/fixes.csv?region={org['emea']}"))
    assert [int(r["id"]) for r in emea] == [org["fix"]]


def test_an_export_is_offered_as_a_download_named_after_its_period(client, login, org):
    login("leader")
    response = client.get("/board/export/fixes.csv?from=2026-01-01&to=2026-03-31")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="fixes-2026-01-01-2026-03-31.csv"'
    )


def test_the_author_of_a_shielded_report_cannot_export_at_all(client, login, org):
    from tests.conftest import Who

    login(who=Who(0, org["shy"], "rep", None))
    assert client.get("/board/export/posts.csv").status_code == 403
