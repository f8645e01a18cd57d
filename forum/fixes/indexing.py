"""What search indexes about fixes: title and problem statement, and the fix's comments."""

import sqlalchemy as sa

from forum import search
from forum.fixes.models import Fix, FixComment


def fix_documents(connection, ids: list[int]) -> list[search.Document]:
    rows = connection.execute(sa.select(Fix.id, Fix.title, Fix.problem).where(Fix.id.in_(ids)))
    return [
        search.Document(
            kind="fix", source_id=r.id, target="fix", target_id=r.id, title=r.title, body=r.problem
        )
        for r in rows
    ]


def fix_comment_documents(connection, ids: list[int]) -> list[search.Document]:
    rows = connection.execute(
        sa.select(FixComment.id, FixComment.fix_id, FixComment.body).where(FixComment.id.in_(ids))
    )
    return [
        search.Document(
            kind="fix_comment", source_id=r.id, target="fix", target_id=r.fix_id, body=r.body
        )
        for r in rows
    ]


search.register_kind("fix", fix_documents, sa.select(Fix.id))
search.register_kind("fix_comment", fix_comment_documents, sa.select(FixComment.id))
search.follow(
    Fix, lambda fix: [("fix", fix.id)], attrs=("title", "problem"), target=lambda f: ("fix", f.id)
)
search.follow(FixComment, lambda c: [("fix_comment", c.id)], attrs=("body", "fix_id"))
