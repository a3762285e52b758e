"""insights: pre-aggregated per-page totals for the page table

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 07:00:00

Running totals per page and language (`insight_page_totals`, see portal/insights/models.py):
a report over any range reads the row at its end minus the row before its start. They are
filled by the rollup; after this upgrade run `flask portal rollup --from <first day>` once to
build them for the days rolled up before (until then the reports show no older days).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COUNTS = ('views', 'page_sessions', 'engaged_tenths', 'exits', 'votes_yes', 'votes_no',
          'page_rows', 'sessions', 'search_arrivals', 'search_after', 'pogo', 'dead_ends',
          'loops', 'scrolled', 'completed', 'stopped', 'median_tenths', 'median_weight',
          'signal_rows')


def upgrade():
    op.create_table('insight_page_totals',
                    sa.Column('page', sa.String(length=255), nullable=False),
                    sa.Column('lang', sa.String(length=16), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS),
                    sa.Column('month_views', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('page', 'lang', 'day'))
    op.create_table('insight_page_total_keys',
                    sa.Column('page', sa.String(length=255), nullable=False),
                    sa.Column('lang', sa.String(length=16), nullable=False),
                    sa.PrimaryKeyConstraint('page', 'lang'))


def downgrade():
    op.drop_table('insight_page_total_keys')
    op.drop_table('insight_page_totals')
