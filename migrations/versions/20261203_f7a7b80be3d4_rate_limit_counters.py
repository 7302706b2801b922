"""rate limit counters: the database:// rate-limit store, shared by every app process

Revision ID: f7a7b80be3d4
Revises: 5f3ab7250498
Create Date: 2026-12-03 14:03:57.533588

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7a7b80be3d4'
down_revision = '5f3ab7250498'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counter'))
    )


def downgrade():
    op.drop_table('rate_limit_counter')
