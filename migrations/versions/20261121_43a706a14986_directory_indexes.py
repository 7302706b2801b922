"""directory indexes: covering indexes for the public list (name and date order, counts), trigram name search

Revision ID: 43a706a14986
Revises: b5970f8e893c
Create Date: 2026-11-21 23:26:18.516983

"""
from alembic import op
import sqlalchemy as sa

import petition.db_types


# revision identifiers, used by Alembic.
revision = '43a706a14986'
down_revision = 'b5970f8e893c'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The trigram operator class behind the name-search index (a trusted extension since
        # PostgreSQL 13: the database owner may create it).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.create_index('ix_endorsement_directory_date', ['platform_id', 'status', 'approved_at', 'id', 'kind', 'display_mode', 'province', 'org_type', 'by_and_for', 'search_key'], unique=False)
        batch_op.create_index('ix_endorsement_directory_name_en', ['platform_id', 'status', 'sort_key_en', 'id', 'kind', 'display_mode', 'province', 'org_type', 'by_and_for', 'search_key'], unique=False)
        batch_op.create_index('ix_endorsement_directory_name_fr', ['platform_id', 'status', 'sort_key_fr', 'id', 'kind', 'display_mode', 'province', 'org_type', 'by_and_for', 'search_key'], unique=False)
        batch_op.create_index('ix_endorsement_directory_counts', ['platform_id', 'status', 'kind', 'display_mode', 'province', 'org_type', 'by_and_for', 'search_key'], unique=False)
        # GIN trigram index on PostgreSQL; on SQLite an always-empty partial index (see
        # petition/directory/models.py).
        batch_op.create_index('ix_endorsement_search_key_trgm', ['search_key'], unique=False, postgresql_using='gin', postgresql_ops={'search_key': 'gin_trgm_ops'}, sqlite_where=sa.text('0'))


def downgrade():
    # pg_trgm stays installed: other objects may use it, and it holds no data.
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.drop_index('ix_endorsement_search_key_trgm')
        batch_op.drop_index('ix_endorsement_directory_counts')
        batch_op.drop_index('ix_endorsement_directory_name_fr')
        batch_op.drop_index('ix_endorsement_directory_name_en')
        batch_op.drop_index('ix_endorsement_directory_date')
