"""Accounts keep their CRM owner: accounts.owner_id (a user; emptied when that user goes)

Revision ID: 0017_account_owner
Revises: 0013_crm
Create Date: 2026-12-04 01:20:46.062017

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_account_owner"
down_revision = "0013_crm"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite copies the table in batch mode (its rows kept); PostgreSQL adds the column.
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_accounts_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_accounts_owner_id_users"),
            "users",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_accounts_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_accounts_owner_id"))
        batch_op.drop_column("owner_id")
