"""The schema as it was before migrations: every sandbox database made by create_all() until then.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('api_password', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=False),
    sa.Column('daily_rate', sa.Float(), nullable=False),
    sa.Column('market_rent_enabled', sa.Boolean(), nullable=False),
    sa.Column('use_custom_application_link', sa.Boolean(), nullable=False),
    sa.Column('rental_application_url', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('roles',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sbx_faults',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('match', sa.JSON(), nullable=False),
    sa.Column('action', sa.JSON(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=True),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_table('sbx_journal',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('api', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('client_id', sa.String(length=100), nullable=True),
    sa.Column('entry', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_table('sbx_rate_buckets',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('updated', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'key')
    )
    op.create_table('sbx_snapshots',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('sbx_tenants',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('api', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('recipe', sa.JSON(), nullable=False),
    sa.Column('credentials', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('trv_clients',
    sa.Column('client_id', sa.String(length=100), nullable=False),
    sa.Column('client_secret', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('client_id')
    )
    op.create_table('buildings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('number_of_units', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_buildings_company_id'), 'buildings', ['company_id'], unique=False)
    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_persons_company_id'), 'persons', ['company_id'], unique=False)
    op.create_table('trv_groups',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('external_ref', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['trv_clients.client_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_ref')
    )
    op.create_index(op.f('ix_trv_groups_client_id'), 'trv_groups', ['client_id'], unique=False)
    op.create_table('trv_tokens',
    sa.Column('token', sa.String(length=200), nullable=False),
    sa.Column('client_id', sa.String(length=100), nullable=True),
    sa.Column('group_ids', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('always_expired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['trv_clients.client_id'], ),
    sa.PrimaryKeyConstraint('token')
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('is_primary_admin', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_users_company_id'), 'users', ['company_id'], unique=False)
    op.create_table('building_amenities',
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('amenity_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], ),
    sa.PrimaryKeyConstraint('building_id', 'amenity_id')
    )
    op.create_table('floorplans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('bedrooms', sa.Float(), nullable=False),
    sa.Column('bathrooms', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('building_id', 'bedrooms', 'bathrooms')
    )
    op.create_index(op.f('ix_floorplans_building_id'), 'floorplans', ['building_id'], unique=False)
    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'email')
    )
    op.create_index(op.f('ix_team_members_company_id'), 'team_members', ['company_id'], unique=False)
    op.create_table('trv_persons',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=True),
    sa.Column('external_ref', sa.String(length=100), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('email_address', sa.String(length=200), nullable=True),
    sa.Column('phone_number', sa.String(length=40), nullable=True),
    sa.Column('is_landlord', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['trv_groups.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('trv_units',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('external_ref', sa.String(length=100), nullable=True),
    sa.Column('unit_number', sa.String(length=40), nullable=True),
    sa.Column('building_name', sa.String(length=200), nullable=True),
    sa.Column('address_line_1', sa.String(length=200), nullable=True),
    sa.Column('address_line_2', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['trv_groups.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_trv_units_external_ref'), 'trv_units', ['external_ref'], unique=False)
    op.create_index(op.f('ix_trv_units_group_id'), 'trv_units', ['group_id'], unique=False)
    op.create_table('properties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('floorplan_id', sa.Integer(), nullable=True),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('suite_unit', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('city', sa.String(length=200), nullable=False),
    sa.Column('province_state', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('date_available', sa.Date(), nullable=True),
    sa.Column('rent_amount', sa.Float(), nullable=False),
    sa.Column('rent_market', sa.Float(), nullable=True),
    sa.Column('security_deposit', sa.Float(), nullable=False),
    sa.Column('rent_payment_frequency', sa.String(length=40), nullable=False),
    sa.Column('renewal_frequency', sa.String(length=60), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=False),
    sa.Column('rental_space', sa.String(length=40), nullable=False),
    sa.Column('bedrooms', sa.Float(), nullable=False),
    sa.Column('bathrooms', sa.Float(), nullable=False),
    sa.Column('size_sqft', sa.Integer(), nullable=False),
    sa.Column('max_occupancy', sa.Integer(), nullable=False),
    sa.Column('parking_stalls', sa.Integer(), nullable=True),
    sa.Column('furnishing', sa.Integer(), nullable=False),
    sa.Column('storage_available', sa.Integer(), nullable=False),
    sa.Column('rental_application_url', sa.Text(), nullable=True),
    sa.Column('contact_first_name', sa.String(length=100), nullable=True),
    sa.Column('contact_last_name', sa.String(length=100), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_dial_code', sa.String(length=8), nullable=True),
    sa.Column('contact_notify_email', sa.Boolean(), nullable=True),
    sa.Column('contact_notify_sms', sa.Boolean(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('marketing_start', sa.Date(), nullable=True),
    sa.Column('marketing_end', sa.Date(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['buildings.id'], ),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['floorplan_id'], ['floorplans.id'], ),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('company_id', 'slug'),
    sa.UniqueConstraint('uuid')
    )
    op.create_index(op.f('ix_properties_building_id'), 'properties', ['building_id'], unique=False)
    op.create_index(op.f('ix_properties_company_id'), 'properties', ['company_id'], unique=False)
    op.create_table('trv_leases',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('identifier', sa.String(length=64), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('landlord_id', sa.String(length=64), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('move_in_date', sa.Date(), nullable=True),
    sa.Column('is_furnished', sa.Boolean(), nullable=False),
    sa.Column('minimum_days_notice', sa.Integer(), nullable=False),
    sa.Column('deposit', sa.Float(), nullable=False),
    sa.Column('rent', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['trv_groups.id'], ),
    sa.ForeignKeyConstraint(['landlord_id'], ['trv_persons.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['trv_units.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('identifier'),
    sqlite_autoincrement=True
    )
    op.create_index('ix_trv_leases_group_seq', 'trv_leases', ['group_id', 'seq'], unique=False)
    op.create_index('ix_trv_leases_start', 'trv_leases', ['start_date'], unique=False)
    op.create_index(op.f('ix_trv_leases_unit_id'), 'trv_leases', ['unit_id'], unique=False)
    op.create_table('billing_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('marketplace', sa.String(length=40), nullable=False),
    sa.Column('daily_rate', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('property_id', 'marketplace')
    )
    op.create_index(op.f('ix_billing_items_company_id'), 'billing_items', ['company_id'], unique=False)
    op.create_table('leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_leads_company_created', 'leads', ['company_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_leads_property_id'), 'leads', ['property_id'], unique=False)
    op.create_table('leases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_leases_property_id'), 'leases', ['property_id'], unique=False)
    op.create_table('property_features',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('feature_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('property_id', 'feature_id')
    )
    op.create_table('property_marketplaces',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('marketplace', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('property_id', 'marketplace')
    )
    op.create_table('property_photos',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('property_id', 'position')
    )
    op.create_table('property_restrictions',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('restriction_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.PrimaryKeyConstraint('property_id', 'restriction_id')
    )
    op.create_table('property_team_members',
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('team_member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.ForeignKeyConstraint(['team_member_id'], ['team_members.id'], ),
    sa.PrimaryKeyConstraint('property_id', 'team_member_id')
    )
    op.create_table('trv_lease_tenants',
    sa.Column('lease_seq', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lease_seq'], ['trv_leases.seq'], ),
    sa.ForeignKeyConstraint(['person_id'], ['trv_persons.id'], ),
    sa.PrimaryKeyConstraint('lease_seq', 'person_id')
    )
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=60), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('tenancy_application_status', sa.String(length=60), nullable=True),
    sa.Column('approval_status', sa.String(length=60), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lead_id')
    )
    op.create_table('showings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('team_member_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.ForeignKeyConstraint(['property_id'], ['properties.id'], ),
    sa.ForeignKeyConstraint(['team_member_id'], ['team_members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_showings_company_start', 'showings', ['company_id', 'starts_at'], unique=False)
    op.create_index(op.f('ix_showings_property_id'), 'showings', ['property_id'], unique=False)


def downgrade() -> None:

    op.drop_index(op.f('ix_showings_property_id'), table_name='showings')
    op.drop_index('ix_showings_company_start', table_name='showings')
    op.drop_table('showings')
    op.drop_table('applications')
    op.drop_table('trv_lease_tenants')
    op.drop_table('property_team_members')
    op.drop_table('property_restrictions')
    op.drop_table('property_photos')
    op.drop_table('property_marketplaces')
    op.drop_table('property_features')
    op.drop_index(op.f('ix_leases_property_id'), table_name='leases')
    op.drop_table('leases')
    op.drop_index(op.f('ix_leads_property_id'), table_name='leads')
    op.drop_index('ix_leads_company_created', table_name='leads')
    op.drop_table('leads')
    op.drop_index(op.f('ix_billing_items_company_id'), table_name='billing_items')
    op.drop_table('billing_items')
    op.drop_index(op.f('ix_trv_leases_unit_id'), table_name='trv_leases')
    op.drop_index('ix_trv_leases_start', table_name='trv_leases')
    op.drop_index('ix_trv_leases_group_seq', table_name='trv_leases')
    op.drop_table('trv_leases')
    op.drop_index(op.f('ix_properties_company_id'), table_name='properties')
    op.drop_index(op.f('ix_properties_building_id'), table_name='properties')
    op.drop_table('properties')
    op.drop_index(op.f('ix_trv_units_group_id'), table_name='trv_units')
    op.drop_index(op.f('ix_trv_units_external_ref'), table_name='trv_units')
    op.drop_table('trv_units')
    op.drop_table('trv_persons')
    op.drop_index(op.f('ix_team_members_company_id'), table_name='team_members')
    op.drop_table('team_members')
    op.drop_index(op.f('ix_floorplans_building_id'), table_name='floorplans')
    op.drop_table('floorplans')
    op.drop_table('building_amenities')
    op.drop_index(op.f('ix_users_company_id'), table_name='users')
    op.drop_table('users')
    op.drop_table('trv_tokens')
    op.drop_index(op.f('ix_trv_groups_client_id'), table_name='trv_groups')
    op.drop_table('trv_groups')
    op.drop_index(op.f('ix_persons_company_id'), table_name='persons')
    op.drop_table('persons')
    op.drop_index(op.f('ix_buildings_company_id'), table_name='buildings')
    op.drop_table('buildings')
    op.drop_table('trv_clients')
    op.drop_table('settings')
    op.drop_table('sbx_tenants')
    op.drop_table('sbx_snapshots')
    op.drop_table('sbx_rate_buckets')
    op.drop_table('sbx_journal')
    op.drop_table('sbx_faults')
    op.drop_table('roles')
    op.drop_table('companies')
