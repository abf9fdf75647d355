"""County networks' knowledge exchange: threads and replies, following a space, anonymised consultations.

Every table has forced row-level security, as in 0022: a row's `tenant_id` is its space's owner (the
county board), which sees everything of its spaces; a member organisation's named representatives see
a space's threads and consultations while the organisation is a member, they are named and they still
belong to it (`network_member_spaces()`). A guest of one meeting and a former member see none of it.
Each writes only as its own organisation (`author_tenant_id`); only the coordinators close a
consultation, and a closed one takes no more replies. A person's follow is theirs alone (and the
coordinators', who tell the followers).

Revision ID: 0029
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from psycopg import sql
from sqlalchemy.dialects import postgresql

from avhopp.platform.migration_helpers import grant_runtime, runtime_role

revision = "0029"
down_revision = "0022"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid)"
_OWN = f"tenant_id = {_TENANT}"
_REPRESENTED = "space_id IN (SELECT network_member_spaces())"
_READERS = f"({_OWN} OR {_REPRESENTED})"
_WRITERS = f"({_READERS} AND author_tenant_id = {_TENANT})"

_TABLES = (
    "network_consultation_reply",
    "network_consultation",
    "network_thread_reply",
    "network_thread",
    "network_follow",
)

_INTERVENTIONS = (
    "'guidance', 'threat_assessment', 'protection', 'emergency_housing', 'supported_housing', 'relocation',"
    " 'contact_person', 'conversational_support', 'practical_support', 'financial_aid', 'addiction_care',"
    " 'medical_assessment', 'therapy', 'influence_programme', 'occupation', 'education', 'long_term_housing',"
    " 'debt_counselling'"
)


def _forced(table: str, *policies: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    role = sql.Identifier(runtime_role()).as_string()
    for number, policy in enumerate(policies, start=1):
        command, _, rest = policy.partition(" ")
        op.execute(f"CREATE POLICY {table}_{number} ON {table} FOR {command} TO {role} {rest}")


def _security() -> None:
    mine = f"(follower_tenant_id = {_TENANT} AND user_id = {_USER})"
    _forced(
        "network_follow",
        # A former member's person, or one no longer named, no longer sees even their own follow.
        f"SELECT USING ({_OWN} OR ({mine} AND {_REPRESENTED}))",
        f"INSERT WITH CHECK ({mine} AND {_READERS})",
        f"DELETE USING ({mine})",
    )
    grant_runtime("network_follow", "SELECT, INSERT, DELETE")
    for table in ("network_thread", "network_thread_reply"):
        _forced(table, f"SELECT USING {_READERS}", f"INSERT WITH CHECK {_WRITERS}")
        grant_runtime(table, "SELECT, INSERT")
    _forced(
        "network_consultation",
        f"SELECT USING {_READERS}",
        f"INSERT WITH CHECK {_WRITERS}",
        f"UPDATE USING ({_OWN}) WITH CHECK ({_OWN})",
    )
    grant_runtime("network_consultation", "SELECT, INSERT, UPDATE (closed_at, closed_by)")
    still_open = "consultation_id IN (SELECT c.id FROM network_consultation c WHERE c.closed_at IS NULL)"
    _forced(
        "network_consultation_reply",
        f"SELECT USING {_READERS}",
        f"INSERT WITH CHECK ({_WRITERS} AND {still_open})",
    )
    grant_runtime("network_consultation_reply", "SELECT, INSERT")


def upgrade() -> None:
    _tables()
    _security()


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)


def _space_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["space_id", "tenant_id"],
        ["network_space.id", "network_space.tenant_id"],
        name=op.f(f"fk_{table}_space_id_network_space"),
    )


def _person_and_tenant(table: str, *columns: tuple[str, str]) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))
        for column, target in columns
    ]


def _post_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("author_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
    ]


def _authored(table: str) -> list[sa.ForeignKeyConstraint]:
    return _person_and_tenant(
        table,
        ("author_tenant_id", "tenant.id"),
        ("created_by", "app_user.id"),
        ("tenant_id", "tenant.id"),
    )


def _tables() -> None:
    op.create_table(
        "network_follow",
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("follower_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("followed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _space_key("network_follow"),
        *_person_and_tenant(
            "network_follow",
            ("follower_tenant_id", "tenant.id"),
            ("tenant_id", "tenant.id"),
            ("user_id", "app_user.id"),
        ),
        sa.PrimaryKeyConstraint("space_id", "user_id", name=op.f("pk_network_follow")),
    )
    op.create_table(
        "network_thread",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_post_columns(),
        sa.CheckConstraint("length(title) BETWEEN 2 AND 200", name=op.f("ck_network_thread_title_length")),
        sa.CheckConstraint("length(body) BETWEEN 2 AND 4000", name=op.f("ck_network_thread_body_length")),
        _space_key("network_thread"),
        *_authored("network_thread"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_thread")),
        sa.UniqueConstraint("id", "space_id", "tenant_id", name=op.f("uq_network_thread_id_space_id_tenant_id")),
    )
    op.create_index("ix_network_thread_space", "network_thread", ["space_id", "created_at"], unique=False)
    op.create_table(
        "network_thread_reply",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("thread_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_post_columns(),
        sa.CheckConstraint("length(body) BETWEEN 2 AND 4000", name=op.f("ck_network_thread_reply_body_length")),
        sa.ForeignKeyConstraint(
            ["thread_id", "space_id", "tenant_id"],
            ["network_thread.id", "network_thread.space_id", "network_thread.tenant_id"],
            name=op.f("fk_network_thread_reply_thread_id_network_thread"),
        ),
        *_authored("network_thread_reply"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_thread_reply")),
    )
    op.create_index("ix_network_thread_reply_thread", "network_thread_reply", ["thread_id", "created_at"], unique=False)
    op.create_table(
        "network_consultation",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("age_band", sa.Text(), nullable=False),
        sa.Column("affiliation", sa.Text(), nullable=True),
        sa.Column("phase", sa.Text(), nullable=False),
        sa.Column("needs", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("interventions_tried", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("county_code", sa.String(length=2), nullable=False),
        sa.Column("municipality_code", sa.String(length=4), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        *_post_columns(),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "age_band IN ('under_15', '15_17', '18_20', '21_25', '26_30', '31_40', 'over_40')",
            name=op.f("ck_network_consultation_age_band_known"),
        ),
        sa.CheckConstraint(
            "phase IN ('before', 'acute', 'stabilising', 'long_term', 'after')",
            name=op.f("ck_network_consultation_phase_known"),
        ),
        sa.CheckConstraint(
            "affiliation IS NULL OR (affiliation IN ('mc_gang', 'neighbourhood_group', 'white_power',"
            " 'violent_extremism', 'honour_context', 'family_based', 'other_criminal_group', 'relatives'))",
            name=op.f("ck_network_consultation_affiliation_known"),
        ),
        sa.CheckConstraint(
            f"needs <@ ARRAY[{_INTERVENTIONS}]::text[]", name=op.f("ck_network_consultation_needs_known")
        ),
        sa.CheckConstraint(
            f"interventions_tried <@ ARRAY[{_INTERVENTIONS}]::text[]",
            name=op.f("ck_network_consultation_interventions_tried_known"),
        ),
        sa.CheckConstraint(
            "length(question) BETWEEN 10 AND 4000", name=op.f("ck_network_consultation_question_length")
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL) = (closed_by IS NULL)", name=op.f("ck_network_consultation_closed_by_whom")
        ),
        _space_key("network_consultation"),
        *_authored("network_consultation"),
        *_person_and_tenant(
            "network_consultation",
            ("closed_by", "app_user.id"),
            ("county_code", "county.code"),
            ("municipality_code", "municipality.code"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_consultation")),
        sa.UniqueConstraint("id", "space_id", "tenant_id", name=op.f("uq_network_consultation_id_space_id_tenant_id")),
    )
    op.create_index("ix_network_consultation_space", "network_consultation", ["space_id", "created_at"], unique=False)
    op.create_table(
        "network_consultation_reply",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        *_post_columns(),
        sa.CheckConstraint("length(body) BETWEEN 2 AND 4000", name=op.f("ck_network_consultation_reply_body_length")),
        sa.ForeignKeyConstraint(
            ["consultation_id", "space_id", "tenant_id"],
            ["network_consultation.id", "network_consultation.space_id", "network_consultation.tenant_id"],
            name=op.f("fk_network_consultation_reply_consultation_id_network_consultation"),
        ),
        *_authored("network_consultation_reply"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_consultation_reply")),
    )
    op.create_index(
        "ix_network_consultation_reply_consultation",
        "network_consultation_reply",
        ["consultation_id", "created_at"],
        unique=False,
    )
