"""Least privilege in the database: proposals, the public's projection, the audit trail, identities, tenants.

One open proposal per entry *and tenant*: a unique index over every tenant's proposals told a
tenant that another tenant's unpublished draft had that id (uniqueness checks bypass row-level
security). A published entry of another owner is still refused, as it is public anyway.

The published directory tables were readable by anyone, every row and column. Now whole rows
are read only in a transaction acting for a tenant (professionals, jobs acting for an owner,
the coordinator's publishing); anyone else reads the views `directory_public_organization` and
`directory_public_service`, whose documents hold only the fields listed below and only the
phones marked public. The views run as their owner (the migrating role), whose one SELECT
policy on the tables lets the views see every row; the runtime role may read the views only.
They are not security barriers: they hide columns, not rows, so there is nothing a leaky
function could see early, and a barrier would stop searches from using the tables' indexes.

The runtime role no longer inserts into the audit trail: `audit_append` appends a link only if
it follows its chain's head, is stamped now and belongs to the tenant the transaction acts for;
the link's hash is an HMAC whose key the database never sees (links from before: `keyed` false).
It no longer inserts login identities: `register_first_login` links a new identity to a new
person, never to one who exists. Of a tenant it updates `active` alone, never its kind.

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role

revision = "0018"
down_revision = "0020"
branch_labels = None
depends_on = None


_TENANT_SET = "NULLIF(current_setting('app.tenant_id', true), '') IS NOT NULL"
# The fields of each document the public may read: a field added to an entry stays
# professional-only until it is added here.
_PUBLIC_ORGANIZATION_FIELDS = (
    "id",
    "name",
    "description",
    "operation_type",
    "alternate_name",
    "website",
    "email",
    "organization_number",
)
_PUBLIC_SERVICE_FIELDS = (
    "id",
    "organization_id",
    "name",
    "description",
    "catchment",
    "status",
    "alternate_name",
    "url",
    "email",
    "threat_requirement",
    "police_report_required",
    "accepts_serious_threat",
    "reaches_custody",
    "minimum_age",
    "maximum_age",
    "drug_policy",
    "target_groups",
    "interventions",
    "funding_rule",
    "channels",
    "anonymous_contact",
    "capacity",
    "languages",
    "eligibility_description",
    "application_process",
    "contacts",
    "opening_hours",
    "locations",
    "verified_on",
    "source_note",
)
_SERVICE_COLUMNS = (
    "id, organization_id, tenant_id, name, status, operation_type, whole_country, catchment_municipalities,"
    " minimum_age, maximum_age, target_groups, interventions, threat_requirement, accepts_serious_threat,"
    " funding_rule, search_text, search, verified_on, published_at"
)


def _fields(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]"


def _public_projection() -> None:
    op.execute(
        "CREATE FUNCTION directory_public_document(document jsonb, fields text[]) RETURNS jsonb"
        " LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$"
        " SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(document)"
        " WHERE key = ANY (fields) $$"
    )
    op.execute(
        "CREATE FUNCTION directory_public_phones(document jsonb) RETURNS jsonb"
        " LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$"
        " SELECT coalesce(jsonb_agg(phone), '[]'::jsonb)"
        " FROM jsonb_array_elements(coalesce(document -> 'phones', '[]'::jsonb)) AS phone"
        " WHERE coalesce(phone ->> 'public', 'true') = 'true' $$"
    )
    for table in ("directory_organization", "directory_service"):
        op.execute(f"DROP POLICY public_read ON {table}")
        op.execute(f"CREATE POLICY professional_read ON {table} FOR SELECT USING ({_TENANT_SET})")
        op.execute(f"CREATE POLICY public_projection ON {table} FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(
        "CREATE VIEW directory_public_organization AS"
        " SELECT id, tenant_id, name, operation_type, published_at,"
        f" directory_public_document(document, {_fields(_PUBLIC_ORGANIZATION_FIELDS)}) AS document"
        " FROM directory_organization"
    )
    op.execute(
        "CREATE VIEW directory_public_service AS"
        f" SELECT {_SERVICE_COLUMNS},"
        f" directory_public_document(document, {_fields(_PUBLIC_SERVICE_FIELDS)})"
        " || jsonb_build_object('phones', directory_public_phones(document)) AS document"
        " FROM directory_service"
    )
    grant_runtime("directory_public_organization", "SELECT")
    grant_runtime("directory_public_service", "SELECT")


def _whole_rows_for_everyone() -> None:
    op.execute("DROP VIEW directory_public_service")
    op.execute("DROP VIEW directory_public_organization")
    for table in ("directory_organization", "directory_service"):
        op.execute(f"DROP POLICY public_projection ON {table}")
        op.execute(f"DROP POLICY professional_read ON {table}")
        op.execute(f"CREATE POLICY public_read ON {table} FOR SELECT USING (true)")
    op.execute("DROP FUNCTION directory_public_phones(jsonb)")
    op.execute("DROP FUNCTION directory_public_document(jsonb, text[])")


_APPEND_ARGUMENTS = (
    "p_chain text, p_seq bigint, p_tenant_id uuid, p_occurred_at timestamptz, p_actor_user_id uuid,"
    " p_actor_client_id text, p_action text, p_object_type text, p_object_id text, p_reason text,"
    " p_request_id text, p_prev_hash text, p_hash text"
)
_APPEND_SIGNATURE = (
    "audit_append(text, bigint, uuid, timestamptz, uuid, text, text, text, text, text, text, text, text)"
)
# The writer's advisory lock (avhopp.platform.audit.trail): "AUDT" and the chain.
_APPEND_BODY = """
DECLARE
    head_seq bigint;
    head_hash text;
    verifying text := coalesce(current_setting('app.audit_verify', true), '');
