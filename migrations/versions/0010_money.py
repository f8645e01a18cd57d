"""money: a currency on every "me too" amount, per-currency totals of a report, the reporting
currency and dated exchange rates; a fix's revenue at risk is derived, no longer stored

Revision ID: 0010_money
Revises: 0009_customer_loop
Create Date: 2026-12-03 14:23:52.397483

Carried across: a "me too" amount takes its report's currency (it had none, and was added to
the report's own amount as if in it); a report's total with its "me too"s becomes its
per-currency total in that currency; an account's ARR, entered in US dollars, says so.
``fixes.revenue_at_risk`` is dropped: it was computed
from the linked reports and their "me too"s, which stay, and from which every page now derives
it (``forum/fixes/revenue.py``). The downgrade writes it back by the old rule (the largest
amount per account, across currencies, as before).
"""
from decimal import Decimal

from alembic import op
import sqlalchemy as sa

import forum.core.models


# revision identifiers, used by Alembic.
revision = '0010_money'
down_revision = '0009_customer_loop'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('currency_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporting_currency', sa.String(length=3), nullable=False),
    sa.Column('updated_at', forum.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_currency_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_currency_settings'))
    )
    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('quote', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.Numeric(precision=20, scale=10), nullable=False),
    sa.Column('updated_at', forum.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('rate > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_exchange_rates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('month', 'currency', 'quote', name=op.f('uq_exchange_rates_month_currency_quote'))
    )

    with op.batch_alter_table('corroborations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('currency', sa.String(length=3), nullable=True))
    # An old "me too" amount was in its report's currency.
    op.execute(
        "UPDATE corroborations SET currency = (SELECT posts.currency FROM posts"
        " WHERE posts.id = corroborations.post_id) WHERE amount IS NOT NULL"
    )
    with op.batch_alter_table('corroborations', schema=None) as batch_op:
        batch_op.create_check_constraint(
            'amount_has_currency', 'amount IS NULL OR currency IS NOT NULL'
        )

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('at_risk_by_currency', sa.JSON(), nullable=False, server_default='{}')
        )
    posts = sa.table(
        'posts',
        sa.column('id', sa.Integer),
        sa.column('currency', sa.String),
        sa.column('total_at_risk', sa.Numeric(14, 2)),
        sa.column('at_risk_by_currency', sa.JSON),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(posts.c.id, posts.c.currency, posts.c.total_at_risk).where(
            posts.c.total_at_risk > 0
        )
    ).all()
    for post_id, currency, total in rows:
        bind.execute(
            posts.update()
            .where(posts.c.id == post_id)
            .values(at_risk_by_currency={currency: str(Decimal(total))})
        )
    with op.batch_alter_table('fixes', schema=None) as batch_op:
        batch_op.drop_column('revenue_at_risk')

    # ARR was entered in US dollars (the form said so).
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('arr_currency', sa.String(length=3), nullable=False, server_default='USD')
        )


def downgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('arr_currency')

    with op.batch_alter_table('fixes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revenue_at_risk', sa.NUMERIC(precision=14, scale=2), nullable=False, server_default='0'))
    bind = op.get_bind()
    fixes = sa.table(
        'fixes', sa.column('id', sa.Integer), sa.column('revenue_at_risk', sa.Numeric(14, 2))
    )
    per_fix: dict[int, dict] = {}
    for fix_id, key, amount in bind.execute(sa.text(
        "SELECT fix_id, account_id, revenue_at_risk FROM posts WHERE fix_id IS NOT NULL"
        " AND kind = 'broken_promise' AND revenue_at_risk > 0"
        " UNION ALL SELECT p.fix_id, COALESCE(c.account_id, p.account_id), c.amount"
        " FROM corroborations c JOIN posts p ON p.id = c.post_id"
        " WHERE p.fix_id IS NOT NULL AND c.amount > 0"
    )):
        accounts = per_fix.setdefault(fix_id, {})
        accounts[key] = max(accounts.get(key, Decimal(0)), Decimal(amount))
    for fix_id, accounts in per_fix.items():
        bind.execute(
            fixes.update()
            .where(fixes.c.id == fix_id)
            .values(revenue_at_risk=sum(accounts.values(), Decimal(0)))
        )
    with op.batch_alter_table('fixes', schema=None) as batch_op:
        batch_op.alter_column('revenue_at_risk', server_default=None)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('at_risk_by_currency')

    with op.batch_alter_table('corroborations', schema=None) as batch_op:
        batch_op.drop_constraint('amount_has_currency', type_='check')
        batch_op.drop_column('currency')

    op.drop_table('exchange_rates')
    op.drop_table('currency_settings')
