"""Building the app opens no database connection: gunicorn may build it in its master
(``--preload``, as the fault tests do) and fork the workers from it, and a SQLite or PostgreSQL
connection inherited across a fork is shared by processes that each think it is theirs."""

import sqlalchemy as sa

from forum.extensions import db


def test_building_the_app_connects_to_no_database(make_app, tmp_path):
    connections = []

    def count(dbapi_connection, record):
        connections.append(dbapi_connection)

    sa.event.listen(sa.engine.Engine, "connect", count)
    try:
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'fresh.db'}")
        while_built = list(connections)
        with app.app_context():
            db.session.execute(sa.text("SELECT 1"))  # what a worker's first request does
            db.session.remove()
            db.engine.dispose()
    finally:
        sa.event.remove(sa.engine.Engine, "connect", count)
    assert while_built == []
    assert len(connections) == 1
