"""owner-defined funnels and report settings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('insight_funnels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )


def downgrade():
    op.drop_table('insight_funnels')
