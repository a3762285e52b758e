"""reader-ordered events and insight signal rollups

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_events_day_session', ['day', 'session'], unique=False)

    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_page', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('is_return', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    op.create_table('insight_page_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('page', sa.String(length=255), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('search_arrivals', sa.Integer(), nullable=False),
    sa.Column('search_after', sa.Integer(), nullable=False),
    sa.Column('pogo', sa.Integer(), nullable=False),
    sa.Column('dead_ends', sa.Integer(), nullable=False),
    sa.Column('loops', sa.Integer(), nullable=False),
    sa.Column('scrolled', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('stopped', sa.Integer(), nullable=False),
    sa.Column('stops', sa.JSON(), nullable=False),
    sa.Column('sections_passed', sa.JSON(), nullable=False),
    sa.Column('engaged', sa.JSON(), nullable=False),
    sa.Column('engaged_median', sa.Float(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'page', 'lang')
    )
    op.create_table('insight_session_paths',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('session', sa.String(length=32), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('ended_with', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('day', 'session')
    )
    op.create_table('insight_search_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('query_key', sa.String(length=200), nullable=False),
    sa.Column('example', sa.String(length=200), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.Column('zero_results', sa.Integer(), nullable=False),
    sa.Column('clicked', sa.Integer(), nullable=False),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('end_pages', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'lang', 'query_key')
    )
    op.create_table('insight_survey_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'lang', 'kind', 'score')
    )


def downgrade():
    op.drop_table('insight_survey_days')
    op.drop_table('insight_search_days')
    op.drop_table('insight_session_paths')
    op.drop_table('insight_page_days')
    with op.batch_alter_table('search_log', schema=None) as batch_op:
        batch_op.drop_column('is_return')
        batch_op.drop_column('from_page')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_day_session')
        batch_op.drop_column('at')
