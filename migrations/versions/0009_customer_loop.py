"""customer loop: follow-ups of a verified fix (a customer to tell, a lost deal to re-engage)
and their history; a win/loss report's delivery reason can point at a report or a fix

Revision ID: 0009_customer_loop
Revises: 0008_job_locks
Create Date: 2026-12-03 14:22:14.252187

"""
from alembic import op
import sqlalchemy as sa

import forum.core.models


# revision identifiers, used by Alembic.
revision = '0009_customer_loop'
down_revision = '0008_job_locks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('customer', 'deal', name='followupkind', native_enum=False, length=20), nullable=False),
    sa.Column('state', sa.Enum('to_tell', 'informed', 'trust_restored', 'still_unhappy', 'to_reengage', 'reengaged', 'won_back', 'not_pursued', 'withdrawn', name='followupstate', native_enum=False, length=20), nullable=False),
    sa.Column('fix_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('rep_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('informed_on', sa.Date(), nullable=True),
    sa.Column('updated_at', forum.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', forum.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fix_id'], ['fixes.id'], name=op.f('fk_follow_ups_fix_id_fixes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_follow_ups_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rep_id'], ['users.id'], name=op.f('fk_follow_ups_rep_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups')),
    sa.UniqueConstraint('post_id', 'fix_id', name=op.f('uq_follow_ups_post_id_fix_id'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_fix_id'), ['fix_id'], unique=False)
        batch_op.create_index('ix_follow_ups_rep_state', ['rep_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_state'), ['state'], unique=False)

    op.create_table('follow_up_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('at', forum.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_follow_up_events_actor_id_users')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_follow_up_events_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_events'))
    )
    with op.batch_alter_table('follow_up_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_events_follow_up_id'), ['follow_up_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause_post_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cause_fix_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_posts_cause_fix_id'), ['cause_fix_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_cause_post_id'), ['cause_post_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_posts_cause_fix_id_fixes'), 'fixes', ['cause_fix_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_posts_cause_post_id_posts'), 'posts', ['cause_post_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_posts_cause_post_id_posts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_posts_cause_fix_id_fixes'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_posts_cause_post_id'))
        batch_op.drop_index(batch_op.f('ix_posts_cause_fix_id'))
        batch_op.drop_column('cause_fix_id')
        batch_op.drop_column('cause_post_id')

    with op.batch_alter_table('follow_up_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_events_follow_up_id'))

    op.drop_table('follow_up_events')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_state'))
        batch_op.drop_index('ix_follow_ups_rep_state')
        batch_op.drop_index(batch_op.f('ix_follow_ups_fix_id'))

    op.drop_table('follow_ups')
