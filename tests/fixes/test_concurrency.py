"""Simultaneous changes of one fix from threads, each with its own app context and session:
exactly one change per version wins, and the history chain stays whole."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core.errors import Conflict
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes import services
from forum.fixes.history import verify_fix
from forum.fixes.models import Fix, FixEvent
from tests.fixes import builders

pytestmark = pytest.mark.committed  # threads, each with its own connection

REASON = "Racing to record this"


def _setup(app, status):
    with app.app_context():
        org = builders.org()
        fix = builders.fix_in(org, status, start=utcnow() - timedelta(days=2))
        db.session.commit()
        return org, fix.id


def _run_together(app, fix_id, org, changes):
    """Run each ``change(fix, org)`` in its own thread, all from the same loaded version."""
    barrier = threading.Barrier(len(changes))
    results = [None] * len(changes)

    def worker(i, change):
        with app.app_context():
            try:
                fix = db.session.get(Fix, fix_id)
                barrier.wait(timeout=30)
                change(fix, org)
                db.session.commit()
                results[i] = "won"
            except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
                db.session.rollback()
                results[i] = exc

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(changes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _chain(app, fix_id):
    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        events = db.session.scalars(
            sa.select(FixEvent).where(FixEvent.fix_id == fix_id).order_by(FixEvent.seq)
        ).all()
        return (
            fix.status,
            fix.version,
            [(e.seq, e.kind, e.from_value, e.to_value, e.version_after) for e in events],
            verify_fix(fix_id),
        )


def assert_consistent(status, version, events, report):
    """Seq 1..n, one version per entry, each status entry starting where the last one ended."""
    assert [e[0] for e in events] == list(range(1, len(events) + 1))
    assert [e[4] for e in events] == list(range(1, len(events) + 1))
    assert version == events[-1][4]
    current = "open"
    for _, kind, frm, to, _ in events:
        if kind == "status":
            assert frm == current
            current = to
    assert current == status
    assert report.intact, report.problem


def _move(to, who, **fields):
    def change(fix, org):
        services.transition(fix, to, actor=org.user(who), version=fix.version, **fields)

    return change


def _priority(priority, who="leader"):
    def change(fix, org):
        services.set_priority(fix, priority, actor=org.user(who), version=fix.version)

    return change


def _assign(who_to, who="ops_owner"):
    def change(fix, org):
        services.assign(fix, org.users[who_to], actor=org.user(who), version=fix.version)

    return change


def _due(days):
    def change(fix, org):
        services.set_due(
            fix,
            fix.due_at + timedelta(days=days),
            actor=org.user("leader"),
            version=fix.version,
            reason=REASON,
        )

    return change


def test_eight_simultaneous_changes_of_one_fix_let_exactly_one_win(app):
    org, fix_id = _setup(app, "acknowledged")
    _, version, events, _ = _chain(app, fix_id)
    changes = [
        _move("in_progress", "ops_owner"),
        _move("in_progress", "ops_mate"),
        _move("wont_fix", "leader", note=REASON),
        _move("wont_fix", "admin", note=REASON),
        _priority("P1"),
        _priority("P4", who="admin"),
        _assign("ops_mate"),
        _due(5),
    ]
    results = _run_together(app, fix_id, org, changes)
    assert results.count("won") == 1, results
    assert all(isinstance(r, Conflict) for r in results if r != "won"), results
    status, new_version, new_events, report = _chain(app, fix_id)
    assert new_version == version + 1
    assert len(new_events) == len(events) + 1
    assert_consistent(status, new_version, new_events, report)


def test_eight_simultaneous_identical_moves_record_the_move_once(app):
    org, fix_id = _setup(app, "in_progress")
    changes = [_move("blocked", "ops_owner", note=REASON)] * 4 + [
        _move("blocked", "ops_mate", note=REASON)
    ] * 4
    results = _run_together(app, fix_id, org, changes)
    assert results.count("won") == 1, results
    assert all(isinstance(r, Conflict) for r in results if r != "won"), results
    status, version, events, report = _chain(app, fix_id)
    assert [e[3] for e in events if e[1] == "status"].count("blocked") == 1
    assert_consistent(status, version, events, report)


def test_interleaved_changes_retried_on_conflict_keep_the_chain_whole(app):
    org, fix_id = _setup(app, "in_progress")
    threads, rounds = 4, 8
    wins = [0] * threads
    errors = []
    start = threading.Barrier(threads)

    def change_for(i, k, fix):
        kind = (i + k) % 3
        if kind == 0:
            return _assign("ops_mate" if (i + k) % 2 else "ops_owner")
        if kind == 1:
            return _priority(f"P{(i + k) % 4 + 1}")
        if fix.status == "in_progress":
            return _move("blocked", "ops_owner", note=REASON)
        return _move("in_progress", "ops_mate")

    def worker(i):
        with app.app_context():
            start.wait(timeout=30)
            for k in range(rounds):
                for _attempt in range(200):
                    try:
                        fix = db.session.get(Fix, fix_id)
                        change_for(i, k, fix)(fix, org)
                        db.session.commit()
                        wins[i] += 1
                        break
                    except Conflict:
                        db.session.rollback()
                    except Exception as exc:  # noqa: BLE001 - reported below
                        db.session.rollback()
                        errors.append(exc)
                        return
                    finally:
                        db.session.expire_all()
                else:
                    errors.append(f"thread {i} never got round {k} in")

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=300)
    assert errors == []
    assert sum(wins) == threads * rounds
    status, version, events, report = _chain(app, fix_id)
    # created, acknowledged, in progress, then one entry per change that won
    assert len(events) == 3 + threads * rounds
    assert_consistent(status, version, events, report)


@pytest.mark.parametrize("status", ["open", "resolved"])
def test_simultaneous_moves_from_different_people_cannot_both_win(app, status):
    org, fix_id = _setup(app, status)
    if status == "open":
        changes = [_move("acknowledged", "ops_owner"), _move("wont_fix", "leader", note=REASON)]
    else:
        changes = [
            _move("verified", "rep_reporter"),
            _move("reopened", "rep_corroborator", note=REASON),
        ]
    results = _run_together(app, fix_id, org, changes * 4)
    assert results.count("won") == 1, results
    status_now, version, events, report = _chain(app, fix_id)
    assert_consistent(status_now, version, events, report)
