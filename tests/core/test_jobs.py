"""One run at a time of a scheduled command across machines (forum/core/jobs.py): the first
takes the lock, the others say so and do nothing, a lock left by a dead run expires."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from forum.core import jobs
from forum.core.time import utcnow
from forum.extensions import db
from forum.fixes.models import Escalation
from tests.fixes import builders

HOUR = timedelta(hours=1)


def test_a_second_run_is_refused_while_the_first_holds_the_lock(app):
    with app.app_context():
        holder = jobs.acquire("escalate", HOUR)
        with pytest.raises(jobs.JobBusy) as busy:
            jobs.acquire("escalate", HOUR)
        assert "escalate is running on" in str(busy.value)
        jobs.acquire("digest-daily", HOUR)  # another job is not held up
        jobs.release("escalate", holder)
        jobs.acquire("escalate", HOUR)


def test_a_lock_left_by_a_dead_run_is_taken_over_once_it_expires(app):
    with app.app_context():
        jobs.acquire("escalate", HOUR, now=utcnow() - 2 * HOUR)  # a run that died
        holder = jobs.acquire("escalate", HOUR)
        assert db.session.get(jobs.JobLock, "escalate").holder == holder


def test_the_lock_goes_when_the_body_fails(app):
    with app.app_context():
        with pytest.raises(RuntimeError), jobs.single_run("escalate"):
            raise RuntimeError("the run broke")
        assert db.session.scalars(sa.select(jobs.JobLock)).all() == []


def test_escalate_does_nothing_while_another_machine_runs_it(app):
    with app.app_context():
        org = builders.org()
        builders.fix_in(org, "in_progress", start=utcnow() - timedelta(days=90))
        db.session.commit()
        holder = jobs.acquire("escalate", HOUR)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["escalate"])
    assert result.exit_code == 0 and result.output.startswith("Not run: escalate is running on")
    with app.app_context():
        assert db.session.scalars(sa.select(Escalation)).all() == []
        jobs.release("escalate", holder)
    result = runner.invoke(args=["escalate"])
    assert result.exit_code == 0 and "1 escalation made." in result.output


@pytest.mark.committed
def test_of_eight_simultaneous_runs_exactly_one_takes_the_lock(app):
    start, won, busy, errors = threading.Barrier(8), [], [], []

    def run():
        try:
            with app.app_context():
                start.wait(timeout=30)
                try:
                    won.append(jobs.acquire("digest-weekly", HOUR))
                except jobs.JobBusy:
                    busy.append(1)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert (len(won), len(busy)) == (1, 7)
