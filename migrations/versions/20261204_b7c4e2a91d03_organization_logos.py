"""logo wall: organizations' logos, founding organizations, who leads the wall

Revision ID: b7c4e2a91d03
Revises: d7a3b9c1e5f2
Create Date: 2026-12-04 02:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7c4e2a91d03'
down_revision = 'd7a3b9c1e5f2'
branch_labels = None
depends_on = None

WALL_ORDERS = ('by_and_for_first', 'founding_first', 'alphabetical')


def upgrade():
    op.create_table('organization_logo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endorsement_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', name='logo_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endorsement_id'], ['endorsement.id'], name=op.f('fk_organization_logo_endorsement_id_endorsement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_logo')),
    sa.UniqueConstraint('endorsement_id', name=op.f('uq_organization_logo_endorsement_id'))
    )
    with op.batch_alter_table('organization_logo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_logo_digest'), ['digest'], unique=False)
    # Additive, with defaults: servers still on the previous release write rows without them.
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('founding', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wall_order', sa.Enum(*WALL_ORDERS, name='wall_order', native_enum=False, create_constraint=False), nullable=False, server_default='by_and_for_first'))
        batch_op.create_check_constraint('wall_order', sa.column('wall_order').in_(WALL_ORDERS))


def downgrade():
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.drop_constraint('wall_order', type_='check')
        batch_op.drop_column('wall_order')
    with op.batch_alter_table('endorsement', schema=None) as batch_op:
        batch_op.drop_column('founding')
    with op.batch_alter_table('organization_logo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_logo_digest'))
    op.drop_table('organization_logo')
