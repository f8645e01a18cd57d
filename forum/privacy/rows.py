"""Reading rows for the person export in chunks, and what the export never repeats (links)."""

import re

import sqlalchemy as sa

from forum.extensions import db

CHUNK = 200
LINK = re.compile(r"https?://\S+")
LINK_REMOVED = "[link removed]"


def rows(query: sa.Select):
    return db.session.execute(query.execution_options(yield_per=CHUNK))


def objects(query: sa.Select):
    return db.session.scalars(query.execution_options(yield_per=CHUNK))


def name(obj) -> str | None:
    return obj.name if obj is not None else None
