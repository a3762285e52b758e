"""insights: running sums of the page table's evidence, rendered headings per revision

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 10:45:00

`insight_page_totals.evidence` keeps the running sums of the bounded evidence (vote reasons,
stop headings, kinds of dead end) beside the numbers; `insight_revision_headings` keeps the
headings the rollup rendered, so reports do not render Markdown. The running totals are
emptied here: the next report or `portal rollup` rebuilds them from the daily rollups (as
after 0010), with their evidence.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('insight_page_totals') as batch:
        batch.add_column(sa.Column('evidence', sa.Text(), nullable=False, server_default='{}'))
    op.execute('DELETE FROM insight_page_totals')
    op.execute('DELETE FROM insight_page_total_keys')
    op.create_table('insight_revision_headings',
                    sa.Column('revision_id', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('headings', sa.JSON(), nullable=False),
                    sa.PrimaryKeyConstraint('revision_id'))


def downgrade():
    op.drop_table('insight_revision_headings')
    with op.batch_alter_table('insight_page_totals') as batch:
        batch.drop_column('evidence')
