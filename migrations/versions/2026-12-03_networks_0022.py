"""County network spaces: spaces, member organisations, representatives, meetings, agendas, guests, answers.

Every table has forced row-level security. A row's `tenant_id` is its space's owner (the county
board's tenant that runs it), which sees and writes everything of its spaces. A member organisation
sees that it is invited (its membership row and the space's name); its named representatives see the
space's members and meetings, as long as the organisation is a member, they are named, and they still
belong to the organisation. A guest sees the one meeting they were invited to until it ends. The two
questions "which spaces do I reach as a representative" and "which meetings as a guest" are functions
(SECURITY DEFINER, run as the owner, to whom a read-only policy is given on the tables they read), so
that the policies of a table never read that table again through its own policies. The policies are the
runtime role's: the owner, inside those functions, is bound by its read-only policies alone.

Revision ID: 0022
Revises: 0026
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role

revision = "0022"
down_revision = "0026"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"
_OWN = f"tenant_id = {_TENANT}"
_REPRESENTED = "space_id IN (SELECT network_member_spaces())"
_GUESTED = "IN (SELECT network_guest_meetings())"

_FUNCTIONS = {
    "network_member_spaces()": """
CREATE FUNCTION network_member_spaces() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT m.space_id FROM network_member m
    JOIN network_representative r ON r.member_id = m.id AND r.ended_at IS NULL
    JOIN membership ms ON ms.tenant_id = m.member_tenant_id AND ms.user_id = r.user_id
    JOIN tenant t ON t.id = m.member_tenant_id AND t.active
    WHERE m.left_at IS NULL
      AND m.member_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      AND r.user_id = NULLIF(current_setting('app.user_id', true), '')::uuid
$$""",
    "network_guest_meetings()": """
CREATE FUNCTION network_guest_meetings() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT g.meeting_id FROM network_guest g
    JOIN network_meeting mt ON mt.id = g.meeting_id AND now() < mt.ends_at
    JOIN membership ms ON ms.tenant_id = g.guest_tenant_id AND ms.user_id = g.user_id
    WHERE g.revoked_at IS NULL
      AND g.guest_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      AND g.user_id = NULLIF(current_setting('app.user_id', true), '')::uuid
$$""",
    "network_person_of(uuid, text)": """
