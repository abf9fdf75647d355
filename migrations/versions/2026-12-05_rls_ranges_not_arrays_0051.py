"""Row-level security: "my tenant, or every tenant" as a range of the tenant index, not an array.

The follow-up statistics (0048) and the directory's revisions (0047) let a row through when its
tenant is in an array computed once per statement: every tenant for the national role, the
acting tenant otherwise (for the statistics: only a job acting without a person; nobody else).
PostgreSQL cannot know how long that array is and assumes ten elements, so on eight tenants it
took three quarters of the table to pass, and a page ordered by the primary key read the whole
key to find none (17 ms for a person who may read no statistics, against 0.6 ms for the tenant's
page). The same sets are now a range of the tenant index: from the least to the greatest uuid
for the national role, from the tenant to itself for the tenant, and NULL bounds for anyone else,
which no row passes and which the index answers without reading an entry. Every tenant column
here is NOT NULL, so the widest range is every row, as the array of every tenant was.

network_space's third branch, the spaces whose member the acting tenant is, was a sub-query
tested row by row (`id IN (SELECT ...)`), which kept the whole policy off the indexes: counting a
county board's own spaces read all 40,000 rows. It is now the same set read once as an array
(`id = ANY ((SELECT ARRAY(...)))`), which the primary key takes, as 0048 did for the cases.

Who may read or write which row is unchanged. The downgrade restores the 0050 policies' text.

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS \"nullif\")"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid AS \"nullif\")"
# uuids compare as 16 unsigned bytes: every uuid lies between these two.
_LEAST = "'00000000-0000-0000-0000-000000000000'::uuid"
_GREATEST = "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid"

_ANALYST = (
    "EXISTS (SELECT 1 FROM membership m JOIN tenant t ON t.id = m.tenant_id"
    f" WHERE m.tenant_id = {_TENANT} AND m.user_id = {_USER} AND 'national_analyst' = ANY (m.roles)"
    " AND t.kind = 'national_coordinator')"
)
_STATS_BEFORE = (
    f"tenant_id = ANY ((SELECT CASE WHEN {_ANALYST} THEN ARRAY(SELECT tenant.id FROM tenant)"
    f" WHEN {_USER} IS NULL THEN ARRAY[{_TENANT}] ELSE NULL::uuid[] END AS stat_any)::uuid[])"
)
_STATS = (
    f"tenant_id BETWEEN (SELECT CASE WHEN {_ANALYST} THEN {_LEAST} WHEN {_USER} IS NULL THEN {_TENANT} END AS stat_low)"
    f" AND (SELECT CASE WHEN {_ANALYST} THEN {_GREATEST} WHEN {_USER} IS NULL THEN {_TENANT} END AS stat_high)"
)
_STATS_POLICIES = (("followup_stat_case", "followup_stat_case_1"), ("followup_stat_point", "followup_stat_point_1"))

_SETTING = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS app_setting)"
_COORDINATOR = (
    f"EXISTS (SELECT 1 FROM tenant WHERE tenant.id = {_SETTING}"
    " AND tenant.kind = 'national_coordinator' AND tenant.active)"
)
_REVISIONS_BEFORE = (
    f"tenant_id = ANY ((SELECT CASE WHEN {_COORDINATOR} THEN ARRAY(SELECT tenant.id FROM tenant)"
    f" ELSE ARRAY[{_SETTING}] END)::uuid[])"
)
_REVISIONS = (
    f"tenant_id BETWEEN (SELECT CASE WHEN {_COORDINATOR} THEN {_LEAST} ELSE {_SETTING} END AS revision_low)"
    f" AND (SELECT CASE WHEN {_COORDINATOR} THEN {_GREATEST} ELSE {_SETTING} END AS revision_high)"
)

_MEMBER_OF = f"SELECT m.space_id FROM network_member m WHERE m.member_tenant_id = {_TENANT} AND m.left_at IS NULL"
_REPRESENTED = "(SELECT ARRAY(SELECT network_member_spaces() AS network_member_spaces) AS app_setting)::uuid[]"
_SPACES_BEFORE = f"tenant_id = {_TENANT} OR id = ANY ({_REPRESENTED}) OR id IN ({_MEMBER_OF})"
_SPACES = (
    f"tenant_id = {_TENANT} OR id = ANY ({_REPRESENTED})"
    f" OR id = ANY ((SELECT ARRAY({_MEMBER_OF}) AS member_any)::uuid[])"
)


def _apply(*, stats: str, revisions: str, spaces: str) -> None:
    for table, policy in _STATS_POLICIES:
        op.execute(f"ALTER POLICY {policy} ON {table} USING ({stats})")
    op.execute(f"ALTER POLICY tenant_or_coordinator ON directory_revision USING ({revisions}) WITH CHECK ({revisions})")
    op.execute(f"ALTER POLICY network_space_1 ON network_space USING ({spaces})")


def upgrade() -> None:
    """Ranges of the tenant index, and the member tenant's spaces as an array."""
    _apply(stats=_STATS, revisions=_REVISIONS, spaces=_SPACES)


def downgrade() -> None:
    """The 0050 policies."""
    _apply(stats=_STATS_BEFORE, revisions=_REVISIONS_BEFORE, spaces=_SPACES_BEFORE)
