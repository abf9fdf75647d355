"""Onboarding: the national administrator invites each organisation's first administrator.

An invitation gains who revoked it and when, whether it is the national administrator's (the
"first member" of a tenant), the invitee's e-mail address sealed under the platform's key (for
re-sending; never readable without it), and the sealed link waiting for its e-mail job (cleared
once sent). The table keeps its forced row-level security: each invitation is its tenant's.

The national administrator's list of every tenant needs, across tenants, only whether each has an
active administrator and whether an invitation is open. One function (SECURITY DEFINER, run as the
owner, to whom a read-only policy is given on the invitations and memberships alone) returns exactly that, and
only to a transaction acting for the national coordinator: never a name or an address.

Revision ID: 0023
Revises: 0028
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import runtime_role

revision = "0023"
down_revision = "0028"
branch_labels = None
depends_on = None

_SIGNATURE = "onboarding_overview()"
_FUNCTION = """
CREATE FUNCTION onboarding_overview()
RETURNS TABLE (tenant_id uuid, active_admins bigint, open_invitations bigint, last_invited_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT t.id,
           (SELECT count(*) FROM membership m JOIN app_user u ON u.id = m.user_id
             WHERE m.tenant_id = t.id AND u.active AND 'tenant_admin' = ANY (m.roles)),
           (SELECT count(*) FROM invitation i
             WHERE i.tenant_id = t.id AND i.onboarding AND i.accepted_at IS NULL AND i.revoked_at IS NULL
               AND i.expires_at > now()),
           (SELECT max(i.created_at) FROM invitation i WHERE i.tenant_id = t.id AND i.onboarding)
    FROM tenant t
    WHERE EXISTS (
        SELECT 1 FROM tenant n WHERE n.kind = 'national_coordinator' AND n.active
        AND n.id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
$$"""


def upgrade() -> None:
    op.add_column("invitation", sa.Column("onboarding", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("invitation", sa.Column("email_sealed", sa.LargeBinary(), nullable=True))
    op.add_column("invitation", sa.Column("link_sealed", sa.LargeBinary(), nullable=True))
    op.add_column("invitation", sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("invitation", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("invitation", sa.Column("revoked_by", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_invitation_revoked_by_app_user", "invitation", "app_user", ["revoked_by"], ["id"])
    # A national invitation is sent to someone: its address is kept, sealed, for re-sending.
    op.create_check_constraint(
        op.f("ck_invitation_onboarding_has_address"), "invitation", "NOT onboarding OR email_sealed IS NOT NULL"
    )
    op.execute(
        sql.SQL("GRANT UPDATE (revoked_at, revoked_by, link_sealed, emailed_at) ON invitation TO {}")
        .format(sql.Identifier(runtime_role()))
        .as_string()
    )
    for table in ("invitation", "membership"):
        op.execute(f"CREATE POLICY onboarding_overview ON {table} FOR SELECT TO CURRENT_USER USING (true)")
    op.execute(_FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC")
    op.execute(
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
        .format(sql.SQL(_SIGNATURE), sql.Identifier(runtime_role()))
        .as_string()
    )
    permissions = sa.table(
        "authz_role_permission", sa.column("role"), sa.column("obj"), sa.column("act"), sa.column("description")
    )
    op.bulk_insert(
        permissions,
        [
            {
                "role": "national_admin",
                "obj": "onboarding",
                "act": "administer",
                "description": "Bjuda in den första administratören i varje organisation "
                "och följa hur katalogen bekräftas",
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM authz_role_permission WHERE role = 'national_admin'")
    op.execute(f"DROP FUNCTION {_SIGNATURE}")
    for table in ("invitation", "membership"):
        op.execute(f"DROP POLICY onboarding_overview ON {table}")
    op.drop_constraint(op.f("ck_invitation_onboarding_has_address"), "invitation", type_="check")
    op.drop_constraint("fk_invitation_revoked_by_app_user", "invitation", type_="foreignkey")
    for column in ("revoked_by", "revoked_at", "emailed_at", "link_sealed", "email_sealed", "onboarding"):
        op.drop_column("invitation", column)
