"""outbox_message: a partial index of queued messages in send order, for the relay's claim

Revision ID: e2b6c8d4f1a9
Revises: b7c4e2a91d03
Create Date: 2026-12-04 02:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2b6c8d4f1a9'
down_revision = 'b7c4e2a91d03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_queued', ['next_attempt_at', 'id'], unique=False, postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'"))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_queued', postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'"))
