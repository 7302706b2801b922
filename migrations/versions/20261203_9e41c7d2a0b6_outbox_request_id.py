"""outbox: the request that queued each email

Revision ID: 9e41c7d2a0b6
Revises: 3c9d1e7a5b21
Create Date: 2026-12-03 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e41c7d2a0b6'
down_revision = '3c9d1e7a5b21'
branch_labels = None
depends_on = None


def upgrade():
    # Additive: servers still on the previous release write rows without it.
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('request_id')
