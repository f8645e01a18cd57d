"""People's own time: each person's IANA time zone (None: the organisation's) and a worded
setting beside the numbered ones (the organisation's zone, under the key ``time_zone``).

Revision ID: 0018_time_zones
Revises: 0017_account_owner
Create Date: 2026-12-04 01:24:26.351567

Both columns are new and nullable: nothing is rewritten, and the downgrade drops only them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_time_zones"
down_revision = "0017_account_owner"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.String(length=60), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("time_zone")

    with op.batch_alter_table("settings", schema=None) as batch_op:
        batch_op.drop_column("text")
