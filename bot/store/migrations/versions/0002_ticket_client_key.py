"""claims.client_key: the keyed client address of a guest ticket (docs/SECURITY.md, guarantee 7)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 07:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('claims') as batch:
        batch.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
    op.create_index('ix_claims_kind_client_created', 'claims', ['kind', 'client_key', 'created_at'],
                    unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_claims_kind_client_created', table_name='claims')
    with op.batch_alter_table('claims') as batch:
        batch.drop_column('client_key')
