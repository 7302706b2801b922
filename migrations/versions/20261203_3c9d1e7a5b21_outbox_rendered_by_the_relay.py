"""outbox: messages queued as template values, rendered by the relay; withheld messages;
endorsement: when the sign-on form was last sent

Revision ID: 3c9d1e7a5b21
Revises: f7a7b80be3d4
Create Date: 2026-12-03 12:00:00.000000

Messages already queued keep their rendered subject and bodies (their `context` is NULL) and
are sent as written.
"""
from alembic import op
import sqlalchemy as sa

import petition.db_types


# revision identifiers, used by Alembic.
revision = '3c9d1e7a5b21'
down_revision = 'f7a7b80be3d4'
branch_labels = None
depends_on = None

OLD = ("queued", "sending", "sent", "failed")
NEW = (*OLD, "withheld")


def _statuses(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('last_signon_at', petition.db_types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_outbox_status'), type_='check')
        batch_op.alter_column(
            'status', existing_type=sa.String(length=7), type_=sa.String(length=8),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_outbox_status'), _statuses(NEW))


def downgrade():
    # Withheld messages were never to be sent: they go. Messages still waiting for the relay
    # are rendered by it, which the older code cannot do: render them first (`flask outbox
    # relay --once`) or they are lost; here they are deleted rather than sent empty.
    op.execute("DELETE FROM outbox_message WHERE status = 'withheld'")
    op.execute("DELETE FROM outbox_message WHERE context IS NOT NULL AND status <> 'sent'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_outbox_status'), type_='check')
        batch_op.alter_column(
            'status', existing_type=sa.String(length=8), type_=sa.String(length=7),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_outbox_status'), _statuses(OLD))
        batch_op.drop_column('context')
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.drop_column('last_signon_at')
