"""claim_guards: one standing claim per (customer, order / incident / ICP filing)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 12:00:00

Existing standing claims (not rejected or withdrawn) get their guard rows; where a
target already has several standing claims (filed before this guarantee), the
oldest one holds it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: lifecycle.RELEASED as of this revision (a migration never imports live code).
RELEASED = "('rejected', 'withdrawn')"
#: kind -> (join, target column) of the targets a standing claim of that kind holds.
TARGETS = {
    'refund': ('JOIN claim_items t ON t.claim_id = c.id', 't.order_id'),
    'compensation': ('', 'c.incident_id'),
    'icp_reward': ('', 'c.filing_id'),
}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('claim_guards',
    sa.Column('customer_id', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.String(length=16), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('refund', 'compensation', 'icp_reward')", name=op.f('ck_claim_guards_kind')),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_guards_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.customer_id'], name=op.f('fk_claim_guards_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'kind', 'target_id', name=op.f('pk_claim_guards'))
    )
    op.create_index(op.f('ix_claim_guards_claim_id'), 'claim_guards', ['claim_id'], unique=False)
    for kind, (join, target) in TARGETS.items():
        op.execute(
            f"INSERT INTO claim_guards (customer_id, kind, target_id, claim_id) "
            f"SELECT c.customer_id, '{kind}', {target}, MIN(c.id) FROM claims c {join} "
            f"WHERE c.kind = '{kind}' AND c.customer_id IS NOT NULL AND {target} IS NOT NULL "
            f"AND c.status NOT IN {RELEASED} GROUP BY c.customer_id, {target}"
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_claim_guards_claim_id'), table_name='claim_guards')
    op.drop_table('claim_guards')
