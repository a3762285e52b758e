"""search: synonyms, pinned results and click learning

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 07:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.timeutil


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_synonyms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=16), nullable=False),
        sa.Column('terms', sa.String(length=500), nullable=False),
        sa.Column('hits', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_hit_at', portal.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_search_synonyms_lang', 'search_synonyms', ['lang'], unique=False)
    op.create_table(
        'search_pins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=16), nullable=False),
        sa.Column('query', sa.String(length=200), nullable=False),
        sa.Column('query_key', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_hit_at', portal.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', portal.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('lang', 'query_key', name='uq_search_pins_lang_key'))
    op.create_table(
        'search_learned',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=16), nullable=False),
        sa.Column('query_key', sa.String(length=200), nullable=False),
        sa.Column('example', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=255), nullable=False),
        sa.Column('sessions', sa.Integer(), nullable=False),
        sa.Column('stayed', sa.Float(), nullable=False),
        sa.Column('came_back', sa.Float(), nullable=False),
        sa.Column('boost', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('lang', 'query_key', 'slug', name='uq_search_learned_lang_key_slug'))
    op.create_table(
        'search_tuning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('learning', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('learned_at', portal.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('search_tuning')
    op.drop_table('search_learned')
    op.drop_table('search_pins')
    op.drop_index('ix_search_synonyms_lang', table_name='search_synonyms')
    op.drop_table('search_synonyms')
