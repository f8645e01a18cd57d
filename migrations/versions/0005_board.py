"""board: indexes for the accountability board's period counts and history replay

Revision ID: 0005_board
Revises: 0004_notify
Create Date: 2026-11-23 03:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_board'
down_revision = '0004_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_fixes_created_at', 'fixes', ['created_at'], unique=False)
    op.create_index('ix_fixes_resolved_at', 'fixes', ['resolved_at'], unique=False)
    op.create_index(
        'ix_fix_events_status_history',
        'fix_events',
        ['fix_id', 'kind', 'at', 'seq', 'to_value'],
        unique=False,
    )
    op.create_index('ix_posts_kind_created', 'posts', ['kind', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_posts_kind_created', table_name='posts')
    op.drop_index('ix_fix_events_status_history', table_name='fix_events')
    op.drop_index('ix_fixes_resolved_at', table_name='fixes')
    op.drop_index('ix_fixes_created_at', table_name='fixes')
