"""events: drop the single-column index on session

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 14:00:00

Every query that looks events up by session also names the day (the insights' voter
evidence: `day IN (...) AND session IN (...)`), which `ix_events_day_session` serves; the
session-only index was one more random B-tree insert for every stored event and read by
nothing.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_events_session', table_name='events')


def downgrade():
    op.create_index('ix_events_session', 'events', ['session'], unique=False)
