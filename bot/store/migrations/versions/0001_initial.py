"""initial schema: customers, orders, incidents, ICP filings, claims

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 06:38:35.736042

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from bot.store.types import Money, UTCDateTime


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('customers',
    sa.Column('customer_id', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('accumulated_recharge', Money(), nullable=False),
    sa.Column('icp_reward_received', sa.Boolean(), nullable=False),
    sa.CheckConstraint("tier IN ('common', 'vip')", name=op.f('ck_customers_tier')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customers'))
    )
    op.create_table('incidents',
    sa.Column('incident_id', sa.String(length=16), nullable=False),
    sa.Column('product', sa.String(length=8), nullable=False),
    sa.Column('scenario', sa.String(length=32), nullable=True),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('started_at', UTCDateTime(), nullable=False),
    sa.Column('rectified_at', UTCDateTime(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.CheckConstraint("cause IN ('platform', 'unknown', 'force_majeure', 'unexpected_event', 'scheduled_maintenance', 'carrier_fault', 'internet_backbone', 'attack_or_virus', 'user_network_or_device', 'user_improper_operation', 'user_negligence', 'terms_violation', 'unforeseeable_other')", name=op.f('ck_incidents_cause')),
    sa.CheckConstraint("product IN ('ECS', 'EVS', 'OBS', 'RDS', 'CDN', 'VPC', 'ELB')", name=op.f('ck_incidents_product')),
    sa.CheckConstraint("scenario IN ('service_unavailable', 'website_inaccessible', 'provisioning_failure', 'config_change_failure', 'billing_error')", name=op.f('ck_incidents_scenario')),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_incidents'))
    )
    op.create_table('orders',
    sa.Column('order_id', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.String(length=8), nullable=False),
    sa.Column('resource_id', sa.String(length=16), nullable=False),
    sa.Column('product', sa.String(length=8), nullable=False),
    sa.Column('billing', sa.String(length=24), nullable=False),
    sa.Column('purchased_at', UTCDateTime(), nullable=False),
    sa.Column('amount_paid', Money(), nullable=False),
    sa.Column('daily_cost', Money(), nullable=False),
    sa.Column('resource_state', sa.String(length=16), nullable=False),
    sa.Column('invoice', sa.String(length=16), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=True),
    sa.CheckConstraint("billing IN ('hourly', 'monthly', 'yearly', 'pay_per_use', 'pay_per_use_package')", name=op.f('ck_orders_billing')),
    sa.CheckConstraint("invoice IN ('none', 'issued', 'returned')", name=op.f('ck_orders_invoice')),
    sa.CheckConstraint("product IN ('ECS', 'EVS', 'OBS', 'RDS', 'CDN', 'VPC', 'ELB')", name=op.f('ck_orders_product')),
    sa.CheckConstraint("resource_state IN ('active', 'grace', 'reservation')", name=op.f('ck_orders_resource_state')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.customer_id'], name=op.f('fk_orders_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_orders')),
    sa.UniqueConstraint('resource_id', name=op.f('uq_orders_resource_id'))
    )
    op.create_index(op.f('ix_orders_customer_id'), 'orders', ['customer_id'], unique=False)

    op.create_table('discounts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount', Money(), nullable=False),
    sa.Column('recoverable', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('discount', 'reward', 'coupon')", name=op.f('ck_discounts_kind')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_discounts_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discounts'))
    )
    op.create_index(op.f('ix_discounts_order_id'), 'discounts', ['order_id'], unique=False)

    op.create_table('icp_filings',
    sa.Column('filing_id', sa.String(length=16), nullable=False),
    sa.Column('customer_id', sa.String(length=8), nullable=False),
    sa.Column('domain', sa.String(length=200), nullable=False),
    sa.Column('first_with_provider', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=True),
    sa.Column('approved_at', UTCDateTime(), nullable=True),
    sa.Column('customer_delay_days', sa.Integer(), nullable=False),
    sa.Column('host_order_id', sa.String(length=16), nullable=True),
    sa.Column('host_used_for_website', sa.Boolean(), nullable=False),
    sa.Column('host_status', sa.String(length=32), nullable=False),
    sa.CheckConstraint("host_status IN ('active', 'terminated_early', 'expired_not_renewed')", name=op.f('ck_icp_filings_host_status')),
    sa.CheckConstraint("status IN ('not_submitted', 'in_progress', 'submitted_to_authority', 'approved', 'rejected')", name=op.f('ck_icp_filings_status')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.customer_id'], name=op.f('fk_icp_filings_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['host_order_id'], ['orders.order_id'], name=op.f('fk_icp_filings_host_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('filing_id', name=op.f('pk_icp_filings'))
    )
    op.create_index(op.f('ix_icp_filings_customer_id'), 'icp_filings', ['customer_id'], unique=False)

    op.create_table('incident_orders',
    sa.Column('incident_id', sa.String(length=16), nullable=False),
    sa.Column('order_id', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.incident_id'], name=op.f('fk_incident_orders_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_incident_orders_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'order_id', name=op.f('pk_incident_orders'))
    )
    op.create_index(op.f('ix_incident_orders_order_id'), 'incident_orders', ['order_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('owner_key', sa.String(length=160), nullable=False),
    sa.Column('customer_id', sa.String(length=8), nullable=True),
    sa.Column('conversation_id', sa.String(length=128), nullable=True),
    sa.Column('idempotency_key', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('case', sa.JSON(), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('rules_failed', sa.JSON(), nullable=True),
    sa.Column('amount', Money(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('policy_version', sa.String(length=64), nullable=True),
    sa.Column('incident_id', sa.String(length=16), nullable=True),
    sa.Column('filing_id', sa.String(length=16), nullable=True),
    sa.Column('topic', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.CheckConstraint("kind IN ('refund', 'compensation', 'icp_reward', 'ticket')", name=op.f('ck_claims_kind')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.customer_id'], name=op.f('fk_claims_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['filing_id'], ['icp_filings.filing_id'], name=op.f('fk_claims_filing_id_icp_filings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.incident_id'], name=op.f('fk_claims_incident_id_incidents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('owner_key', 'idempotency_key', name='uq_claims_owner_idempotency'),
    sa.UniqueConstraint('reference', name=op.f('uq_claims_reference'))
    )
    op.create_index('ix_claims_customer_kind_created', 'claims', ['customer_id', 'kind', 'created_at'], unique=False)

    op.create_table('claim_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_events_claim_id_claims'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_events'))
    )
    op.create_index(op.f('ix_claim_events_claim_id'), 'claim_events', ['claim_id'], unique=False)

    op.create_table('claim_items',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=16), nullable=False),
    sa.Column('decision', sa.String(length=24), nullable=False),
    sa.Column('amount', Money(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_items_claim_id_claims'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_claim_items_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_items'))
    )
    op.create_index(op.f('ix_claim_items_claim_id'), 'claim_items', ['claim_id'], unique=False)
    op.create_index(op.f('ix_claim_items_order_id'), 'claim_items', ['order_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_claim_items_order_id'), table_name='claim_items')
    op.drop_index(op.f('ix_claim_items_claim_id'), table_name='claim_items')

    op.drop_table('claim_items')
    op.drop_index(op.f('ix_claim_events_claim_id'), table_name='claim_events')

    op.drop_table('claim_events')
    op.drop_index('ix_claims_customer_kind_created', table_name='claims')

    op.drop_table('claims')
    op.drop_index(op.f('ix_incident_orders_order_id'), table_name='incident_orders')

    op.drop_table('incident_orders')
    op.drop_index(op.f('ix_icp_filings_customer_id'), table_name='icp_filings')

    op.drop_table('icp_filings')
    op.drop_index(op.f('ix_discounts_order_id'), table_name='discounts')

    op.drop_table('discounts')
    op.drop_index(op.f('ix_orders_customer_id'), table_name='orders')

    op.drop_table('orders')
    op.drop_table('incidents')
    op.drop_table('customers')
