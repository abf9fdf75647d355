"""Authorization: role permissions, the Casbin model, the policy version and its triggers.

The role → permission rows and the model text are frozen copies of
`avhopp.platform.authz.roles_matrix.ROLE_MATRIX` and `avhopp.platform.authz.model.MODEL_TEXT`
as of this revision; change them in a new migration.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_NAME = "'^[a-z][a-z_]*[a-z]$'"

_MODEL_TEXT = """\
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"""

_ROLE_PERMISSIONS = [
    ("platform_admin", "platform", "administer", "Skapa, ändra och avaktivera organisationer på plattformen"),
    (
        "tenant_admin",
        "tenant",
        "administer",
        "Bjuda in användare och ge eller ta bort roller i den egna organisationen",
    ),
    ("case_officer", "case", "read", "Läsa den egna organisationens ärenden"),
    ("case_officer", "case", "write", "Öppna, ändra och avsluta ärenden"),
    ("security_officer", "threat_assessment", "read", "Läsa hot- och riskbedömningar"),
    ("security_officer", "threat_assessment", "write", "Skriva och uppdatera polisens hot- och riskbedömning"),
    ("placement_coordinator", "placement", "request", "Begära placering av en person i en annan kommun"),
    ("placement_coordinator", "placement", "offer", "Erbjuda boende och ta emot placeringar i den egna kommunen"),
    ("directory_editor", "directory", "edit", "Redigera den egna organisationens uppgifter i den nationella katalogen"),
    ("line_operator", "line_contact", "write", "Registrera samtal och kontakter på stödlinjen"),
    ("line_supervisor", "line_contact", "review", "Granska och följa upp vägledarnas kontakter"),
    ("line_supervisor", "line_statistics", "read", "Se stödlinjens statistik"),
    ("network_coordinator", "network", "administer", "Leda länsnätverket: medlemmar, möten och gemensamma underlag"),
    ("network_coordinator", "network", "participate", "Delta i länsnätverket och dela underlag"),
    ("network_member", "network", "participate", "Delta i länsnätverket och dela underlag"),
    ("auditor", "audit", "read", "Läsa den egna organisationens granskningslogg"),
]

# Every change that can alter a decision bumps the version and notifies the watchers (on commit).
# Statement-level, so a bulk change is one bump; only the columns that matter for app_user and
# tenant, so a login (last_login_at) does not make every process reload.
_TRIGGERS = {
    "membership": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "authz_role_permission": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "authz_model": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "idp_client": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "tenant": "UPDATE OF active OR DELETE OR TRUNCATE",
    "app_user": "UPDATE OF active OR DELETE OR TRUNCATE",
}


def upgrade() -> None:
    role_permission = op.create_table(
        "authz_role_permission",
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("obj", sa.String(64), nullable=False),
        sa.Column("act", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.CheckConstraint(
            f"role ~ {_NAME} AND obj ~ {_NAME} AND act ~ {_NAME}", name="ck_authz_role_permission_plain_names"
        ),
        sa.PrimaryKeyConstraint("role", "obj", "act", name="pk_authz_role_permission"),
    )
    model = op.create_table(
        "authz_model",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_authz_model_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_authz_model"),
    )
    version = op.create_table(
        "authz_policy_version",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_authz_policy_version_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_authz_policy_version"),
    )
    op.bulk_insert(
        role_permission,
        [{"role": r, "obj": o, "act": a, "description": d} for r, o, a, d in _ROLE_PERMISSIONS],
    )
    op.bulk_insert(model, [{"id": 1, "model": _MODEL_TEXT}])
    op.bulk_insert(version, [{"id": 1, "version": 1}])

    # SECURITY DEFINER: the runtime role changes memberships but must not write the version itself.
    op.execute(
        """
        CREATE FUNCTION authz_policy_changed() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        DECLARE
            new_version bigint;
        BEGIN
            UPDATE public.authz_policy_version SET version = version + 1, changed_at = now()
                WHERE id = 1 RETURNING version INTO new_version;
            PERFORM pg_notify('avhopp_authz', new_version::text);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION authz_policy_changed() FROM PUBLIC")
    for table, events in _TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER authz_policy_changed AFTER {events} ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION authz_policy_changed()"
        )

    # The policy loader's one cross-tenant read (see avhopp.platform.authz.policy): SELECT only.
    op.execute(
        "CREATE POLICY authz_loader ON membership FOR SELECT USING (current_setting('app.authz_loader', true) = 'on')"
    )
    grant_runtime("authz_role_permission", "SELECT")
    grant_runtime("authz_model", "SELECT")
    grant_runtime("authz_policy_version", "SELECT")


def downgrade() -> None:
    op.execute("DROP POLICY authz_loader ON membership")
    for table in _TRIGGERS:
        op.execute(f"DROP TRIGGER authz_policy_changed ON {table}")
    op.execute("DROP FUNCTION authz_policy_changed()")
    op.drop_table("authz_policy_version")
    op.drop_table("authz_model")
    op.drop_table("authz_role_permission")
