"""endorsement: full-text search index of the folded names (SQLite FTS5 kept by triggers,
PostgreSQL GIN on the words)

Revision ID: c4e8f1a2b3d5
Revises: 9e41c7d2a0b6
Create Date: 2026-12-04 02:30:00.000000

The index is described in petition/directory/search.py (not in the SQLAlchemy metadata); on an
existing database it is built from the rows already there.
"""
from alembic import op

from petition.directory import search


# revision identifiers, used by Alembic.
revision = 'c4e8f1a2b3d5'
down_revision = '9e41c7d2a0b6'
branch_labels = None
depends_on = None


def upgrade():
    search.install(op.get_bind())


def downgrade():
    search.uninstall(op.get_bind())
