"""Hand-made cases with known answers: ties, even counts, empty teams, a fix reopened twice,
instants at midnight UTC and at the very edge of "this week"."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from forum.auth.models import TeamKind
from forum.board import filters, queries
from forum.extensions import db
from forum.fixes import creation, services
from forum.fixes.models import Fix
from forum.taxonomy.models import TaxonomyTerm
from tests import factories
from tests.board.world import FixRec, apply_move, store_fixes

NOW = datetime(2026, 6, 17, 15, 30, tzinfo=UTC)  # Wednesday
DAY = timedelta(days=1)
Q2 = datetime(2026, 4, 1, tzinfo=UTC)
Q3 = datetime(2026, 7, 1, tzinfo=UTC)


def _board(args: dict | None = None, now: datetime = NOW):
    teams = queries.teams()
    f = filters.parse(MultiDict({k: str(v) for k, v in (args or {}).items()}), teams, now.date())
    return queries.board(f, teams, now)


def _row(board, team_id):
    return next(r for r in board.rows if r.team and r.team.id == team_id)


def _fixes(team_id: int, specs: list[tuple[datetime, list[tuple[datetime, str]]]], **kw):
    """Store fixes of ``team_id``: (created, [(at, status), ...]) each, due 30 days after."""
    leader = factories.user("leader")
    recs = []
    for created, moves in specs:
        rec = FixRec(
            id=0,
            team_id=team_id,
            priority=kw.get("priority", "P3"),
            created=created,
            due=kw.get("due", created + 30 * DAY),
        )
        for at, to in moves:
            apply_move(rec, at, to)
        recs.append(rec)
    store_fixes(recs, leader.id)
    return recs


def _resolved_after(created: datetime, days: float):
    at = created + timedelta(days=days)
    return (created, [(created, "acknowledged"), (created, "in_progress"), (at, "resolved")])


@pytest.fixture
def team(app):
    with app.app_context():
        t = factories.team(TeamKind.OPERATIONS, name="Shipping")
        db.session.commit()
        return t.id


def test_the_median_of_an_even_number_of_durations_is_the_mean_of_the_middle_two(app, team):
    with app.app_context():
        start = Q2 + 10 * DAY
        _fixes(team, [_resolved_after(start, d) for d in (1, 2, 3, 5)])
        row = _row(_board(), team)
    assert row.ttr_median_days == pytest.approx(2.5)


def test_tied_durations_give_the_tied_value_as_median(app, team):
    with app.app_context():
        start = Q2 + 10 * DAY
        _fixes(team, [_resolved_after(start, d) for d in (1, 2, 2, 2, 9)])
        row = _row(_board(), team)
    assert row.ttr_median_days == pytest.approx(2.0)


def test_the_p90_interpolates_between_the_two_nearest_durations(app, team):
    with app.app_context():
        start = Q2 + 10 * DAY
        _fixes(team, [_resolved_after(start, d) for d in (1, 2, 2, 5)])
        row = _row(_board(), team)
    # position 0.9 × 3 = 2.7: 2 + (5 − 2) × 0.7
    assert row.ttr_p90_days == pytest.approx(4.1)


def test_a_single_resolution_is_its_own_median_and_p90(app, team):
    with app.app_context():
        _fixes(team, [_resolved_after(Q2 + 10 * DAY, 3.25)])
        row = _row(_board(), team)
    assert (row.ttr_median_days, row.ttr_p90_days) == (pytest.approx(3.25), pytest.approx(3.25))


def test_an_operations_team_without_fixes_shows_zeros_and_no_rates(app, team):
    with app.app_context():
        row = _row(_board(), team)
    assert set(row.counts.values()) == {0}
    assert (row.median_age_days, row.ttr_median_days, row.on_time_rate, row.reopen_rate) == (
        None,
        None,
        None,
        None,
    )


def test_a_sales_region_is_not_a_row_of_the_board(app, team):
    with app.app_context():
        region = factories.team(TeamKind.SALES, name="EMEA").id
        db.session.commit()
        board = _board()
    assert region not in {r.team.id for r in board.teams}


def test_a_fix_created_at_midnight_on_the_first_day_belongs_to_that_quarter(app, team):
    with app.app_context():
        _fixes(team, [(Q2, [])])
        this_quarter = _row(_board({"on": "2026-04-01"}), team)
        previous = _row(_board({"on": "2026-03-31"}), team)
    assert (this_quarter.counts["created"], previous.counts["created"]) == (1, 0)


def test_a_resolution_at_midnight_after_the_last_day_belongs_to_the_next_quarter(app, team):
    later = Q3 + 20 * DAY
    with app.app_context():
        _fixes(team, [_resolved_after(Q2 + 5 * DAY, (Q3 - Q2 - 5 * DAY).days)])
        q2 = _row(_board({"on": "2026-06-30"}, later), team)
        q3 = _row(_board({"on": "2026-07-01"}, later), team)
    assert (q2.counts["resolved"], q3.counts["resolved"]) == (0, 1)


def test_a_fix_resolved_at_its_due_instant_is_on_time(app, team):
    created = Q2 + 2 * DAY
    with app.app_context():
        _fixes(team, [_resolved_after(created, 30)], due=created + 30 * DAY)
        row = _row(_board(), team)
    assert (row.counts["on_time"], row.counts["late"]) == (1, 0)


def test_a_fix_resolved_a_microsecond_after_its_due_instant_is_late(app, team):
    created = Q2 + 2 * DAY
    with app.app_context():
        _fixes(
            team,
            [_resolved_after(created, 30 + 1 / 86400e6)],
            due=created + 30 * DAY,
        )
        row = _row(_board(), team)
    assert (row.counts["on_time"], row.counts["late"]) == (0, 1)


def test_a_fix_due_now_is_due_this_week_and_not_overdue(app, team):
    with app.app_context():
        _fixes(team, [(NOW - 2 * DAY, [])], due=NOW)
        row = _row(_board(), team)
    assert (row.counts["due_week"], row.counts["overdue"]) == (1, 0)


def test_a_fix_due_at_midnight_next_monday_is_not_due_this_week(app, team):
    next_monday = datetime(2026, 6, 22, tzinfo=UTC)
    with app.app_context():
        _fixes(team, [(NOW - 2 * DAY, [])], due=next_monday)
        _fixes(team, [(NOW - 2 * DAY, [])], due=next_monday - timedelta(microseconds=1))
        row = _row(_board(), team)
    assert row.counts["due_week"] == 1


def test_a_fix_open_exactly_seven_days_is_in_the_youngest_age_bucket(app, team):
    with app.app_context():
        _fixes(team, [(NOW - 7 * DAY, []), (NOW - 7 * DAY - timedelta(microseconds=1), [])])
        row = _row(_board(), team)
    assert (row.counts["age_0_7"], row.counts["age_7_30"]) == (1, 1)


def test_median_age_is_measured_to_the_microsecond(app, team):
    created = NOW - timedelta(days=3, microseconds=999999)
    with app.app_context():
        _fixes(team, [(created, [])])
        row = _row(_board(), team)
    assert row.median_age_days * 86400 == pytest.approx(3 * 86400 + 0.999999, abs=1e-6)


def _service_fix(app, team_id: int):
    """A fix driven through the real services: resolved, reopened, twice, then resolved."""
    with app.app_context():
        from forum.auth.models import Team

        owner = db.session.get(Team, team_id)
        leader = factories.user("leader")
        ops = factories.user("ops", team_obj=owner)
        cause = TaxonomyTerm(kind="root_cause", name="Capacity", name_key="capacity")
        db.session.add(cause)
        db.session.flush()
        t0 = Q2 + 3 * DAY  # midnight UTC
        fix = creation.create_fix(
            title="Lead times",
            problem="Late.",
            owner_team_id=team_id,
            priority="P2",
            actor=leader,
            now=t0,
        )

        def move(to, at, actor, **kw):
            services.transition(fix, to, actor=actor, version=fix.version, now=at, **kw)

        resolution = dict(resolution_note="Done", root_cause_id=cause.id, prevention="Review")
        move("acknowledged", t0 + DAY, ops)
        move("in_progress", t0 + DAY, ops)
        move("resolved", t0 + 5 * DAY, ops, **resolution)
        move("reopened", t0 + 6 * DAY, leader, note="Did not hold")
        move("in_progress", t0 + 6 * DAY, ops)
        move("resolved", t0 + 10 * DAY, ops, **resolution)
        move("reopened", t0 + 12 * DAY, leader, note="Still late")
        move("in_progress", t0 + 13 * DAY, ops)
        move("resolved", t0 + 20 * DAY, ops, **resolution)
        db.session.commit()
        return fix.id


def test_a_fix_reopened_twice_counts_its_whole_wait_as_time_to_resolve(app, team):
    _service_fix(app, team)
    with app.app_context():
        row = _row(_board(), team)
    assert row.ttr_median_days == pytest.approx(20)


def test_a_fix_reopened_twice_counts_once_in_the_reopen_rate(app, team):
    _service_fix(app, team)
    with app.app_context():
        row = _row(_board(), team)
    assert (row.counts["reopened"], row.counts["closed_cohort"], row.reopen_rate) == (1, 1, 1.0)


def test_a_fix_reopened_twice_is_on_time_against_the_due_date_set_at_its_last_reopening(app, team):
    fix_id = _service_fix(app, team)
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        # Reopened on day 12 as a P2: due 10 days later, on day 22; resolved on day 20.
        assert fix.due_at == Q2 + 3 * DAY + 22 * DAY
        row = _row(_board(), team)
    assert row.counts["on_time"] == 1


def test_the_scorecard_counts_a_fix_open_at_a_month_end_it_was_reopened_before(app, team):
    t0 = datetime(2026, 3, 20, tzinfo=UTC)
    with app.app_context():
        _fixes(
            team,
            [
                (
                    t0,
                    [
                        (t0, "acknowledged"),
                        (t0, "in_progress"),
                        (t0 + 2 * DAY, "resolved"),
                        (t0 + 5 * DAY, "reopened"),
                        (datetime(2026, 4, 1, tzinfo=UTC), "in_progress"),
                        (datetime(2026, 4, 10, tzinfo=UTC), "resolved"),
                    ],
                )
            ],
        )
        teams = queries.teams()
        f = filters.parse(MultiDict(), teams, NOW.date())
        ref = next(t for t in teams if t.id == team)
        months = {m.bucket.label: m.open_at_end for m in queries.scorecard(f, ref, NOW).months}
    assert (months["Feb 2026"], months["Mar 2026"], months["Apr 2026"]) == (0, 1, 0)


def test_fixes_in_region_are_those_with_a_linked_report_from_that_region(app, team):
    from tests.board.world import PostRec, store_posts

    with app.app_context():
        emea = factories.team(TeamKind.SALES, name="EMEA")
        apac = factories.team(TeamKind.SALES, name="APAC")
        rep = factories.user("rep", team_obj=emea)
        recs = _fixes(team, [(NOW - DAY, []), (NOW - DAY, []), (NOW - DAY, [])])
        store_posts(
            [
                PostRec(
                    0,
                    "field_feedback",
                    "linked",
                    rep.id,
                    emea.id,
                    None,
                    None,
                    NOW - DAY,
                    fix_id=recs[0].id,
                ),
                PostRec(
                    0,
                    "field_feedback",
                    "linked",
                    rep.id,
                    apac.id,
                    None,
                    None,
                    NOW - DAY,
                    fix_id=recs[1].id,
                ),
            ]
        )
        db.session.commit()
        row = _row(_board({"region": emea.id}), team)
        ids = db.session.scalars(
            queries.fix_list_query(
                filters.parse(MultiDict({"region": str(emea.id)}), queries.teams(), NOW.date()),
                NOW,
                "open",
            ).with_only_columns(Fix.id)
        ).all()
    assert (row.counts["open"], ids) == (1, [recs[0].id])


def test_each_figure_list_holds_as_many_fixes_as_the_figure_counts(app, team):
    from tests.board.world import build

    with app.app_context():
        world = build(5)
        db.session.commit()
        teams = queries.teams()
        f = filters.parse(MultiDict({"period": "year"}), teams, world.now.date())
        total = queries.board(f, teams, world.now).total
        for name, count in total.counts.items():
            listed = db.session.scalar(
                sa.select(sa.func.count()).select_from(
                    queries.fix_list_query(f, world.now, name).subquery()
                )
            )
            assert listed == count, name
