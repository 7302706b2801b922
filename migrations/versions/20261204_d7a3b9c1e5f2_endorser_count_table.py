"""endorser_count: approved endorsements per platform, kind, listing, province, type and
by-and-for, kept in step by triggers

Revision ID: d7a3b9c1e5f2
Revises: bfea3258fb10
Create Date: 2026-12-04 02:40:00.000000

The triggers are described in petition/directory/tally.py; on an existing database the table
is filled from the rows already there.
"""
from alembic import op
import sqlalchemy as sa

from petition.directory import tally


# revision identifiers, used by Alembic.
revision = 'd7a3b9c1e5f2'
down_revision = 'bfea3258fb10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'endorser_count',
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('listed', sa.Boolean(), nullable=False),
        sa.Column('province', sa.String(length=10), nullable=False),
        sa.Column('org_type', sa.String(length=40), nullable=False),
        sa.Column('by_and_for', sa.Boolean(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platform.id'], name=op.f('fk_endorser_count_platform_id_platform'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('platform_id', 'kind', 'listed', 'province', 'org_type', 'by_and_for', name=op.f('pk_endorser_count')),
    )
    tally.install(op.get_bind())


def downgrade():
    tally.uninstall(op.get_bind())
    op.drop_table('endorser_count')