CREATE FUNCTION network_person_of(organisation uuid, address text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT u.id FROM app_user u
    JOIN membership ms ON ms.user_id = u.id AND ms.tenant_id = organisation
    JOIN tenant t ON t.id = organisation AND t.active
    WHERE lower(u.email) = lower(address) AND u.active AND u.machine_client_id IS NULL
      AND EXISTS (SELECT 1 FROM tenant c WHERE c.kind = 'county_board' AND c.active
                  AND c.id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    LIMIT 1
$$""",
}
"""Whom a representative reaches, which meetings a guest reaches, and (for a county board inviting a
guest) the person of another organisation with a work e-mail address: nothing else of that organisation."""

_FEEDS = ("network_member", "network_representative", "network_guest", "network_meeting", "membership")
"""The tables the functions read as the owner."""


def _forced(table: str, *policies: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    role = sql.Identifier(runtime_role()).as_string()
    for number, policy in enumerate(policies, start=1):
        command, _, rest = policy.partition(" ")
        op.execute(f"CREATE POLICY {table}_{number} ON {table} FOR {command} TO {role} {rest}")


def _security() -> None:
    # The functions come first: the policies call them.
    for table in _FEEDS:
        op.execute(f"CREATE POLICY {table}_network_feed ON {table} FOR SELECT TO CURRENT_USER USING (true)")
    for signature, body in _FUNCTIONS.items():
        op.execute(body)
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}")
            .format(sql.SQL(signature), sql.Identifier(runtime_role()))
            .as_string()
        )

    represented_meeting = f"(meeting_id {_GUESTED} OR {_REPRESENTED})"
    _forced(
        "network_space",
        f"SELECT USING ({_OWN} OR id IN (SELECT network_member_spaces())"
        f" OR id IN (SELECT m.space_id FROM network_member m WHERE m.member_tenant_id = {_TENANT}"
        " AND m.left_at IS NULL))",
        f"INSERT WITH CHECK ({_OWN})",
        f"UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime("network_space", "SELECT, INSERT, UPDATE (name)")
    # A row an organisation ends stays visible to it inside the transaction that ends it (left_at = now(),
    # the transaction's start), so that its own UPDATE passes; from the next transaction on it is gone.
    invited = f"(member_tenant_id = {_TENANT} AND (left_at IS NULL OR left_at = now()))"
    _forced(
        "network_member",
        f"SELECT USING ({_OWN} OR {_REPRESENTED} OR {invited})",
        f"INSERT WITH CHECK ({_OWN})",
        f"UPDATE USING ({_OWN} OR {invited}) WITH CHECK ({_OWN} OR member_tenant_id = {_TENANT})",
    )
    grant_runtime("network_member", "SELECT, INSERT, UPDATE (left_at, ended_by, contact_function, network_role)")
    ours = f"member_tenant_id = {_TENANT}"
    _forced(
        "network_representative",
        f"SELECT USING ({_OWN} OR {_REPRESENTED} OR ({ours} AND (ended_at IS NULL OR ended_at = now())))",
        f"INSERT WITH CHECK ({ours} AND member_id IN (SELECT m.id FROM network_member m WHERE m.member_tenant_id ="
        f" {_TENANT} AND m.left_at IS NULL))",
        f"UPDATE USING ({_OWN} OR {ours}) WITH CHECK ({_OWN} OR {ours})",
    )
    grant_runtime("network_representative", "SELECT, INSERT, UPDATE (ended_at)")
    _forced(
        "network_meeting",
        f"SELECT USING ({_OWN} OR {_REPRESENTED} OR id {_GUESTED})",
        f"INSERT WITH CHECK ({_OWN})",
        f"UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime(
        "network_meeting", "SELECT, INSERT, UPDATE (title, starts_at, ends_at, place, video_link, reminded_at)"
    )
    _forced(
        "network_agenda_item",
        f"SELECT USING ({_OWN} OR {represented_meeting})",
        f"INSERT WITH CHECK ({_OWN})",
        f"DELETE USING ({_OWN})",
    )
    grant_runtime("network_agenda_item", "SELECT, INSERT, DELETE")
    mine = f"(guest_tenant_id = {_TENANT} AND user_id = {_USER})"
    _forced(
        "network_guest",
        f"SELECT USING ({_OWN} OR {mine})",
        f"INSERT WITH CHECK ({_OWN})",
        f"UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime("network_guest", "SELECT, INSERT, UPDATE (revoked_at)")
    answering = f"(responder_tenant_id = {_TENANT} AND user_id = {_USER})"
    _forced(
        "network_response",
        f"SELECT USING ({_OWN} OR {answering})",
        f"INSERT WITH CHECK ({answering} AND {represented_meeting})",
        f"UPDATE USING ({answering}) WITH CHECK ({answering} AND {represented_meeting})",
    )
    grant_runtime("network_response", "SELECT, INSERT, UPDATE (attending, answered_at)")
    # Members' representatives read minutes once published, and the decisions and action items with them.
    _forced(
        "network_minutes",
        f"SELECT USING ({_OWN} OR (status = 'published' AND {_REPRESENTED}))",
        f"INSERT WITH CHECK ({_OWN})",
        f"UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime(
        "network_minutes",
        "SELECT, INSERT, UPDATE (body, status, approved_at, approved_by, published_at, published_by)",
    )
    published = (
        "EXISTS (SELECT 1 FROM network_minutes n WHERE n.meeting_id = network_outcome.meeting_id"
        " AND n.status = 'published')"
    )
    responsible = (
        f"responsible IN (SELECT m.id FROM network_member m WHERE m.member_tenant_id = {_TENANT} AND m.left_at IS NULL)"
    )
    _forced(
        "network_outcome",
        f"SELECT USING ({_OWN} OR ({published} AND {_REPRESENTED}))",
        f"INSERT WITH CHECK ({_OWN})",
        # The coordinator, or the organisation responsible for an action item, marks it done.
        f"UPDATE USING ({_OWN} OR ({responsible} AND {_REPRESENTED}))"
        f" WITH CHECK ({_OWN} OR ({responsible} AND {_REPRESENTED}))",
        f"DELETE USING ({_OWN})",
    )
    grant_runtime("network_outcome", "SELECT, INSERT, UPDATE (done_at), DELETE")
    # Documents: the coordinators and the members' representatives read and add them; a representative
    # uploads for their own organisation; only the coordinators remove one (kept, marked removed).
    _forced(
        "network_document",
        f"SELECT USING ({_OWN} OR {_REPRESENTED})",
        f"INSERT WITH CHECK ({_OWN} OR ({_REPRESENTED} AND uploader_tenant_id = {_TENANT}))",
        f"UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime("network_document", "SELECT, INSERT, UPDATE (removed_at, removed_by)")
    _forced(
        "network_document_version",
        f"SELECT USING ({_OWN} OR {_REPRESENTED})",
        f"INSERT WITH CHECK ({_OWN} OR {_REPRESENTED})",
    )
    grant_runtime("network_document_version", "SELECT, INSERT")


def upgrade() -> None:
    _tables()
    _security()


_TABLES = (
    "network_document_version",
    "network_document",
    "network_outcome",
    "network_minutes",
    "network_response",
    "network_guest",
    "network_agenda_item",
    "network_meeting",
    "network_representative",
    "network_member",
    "network_space",
)


def downgrade() -> None:
    for table in _FEEDS:
        op.execute(f"DROP POLICY {table}_network_feed ON {table}")
    # The policies read the functions and the functions the tables: policies first, then functions.
    listed = ", ".join(f"'{table}'" for table in _TABLES)
    op.execute(
        "DO $$ DECLARE p record; BEGIN"
        " FOR p IN SELECT policyname, tablename FROM pg_policies"
        f" WHERE schemaname = 'public' AND tablename IN ({listed})"
        " LOOP EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename); END LOOP; END $$"
    )
    for signature in _FUNCTIONS:
        op.execute(f"DROP FUNCTION {signature}")
    _drop_tables()


def _tables() -> None:
    op.create_table(
        "network_space",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(scope = 'county') = (county_code IS NOT NULL)",
            name=op.f("ck_network_space_county_space_names_its_county"),
        ),
        sa.CheckConstraint(
            "scope IN ('county', 'cross_county', 'national')", name=op.f("ck_network_space_scope_known")
        ),
        sa.CheckConstraint("length(name) BETWEEN 2 AND 200", name=op.f("ck_network_space_name_length")),
        sa.ForeignKeyConstraint(["county_code"], ["county.code"], name=op.f("fk_network_space_county_code_county")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_network_space_created_by_app_user")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_space_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_space")),
        sa.UniqueConstraint("id", "tenant_id", name=op.f("uq_network_space_id_tenant_id")),
    )
    op.create_index(op.f("ix_network_space_tenant_id"), "network_space", ["tenant_id"], unique=False)
    op.create_index(
        "uq_network_space_county",
        "network_space",
        ["county_code"],
        unique=True,
        postgresql_where=sa.text("scope = 'county'"),
    )
    op.create_table(
        "network_meeting",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text(), server_default="", nullable=False),
        sa.Column("video_link", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("place <> '' OR video_link <> ''", name=op.f("ck_network_meeting_place_or_link")),
        sa.CheckConstraint(
            "video_link = '' OR video_link LIKE 'https://%%'", name=op.f("ck_network_meeting_video_link_https")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_network_meeting_ends_after_start")),
        sa.CheckConstraint(
            "length(place) <= 300 AND length(video_link) <= 500", name=op.f("ck_network_meeting_where_length")
        ),
        sa.CheckConstraint("length(title) BETWEEN 2 AND 200", name=op.f("ck_network_meeting_title_length")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_network_meeting_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["space_id", "tenant_id"],
            ["network_space.id", "network_space.tenant_id"],
            name=op.f("fk_network_meeting_space_id_network_space"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_meeting_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_meeting")),
        sa.UniqueConstraint("id", "space_id", "tenant_id", name=op.f("uq_network_meeting_id_space_id_tenant_id")),
    )
    op.create_index("ix_network_meeting_space", "network_meeting", ["space_id", "starts_at"], unique=False)
    op.create_table(
        "network_member",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("network_role", sa.Text(), nullable=False),
        sa.Column("contact_function", sa.Text(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "network_role IN ('social_services', 'police', 'prison_and_probation', 'operation', 'employment_service',"
            " 'health_region', 'ngo', 'county_board', 'other')",
            name=op.f("ck_network_member_network_role_known"),
        ),
        sa.CheckConstraint(
            "length(contact_function) BETWEEN 2 AND 200", name=op.f("ck_network_member_contact_function_length")
        ),
        sa.ForeignKeyConstraint(["ended_by"], ["app_user.id"], name=op.f("fk_network_member_ended_by_app_user")),
        sa.ForeignKeyConstraint(["invited_by"], ["app_user.id"], name=op.f("fk_network_member_invited_by_app_user")),
        sa.ForeignKeyConstraint(
            ["member_tenant_id"], ["tenant.id"], name=op.f("fk_network_member_member_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["space_id", "tenant_id"],
            ["network_space.id", "network_space.tenant_id"],
            name=op.f("fk_network_member_space_id_network_space"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_member_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_member")),
        sa.UniqueConstraint(
            "id",
            "space_id",
            "tenant_id",
            "member_tenant_id",
            name=op.f("uq_network_member_id_space_id_tenant_id_member_tenant_id"),
        ),
    )
    op.create_index(op.f("ix_network_member_member_tenant_id"), "network_member", ["member_tenant_id"], unique=False)
    op.create_index(op.f("ix_network_member_space_id"), "network_member", ["space_id"], unique=False)
    op.create_index(
        "uq_network_member_active",
        "network_member",
        ["space_id", "member_tenant_id"],
        unique=True,
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_table(
        "network_agenda_item",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("brought_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("length(title) BETWEEN 2 AND 200", name=op.f("ck_network_agenda_item_title_length")),
        sa.CheckConstraint("position BETWEEN 1 AND 50", name=op.f("ck_network_agenda_item_position_sensible")),
        sa.ForeignKeyConstraint(
            ["brought_by"], ["network_member.id"], name=op.f("fk_network_agenda_item_brought_by_network_member")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            name=op.f("fk_network_agenda_item_meeting_id_network_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_agenda_item_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_agenda_item")),
        sa.UniqueConstraint("meeting_id", "position", name=op.f("uq_network_agenda_item_meeting_id_position")),
    )
    op.create_table(
        "network_guest",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("guest_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["guest_tenant_id"], ["tenant.id"], name=op.f("fk_network_guest_guest_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(["invited_by"], ["app_user.id"], name=op.f("fk_network_guest_invited_by_app_user")),
        sa.ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            name=op.f("fk_network_guest_meeting_id_network_meeting"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_guest_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_network_guest_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_guest")),
    )
    op.create_index("ix_network_guest_person", "network_guest", ["guest_tenant_id", "user_id"], unique=False)
    op.create_index(
        "uq_network_guest_active",
        "network_guest",
        ["meeting_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "network_representative",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("member_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("named_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("named_by", sa.Uuid(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id", "space_id", "tenant_id", "member_tenant_id"],
            [
                "network_member.id",
                "network_member.space_id",
                "network_member.tenant_id",
                "network_member.member_tenant_id",
            ],
            name=op.f("fk_network_representative_member_id_network_member"),
        ),
        sa.ForeignKeyConstraint(
            ["member_tenant_id"], ["tenant.id"], name=op.f("fk_network_representative_member_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["named_by"], ["app_user.id"], name=op.f("fk_network_representative_named_by_app_user")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_representative_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_network_representative_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_representative")),
    )
    op.create_index(
        "ix_network_representative_person", "network_representative", ["member_tenant_id", "user_id"], unique=False
    )
    op.create_index(
        "uq_network_representative_active",
        "network_representative",
        ["member_id", "user_id"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_table(
        "network_response",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("responder_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("attending", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            name=op.f("fk_network_response_meeting_id_network_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responder_tenant_id"], ["tenant.id"], name=op.f("fk_network_response_responder_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_response_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_network_response_user_id_app_user")),
        sa.PrimaryKeyConstraint("meeting_id", "user_id", name=op.f("pk_network_response")),
    )

    op.create_table(
        "network_minutes",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="draft", nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("drafted_by", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(status = 'draft') = (approved_at IS NULL)", name=op.f("ck_network_minutes_approved_unless_draft")
        ),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)",
            name=op.f("ck_network_minutes_published_when_published"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'published')", name=op.f("ck_network_minutes_status_known")
        ),
        sa.CheckConstraint("length(body) <= 20000", name=op.f("ck_network_minutes_body_length")),
        sa.ForeignKeyConstraint(["approved_by"], ["app_user.id"], name=op.f("fk_network_minutes_approved_by_app_user")),
        sa.ForeignKeyConstraint(["drafted_by"], ["app_user.id"], name=op.f("fk_network_minutes_drafted_by_app_user")),
        sa.ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            name=op.f("fk_network_minutes_meeting_id_network_meeting"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["app_user.id"], name=op.f("fk_network_minutes_published_by_app_user")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_minutes_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_network_minutes")),
    )
    op.create_table(
        "network_outcome",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responsible", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'action') = (responsible IS NOT NULL AND due_on IS NOT NULL)",
            name=op.f("ck_network_outcome_action_has_owner_and_date"),
        ),
        sa.CheckConstraint("kind = 'action' OR done_at IS NULL", name=op.f("ck_network_outcome_only_actions_are_done")),
        sa.CheckConstraint("kind IN ('decision', 'action')", name=op.f("ck_network_outcome_kind_known")),
        sa.CheckConstraint("length(text) BETWEEN 2 AND 400", name=op.f("ck_network_outcome_text_length")),
        sa.ForeignKeyConstraint(
            ["meeting_id", "space_id", "tenant_id"],
            ["network_meeting.id", "network_meeting.space_id", "network_meeting.tenant_id"],
            name=op.f("fk_network_outcome_meeting_id_network_meeting"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible"], ["network_member.id"], name=op.f("fk_network_outcome_responsible_network_member")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_outcome_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_outcome")),
    )
    op.create_index("ix_network_outcome_meeting", "network_outcome", ["meeting_id"], unique=False)

    op.create_table(
        "network_document",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("uploader_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("length(title) BETWEEN 2 AND 200", name=op.f("ck_network_document_title_length")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_network_document_created_by_app_user")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["network_meeting.id"], name=op.f("fk_network_document_meeting_id_network_meeting")
        ),
        sa.ForeignKeyConstraint(["removed_by"], ["app_user.id"], name=op.f("fk_network_document_removed_by_app_user")),
        sa.ForeignKeyConstraint(
            ["space_id", "tenant_id"],
            ["network_space.id", "network_space.tenant_id"],
            name=op.f("fk_network_document_space_id_network_space"),
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_network_document_tenant_id_tenant")),
        sa.ForeignKeyConstraint(
            ["uploader_tenant_id"], ["tenant.id"], name=op.f("fk_network_document_uploader_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_document")),
        sa.UniqueConstraint("id", "space_id", "tenant_id", name=op.f("uq_network_document_id_space_id_tenant_id")),
    )
    op.create_index("ix_network_document_space", "network_document", ["space_id", "removed_at"], unique=False)
    op.create_table(
        "network_document_version",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/png', 'image/jpeg')",
            name=op.f("ck_network_document_version_content_type_allowed"),
        ),
        sa.CheckConstraint(
            "octet_length(content) = size + 29", name=op.f("ck_network_document_version_sealed_content_length")
        ),
        sa.CheckConstraint("size BETWEEN 1 AND 10485760", name=op.f("ck_network_document_version_size_limit")),
        sa.ForeignKeyConstraint(
            ["document_id", "space_id", "tenant_id"],
            ["network_document.id", "network_document.space_id", "network_document.tenant_id"],
            name=op.f("fk_network_document_version_document_id_network_document"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_network_document_version_tenant_id_tenant")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["app_user.id"], name=op.f("fk_network_document_version_uploaded_by_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_document_version")),
        sa.UniqueConstraint("document_id", "version", name=op.f("uq_network_document_version_document_id_version")),
    )


def _drop_tables() -> None:
    op.drop_table("network_document_version")
    op.drop_index("ix_network_document_space", table_name="network_document")
    op.drop_table("network_document")
    op.drop_index("ix_network_outcome_meeting", table_name="network_outcome")
    op.drop_table("network_outcome")
    op.drop_table("network_minutes")
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("network_response")
    op.drop_index(
        "uq_network_representative_active",
        table_name="network_representative",
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.drop_index("ix_network_representative_person", table_name="network_representative")
    op.drop_table("network_representative")
    op.drop_index("uq_network_guest_active", table_name="network_guest", postgresql_where=sa.text("revoked_at IS NULL"))
    op.drop_index("ix_network_guest_person", table_name="network_guest")
    op.drop_table("network_guest")
    op.drop_table("network_agenda_item")
    op.drop_index("uq_network_member_active", table_name="network_member", postgresql_where=sa.text("left_at IS NULL"))
    op.drop_index(op.f("ix_network_member_space_id"), table_name="network_member")
    op.drop_index(op.f("ix_network_member_member_tenant_id"), table_name="network_member")
    op.drop_table("network_member")
    op.drop_index("ix_network_meeting_space", table_name="network_meeting")
    op.drop_table("network_meeting")
    op.drop_index("uq_network_space_county", table_name="network_space", postgresql_where=sa.text("scope = 'county'"))
    op.drop_index(op.f("ix_network_space_tenant_id"), table_name="network_space")
    op.drop_table("network_space")
