"""users remember their list filters and named views

Revision ID: 0016_list_memory
Revises: 0010_money
Create Date: 2026-12-03 18:14:12.336280

One new column, every existing user starting with no remembered filters and no views ({}).
"""
from alembic import op
import sqlalchemy as sa

import forum.core.models


# revision identifiers, used by Alembic.
revision = '0016_list_memory'
down_revision = '0010_money'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_filters', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('list_filters')
