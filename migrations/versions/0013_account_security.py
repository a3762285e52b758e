"""accounts: per-user session nonce and account security

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 07:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get an empty nonce: their login ids become "<id>:", so sessions and
    # remember cookies issued before this upgrade (plain "<id>") no longer sign anyone in.
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_nonce", sa.String(length=32), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_nonce")
