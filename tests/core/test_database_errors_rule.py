"""One rule for database failures: code that catches one rolls the session back, drops the
connection, or raises again. Nothing catches it and carries on.

A swallowed failure leaves the session's transaction invalid: the request's next statement
raises "Can't reconnect until invalid transaction is rolled back" and the page is a 500 where
the 503 handler (``forum/core/errors.py``) would have answered. The header's unread count did
this while PostgreSQL was stopped (tests/faults/test_postgres_down.py found it). This test reads
every module under ``forum/`` and fails on an ``except`` naming a database error whose body
neither rolls back (``rollback``, ``rollback_quietly``), invalidates, nor raises.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DATABASE_ERRORS = {
    "SQLAlchemyError",
    "DBAPIError",
    "OperationalError",
    "InterfaceError",
    "DatabaseError",
    "PendingRollbackError",
}
RECOVERIES = {"rollback", "rollback_quietly", "invalidate"}


def _names(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def _recovers(handler: ast.ExceptHandler) -> bool:
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in RECOVERIES:
                return True
    return False


def swallowed_database_errors(source: str) -> list[tuple[int, str]]:
    """The line and text of every ``except`` in ``source`` that catches a database error and
    goes on without rolling back, invalidating or raising."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ExceptHandler):
            continue
        if not _names(node.type) & DATABASE_ERRORS:
            continue
        if not _recovers(node):
            found.append((node.lineno, ast.get_source_segment(source, node).splitlines()[0]))
    return found


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    f()\nexcept sa.exc.SQLAlchemyError:\n    return 0\n",
        "try:\n    f()\nexcept (OperationalError, InterfaceError):\n    log()\n",
        "try:\n    f()\nexcept DBAPIError as exc:\n    seen.append(exc)\n",
    ],
)
def test_the_check_finds_a_swallowed_database_error(source):
    assert len(swallowed_database_errors(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        "try:\n    f()\nexcept sa.exc.SQLAlchemyError:\n    db.session.rollback()\n    return 0\n",
        "try:\n    f()\nexcept OperationalError:\n    rollback_quietly()\n",
        "try:\n    f()\nexcept OperationalError:\n    db.session().invalidate()\n",
        "try:\n    f()\nexcept DBAPIError:\n    log()\n    raise\n",
        "try:\n    f()\nexcept ValueError:\n    return 0\n",
    ],
)
def test_the_check_leaves_recoveries_and_other_errors_alone(source):
    assert swallowed_database_errors(source) == []


def test_no_module_catches_a_database_error_and_carries_on():
    found = {}
    for path in sorted((ROOT / "forum").rglob("*.py")):
        hits = swallowed_database_errors(path.read_text(encoding="utf-8"))
        if hits:
            found[path.relative_to(ROOT).as_posix()] = hits
    assert found == {}
