"""nodes: change log that every node follows, event batch ids stored once

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('node', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('slug', sa.String(length=255), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_change_log_at', 'change_log', ['at'], unique=False)
    op.create_table('event_batches',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('received_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_event_batches_received_at'), 'event_batches', ['received_at'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_event_batches_received_at'), table_name='event_batches')
    op.drop_table('event_batches')
    op.drop_index('ix_change_log_at', table_name='change_log')
    op.drop_table('change_log')
