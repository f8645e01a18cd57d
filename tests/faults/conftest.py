"""Fixtures of the fault tests: ``servers`` (every server a test starts, stopped when it ends)."""

import pytest

from tests.faults.servers import Servers

# A fault test that is still running after this long is stuck: its servers are killed.
DEADLINE_SECONDS = 180


@pytest.fixture
def servers(app, tmp_path):
    """Start servers with ``servers.gunicorn(env)`` and ``servers.postgres()``; all of them are
    stopped (by PID, with their process groups) when the test ends, pass or fail — before the
    ``app`` fixture empties the tables."""
    started = Servers(tmp_path, DEADLINE_SECONDS)
    try:
        yield started
    finally:
        started.close()
    assert not started.expired, f"the test ran past its {DEADLINE_SECONDS}s deadline"
