"""writers' editor: drafts, moves, redirects, translation follow-up

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    op.create_table('page_redirects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_slug', sa.String(length=255), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('old_slug')
    )
    with op.batch_alter_table('page_redirects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_redirects_page_id'), ['page_id'], unique=False)


def downgrade():
    with op.batch_alter_table('page_redirects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_redirects_page_id'))
    op.drop_table('page_redirects')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_column('draft')
