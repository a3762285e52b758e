"""sign-in throttling and account administration

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 03:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
