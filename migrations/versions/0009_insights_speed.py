"""insights speed: covering indexes of the daily rollups' sums

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 04:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_page_days_day_totals', 'page_days',
                    ['day', 'page', 'lang', 'views', 'sessions', 'engaged_seconds', 'exits',
                     'votes_yes', 'votes_no'], unique=False)
    op.create_index('ix_insight_page_days_day_totals', 'insight_page_days',
                    ['day', 'page', 'lang', 'sessions', 'search_arrivals', 'search_after', 'pogo',
                     'dead_ends', 'loops', 'scrolled', 'completed', 'stopped', 'engaged_median'],
                    unique=False)


def downgrade():
    op.drop_index('ix_insight_page_days_day_totals', table_name='insight_page_days')
    op.drop_index('ix_page_days_day_totals', table_name='page_days')
