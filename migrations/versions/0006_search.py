"""search: documents, FTS5 (SQLite) or tsvector + GIN (PostgreSQL), backfilled

Revision ID: 0006_search
Revises: 0005_board
Create Date: 2026-11-23 03:00:00

``search_documents`` is an ordinary table (in the models). Beside it, made by hand and hidden
from autogenerate by ``include_name`` in migrations/env.py:

- SQLite: the FTS5 table ``search_index`` (and its shadow tables), one row per document with the
  same id, and a trigger deleting the index row with its document. The ``ascii`` tokenizer
  splits on spaces only, because the text arrives already folded and tokenized by
  ``forum.search.text`` (the same tokens PostgreSQL gets). A batch rebuild of
  ``search_documents`` in a later migration must create the trigger again.
- PostgreSQL: the columns ``tsv`` (title, extra fields and body, weighted A, B, C) and
  ``tsv_title`` (the title alone, for similar titles), tsvector literals written by the app,
  each with a GIN index.

The backfill reads the tables as they are at this revision (not through today's models, which
may have moved on) and indexes every post, comment, fix and fix comment, so an existing database
is searchable once upgraded. ``flask search reindex`` rebuilds the same from the app's loaders.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_search'
down_revision = '0005_board'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'source_id', name=op.f('uq_search_documents_kind_source_id'))
    )
    op.create_index('ix_search_documents_target', 'search_documents', ['target', 'target_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "title, extra, body, tokenize = 'ascii', prefix = '2 3')"
        )
        op.execute(
            "CREATE TRIGGER search_documents_deleted AFTER DELETE ON search_documents "
            "BEGIN DELETE FROM search_index WHERE rowid = old.id; END"
        )
    elif dialect == 'postgresql':
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv tsvector NOT NULL DEFAULT ''")
        op.execute("ALTER TABLE search_documents ADD COLUMN tsv_title tsvector NOT NULL DEFAULT ''")
    else:
        raise RuntimeError(f"search needs SQLite or PostgreSQL, not {dialect}")
    _backfill(op.get_bind())
    if dialect == 'postgresql':
        # Built once after the backfill: faster than growing them row by row.
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
        op.execute("CREATE INDEX ix_search_documents_tsv_title ON search_documents USING gin (tsv_title)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS search_documents_deleted")
        op.execute("DROP TABLE IF EXISTS search_index")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv_title")
        op.execute("DROP INDEX IF EXISTS ix_search_documents_tsv")
    op.drop_index('ix_search_documents_target', table_name='search_documents')
    op.drop_table('search_documents')


# The backfill. Documents are built exactly as forum/feedback/indexing.py and
# forum/fixes/indexing.py build them (tests/search/test_migration.py holds the two together).

def _posts(connection, after):
    rows = connection.execute(sa.text(
        "SELECT p.id, p.title, p.body, p.promised, p.shielded, p.crm_opportunity_id, "
        "a.name AS account_name, a.crm_id, u.display_name "
        "FROM posts p JOIN users u ON u.id = p.author_id "
        "LEFT JOIN accounts a ON a.id = p.account_id "
        "WHERE p.id > :after ORDER BY p.id LIMIT :n"
    ), {"after": after, "n": BATCH}).all()
    if not rows:
        return [], after
    tags = {}
    for post_id, name in connection.execute(sa.text(
        "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id "
        "WHERE pt.post_id > :after AND pt.post_id <= :last ORDER BY t.name"
    ), {"after": after, "last": rows[-1].id}):
        tags.setdefault(post_id, []).append(name)
    docs = []
    for r in rows:
        extra = [r.account_name, r.crm_id, r.crm_opportunity_id, *tags.get(r.id, [])]
        if not r.shielded:
            extra.append(r.display_name)
        docs.append(dict(
            kind="post", source_id=r.id, target="post", target_id=r.id, restricted=False,
            title=r.title, body="\n\n".join(t for t in (r.body, r.promised) if t),
            extra=" · ".join(t for t in extra if t),
        ))
    return docs, rows[-1].id


def _simple(sql, make):
    def read(connection, after):
        rows = connection.execute(sa.text(sql), {"after": after, "n": BATCH}).all()
        return [make(r) for r in rows], (rows[-1].id if rows else after)
    return read


_comments = _simple(
    "SELECT id, post_id, body, internal FROM comments WHERE id > :after ORDER BY id LIMIT :n",
    lambda r: dict(kind="comment", source_id=r.id, target="post", target_id=r.post_id,
                   restricted=bool(r.internal), title="", extra="", body=r.body),
)
_fixes = _simple(
    "SELECT id, title, problem FROM fixes WHERE id > :after ORDER BY id LIMIT :n",
    lambda r: dict(kind="fix", source_id=r.id, target="fix", target_id=r.id, restricted=False,
                   title=r.title, extra="", body=r.problem),
)
_fix_comments = _simple(
    "SELECT id, fix_id, body FROM fix_comments WHERE id > :after ORDER BY id LIMIT :n",
    lambda r: dict(kind="fix_comment", source_id=r.id, target="fix", target_id=r.fix_id,
                   restricted=False, title="", extra="", body=r.body),
)

_INSERT = (
    "INSERT INTO search_documents (kind, source_id, target, target_id, restricted, title, extra, body{tsv}) "
    "VALUES (:kind, :source_id, :target, :target_id, :restricted, :title, :extra, :body{tsv_value})"
)
_INSERT_FTS = (
    "INSERT INTO search_index (rowid, title, extra, body) VALUES ("
    "(SELECT id FROM search_documents WHERE kind = :kind AND source_id = :source_id), "
    ":title, :extra, :body)"
)


def _backfill(connection):
    # The tokenizer is the app's own: the index must hold the tokens queries will look for.
    from forum.search.dialects import Document, title_tsvector, tsvector
    from forum.search.text import index_terms

    postgres = connection.dialect.name == 'postgresql'
    insert = sa.text(_INSERT.format(
        tsv=", tsv, tsv_title" if postgres else "",
        tsv_value=", CAST(:tsv AS tsvector), CAST(:tsv_title AS tsvector)" if postgres else "",
    ))
    for read in (_posts, _comments, _fixes, _fix_comments):
        after = 0
        while True:
            docs, after = read(connection, after)
            if not docs:
                break
            if postgres:
                connection.execute(insert, [
                    {**d, "tsv": tsvector(Document(**d)), "tsv_title": title_tsvector(Document(**d))}
                    for d in docs
                ])
                continue
            connection.execute(insert, docs)
            connection.execute(sa.text(_INSERT_FTS), [
                {
                    "kind": d["kind"],
                    "source_id": d["source_id"],
                    "title": " ".join(index_terms(d["title"])),
                    "extra": " ".join(index_terms(d["extra"])),
                    "body": " ".join(index_terms(d["body"])),
                }
                for d in docs
            ])