BEGIN
    IF p_tenant_id IS NOT NULL
       AND p_tenant_id IS DISTINCT FROM NULLIF(current_setting('app.tenant_id', true), '')::uuid THEN
        RAISE EXCEPTION 'audit: not the tenant this transaction acts for' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_chain IS DISTINCT FROM coalesce(p_tenant_id::text, 'platform') THEN
        RAISE EXCEPTION 'audit: wrong chain' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(1096107092, hashtext(p_chain));
    PERFORM set_config('app.audit_verify', 'on', true);
    SELECT seq, hash INTO head_seq, head_hash FROM audit_event WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
    PERFORM set_config('app.audit_verify', verifying, true);
    IF p_seq IS DISTINCT FROM coalesce(head_seq, 0) + 1
       OR p_prev_hash IS DISTINCT FROM coalesce(head_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'audit: the link does not follow its chain''s head' USING ERRCODE = 'check_violation';
    END IF;
    IF p_occurred_at IS NULL OR p_occurred_at < transaction_timestamp() OR p_occurred_at > clock_timestamp() THEN
        RAISE EXCEPTION 'audit: a link is stamped with the time it is written' USING ERRCODE = 'check_violation';
    END IF;
    IF p_hash IS NULL OR p_hash !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'audit: not a hash' USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO audit_event (chain, seq, tenant_id, occurred_at, actor_user_id, actor_client_id, action,
                             object_type, object_id, reason, request_id, prev_hash, hash, keyed)
    VALUES (p_chain, p_seq, p_tenant_id, p_occurred_at, p_actor_user_id, p_actor_client_id, p_action,
            p_object_type, p_object_id, p_reason, p_request_id, p_prev_hash, p_hash, true);
END
"""


def _grant(statement: str, target: str) -> None:
    op.execute(sql.SQL(statement).format(sql.SQL(target), sql.Identifier(runtime_role())).as_string())


def _append_only_through_the_function() -> None:
    # Links from before are plain SHA-256; the function marks every new one keyed.
    op.add_column("audit_event", sa.Column("keyed", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.alter_column("audit_event", "keyed", server_default=sa.text("true"))
    op.execute(
        f"CREATE FUNCTION audit_append({_APPEND_ARGUMENTS}) RETURNS void LANGUAGE plpgsql SECURITY DEFINER"
        f" SET search_path = pg_catalog, public AS $${_APPEND_BODY}$$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {_APPEND_SIGNATURE} FROM PUBLIC")
    _grant("GRANT EXECUTE ON FUNCTION {} TO {}", _APPEND_SIGNATURE)
    _grant("REVOKE INSERT ON TABLE {} FROM {}", "audit_event")
    _grant("REVOKE USAGE ON SEQUENCE {} FROM {}", "audit_event_id_seq")


def _append_by_insert() -> None:
    _grant("GRANT INSERT ON TABLE {} TO {}", "audit_event")
    _grant("GRANT USAGE ON SEQUENCE {} TO {}", "audit_event_id_seq")
    op.execute(f"DROP FUNCTION {_APPEND_SIGNATURE}")
    op.drop_column("audit_event", "keyed")


_FIRST_LOGIN_SIGNATURE = "register_first_login(text, text, text, text)"
_FIRST_LOGIN = """
CREATE FUNCTION register_first_login(
    p_issuer text, p_subject text, p_display_name text, p_email text
) RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    new_user uuid;
BEGIN
    INSERT INTO app_user (display_name, email, last_login_at) VALUES (p_display_name, p_email, now())
    RETURNING id INTO new_user;
    INSERT INTO user_identity (user_id, issuer, subject) VALUES (new_user, p_issuer, p_subject);
    RETURN new_user;
END $$
"""


def _identities_and_tenants_by_function_only() -> None:
    # A first login links a new identity to a new person, never to one who exists; a tenant's
    # kind (which decides what its people may do) is the platform administration's, set at creation.
    op.execute(_FIRST_LOGIN)
    op.execute(f"REVOKE ALL ON FUNCTION {_FIRST_LOGIN_SIGNATURE} FROM PUBLIC")
    _grant("GRANT EXECUTE ON FUNCTION {} TO {}", _FIRST_LOGIN_SIGNATURE)
    _grant("REVOKE INSERT ON TABLE {} FROM {}", "user_identity")
    _grant("REVOKE UPDATE ON TABLE {} FROM {}", "tenant")
    _grant("GRANT UPDATE (active) ON TABLE {} TO {}", "tenant")


def _identities_and_tenants_by_insert() -> None:
    _grant("REVOKE UPDATE (active) ON TABLE {} FROM {}", "tenant")
    _grant("GRANT UPDATE ON TABLE {} TO {}", "tenant")
    _grant("GRANT INSERT ON TABLE {} TO {}", "user_identity")
    op.execute(f"DROP FUNCTION {_FIRST_LOGIN_SIGNATURE}")


def upgrade() -> None:
    op.drop_index("uq_directory_revision_pending", table_name="directory_revision")
    op.create_index(
        "uq_directory_revision_pending",
        "directory_revision",
        ["tenant_id", "subject_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    _public_projection()
    _append_only_through_the_function()
    _identities_and_tenants_by_function_only()


def downgrade() -> None:
    _identities_and_tenants_by_insert()
    _append_by_insert()
    _whole_rows_for_everyone()
    op.drop_index("uq_directory_revision_pending", table_name="directory_revision")
    op.create_index(
        "uq_directory_revision_pending",
        "directory_revision",
        ["subject_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
