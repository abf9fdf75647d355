"""A machine client acts through a system account, so that a case's need-to-know holds for it too.

Each machine client gets an `app_user` marked with its client id and a membership in its
tenant with no roles (its roles stay on its registration). A case's team, its row-level
policies and the audit then name the account as they name a person. Nobody can sign in as
one: no identity and no web session may name a system account (a trigger refuses both).
Existing clients get their accounts here.

Downgrading takes the clients off every team (their memberships go, and with them their places
on teams) and deletes their accounts, except those a case still names as having done something:
they stay as users without an identity or a membership, whom nobody can sign in as.

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0021"
branch_labels = None
depends_on = None

_SIGN_IN_TABLES = ("user_identity", "web_session")


def upgrade() -> None:
    op.add_column("app_user", sa.Column("machine_client_id", sa.String(64), nullable=True))
    op.create_foreign_key(
        "fk_app_user_machine_client_id_idp_client", "app_user", "idp_client", ["machine_client_id"], ["client_id"]
    )
    op.create_unique_constraint("uq_app_user_machine_client_id", "app_user", ["machine_client_id"])
    # Membership's row-level security binds the owner too: each insert acts for the client's tenant.
    op.execute(
        "DO $$ DECLARE c record; account uuid; BEGIN"
        " FOR c IN SELECT client_id, name, scope_tenant_id FROM idp_client"
        " WHERE 'client_credentials' = ANY (grant_types) ORDER BY client_id LOOP"
        " INSERT INTO app_user (display_name, machine_client_id) VALUES (c.name, c.client_id)"
        " RETURNING id INTO account;"
        " PERFORM set_config('app.tenant_id', c.scope_tenant_id::text, true);"
        " INSERT INTO membership (tenant_id, user_id) VALUES (c.scope_tenant_id, account);"
        " END LOOP;"
        " PERFORM set_config('app.tenant_id', '', true); END $$"
    )
    op.execute(
        "CREATE FUNCTION refuse_machine_account() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " IF EXISTS (SELECT 1 FROM app_user WHERE id = NEW.user_id AND machine_client_id IS NOT NULL) THEN"
        " RAISE EXCEPTION 'nobody signs in as a machine client''s system account' USING ERRCODE = 'check_violation';"
        " END IF; RETURN NEW; END $$"
    )
    for table in _SIGN_IN_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_not_a_machine_account BEFORE INSERT OR UPDATE OF user_id ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION refuse_machine_account()"
        )


def downgrade() -> None:
    op.execute(
        "DO $$ DECLARE a record; BEGIN"
        " FOR a IN SELECT u.id, c.scope_tenant_id FROM app_user u"
        " JOIN idp_client c ON c.client_id = u.machine_client_id LOOP"
        " PERFORM set_config('app.tenant_id', a.scope_tenant_id::text, true);"
        " DELETE FROM membership WHERE user_id = a.id;"
        " BEGIN DELETE FROM app_user WHERE id = a.id; EXCEPTION WHEN foreign_key_violation THEN NULL; END;"
        " END LOOP;"
        " PERFORM set_config('app.tenant_id', '', true); END $$"
    )
    for table in _SIGN_IN_TABLES:
        op.execute(f"DROP TRIGGER {table}_not_a_machine_account ON {table}")
    op.execute("DROP FUNCTION refuse_machine_account()")
    op.drop_constraint("uq_app_user_machine_client_id", "app_user", type_="unique")
    op.drop_constraint("fk_app_user_machine_client_id_idp_client", "app_user", type_="foreignkey")
    op.drop_column("app_user", "machine_client_id")
