"""endorsement: an index of the public list by province or territory, for filtered lists

Revision ID: a91f3c7d2e58
Revises: e2b6c8d4f1a9
Create Date: 2026-12-04 20:40:00.000000

Additive: old code ignores it. PostgreSQL builds it in one statement that holds back writes to
`endorsement` while it runs (about a second per 100,000 endorsements).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a91f3c7d2e58'
down_revision = 'e2b6c8d4f1a9'
branch_labels = None
depends_on = None

COLUMNS = [
    'platform_id',
    'status',
    'province',
    'kind',
    'org_type',
    'by_and_for',
    'display_mode',
    'sort_key_en',
    'sort_key_fr',
    'approved_at',
    'id',
]


def upgrade():
    # Not in batch mode: on SQLite a batch could rebuild the table, which drops the search
    # and count triggers (see directory/search.py).
    op.create_index('ix_endorsement_directory_province', 'endorsement', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_endorsement_directory_province', table_name='endorsement')
