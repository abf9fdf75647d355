"""Row-level security: a case's grant is asked of the rows of another organisation's cases only.

The read policies of the case tables that a grant opens by category (the person's identity, the
meetings and interventions of the action plan, the threat assessments, the follow-ups) let an
officer through to a row of a case on their team when a running grant names their tenant for
that category (and, but for the follow-ups, which anyone acting for the tenant reads, to the
rows of their own tenant's cases on their team). The grant's half was an array built once per
statement: every case on the officer's team, each with a look-up of its grants (about a hundred
index probes for an officer with a hundred cases), however few of those cases were another
organisation's; "my cases" spent more on it than on its own rows. Now the team is the array and
the grant is asked, by the row's case, of the rows that are not the tenant's only: as many
probes as rows of other organisations' cases, none for an officer whose cases are all their own.

`case_id = ANY(<team>)` stays a condition of its own, so an index on case_id can still serve the
policy. Who may read which row is unchanged: (tenant AND team) OR (team AND grant) is team AND
(tenant OR grant), and for the follow-ups the team's granted cases are the team's cases with a
grant. The downgrade restores the 0054 policies.

Revision ID: 0055
Revises: 0054
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0055"
down_revision = "0054"
branch_labels = None
depends_on = None

_TENANT = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS \"nullif\")"
_USER = "(SELECT NULLIF(current_setting('app.user_id', true), '')::uuid AS \"nullif\")"
_RUNNING = "g.revoked_at IS NULL AND now() >= g.valid_from AND now() < g.valid_until"
_TEAM = (
    "case_id = ANY ((SELECT ARRAY(SELECT t.case_id AS case_once FROM case_team t"
    f" WHERE t.user_id = {_USER} AND t.tenant_id = {_TENANT}) AS case_any)::uuid[])"
)
_EMERGENCY = (
    "case_id = ANY ((SELECT ARRAY(SELECT e.case_id AS case_once FROM case_emergency_access e"
    f" WHERE e.user_id = {_USER} AND e.tenant_id = {_TENANT} AND now() < e.expires_at) AS case_any)::uuid[])"
)
_POLICE = (
    f"police_tenant_id = {_TENANT} AND case_id = ANY ((SELECT ARRAY(SELECT g.case_id AS grant_once"
    f" FROM case_grant g WHERE g.tenant_id = {_TENANT} AND 'threat_assessment' = ANY (g.categories)"
    f" AND g.contributes AND {_RUNNING}) AS grant_any)::uuid[])"
)
# The tables only a case's team reads, with the category a grant opens them by and any branch of their own.
_TEAM_ONLY = {
    "case_person": ("identity", ""),
    "case_meeting": ("action_plan", ""),
    "case_intervention": ("action_plan", ""),
    "case_threat_assessment": ("threat_assessment", f" OR ({_POLICE})"),
}
# Read by anyone acting for the tenant (the unit head is told of late ones), and by a grant's team.
_FOLLOW_UPS = "case_follow_up"


def _team_grant_array(category: str) -> str:
    return (
        "case_id = ANY ((SELECT ARRAY(SELECT t.case_id AS case_once FROM case_team t"
        f" WHERE t.user_id = {_USER} AND t.tenant_id = {_TENANT} AND EXISTS (SELECT 1 FROM case_grant g"
        f" WHERE g.case_id = t.case_id AND g.tenant_id = {_TENANT} AND '{category}' = ANY (g.categories)"
        f" AND {_RUNNING})) AS case_any)::uuid[])"
    )


def _granted(table: str, category: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = {table}.case_id AND g.tenant_id = {_TENANT}"
        f" AND '{category}' = ANY (g.categories) AND {_RUNNING})"
    )


def _before(table: str) -> str:
    if table == _FOLLOW_UPS:
        return f"tenant_id = {_TENANT} OR {_team_grant_array('follow_up')}"
    category, own = _TEAM_ONLY[table]
    return f"(tenant_id = {_TENANT} AND {_TEAM}) OR {_team_grant_array(category)} OR {_EMERGENCY}{own}"


def _after(table: str) -> str:
    if table == _FOLLOW_UPS:
        return f"tenant_id = {_TENANT} OR ({_TEAM} AND {_granted(table, 'follow_up')})"
    category, own = _TEAM_ONLY[table]
    return f"({_TEAM} AND (tenant_id = {_TENANT} OR {_granted(table, category)})) OR {_EMERGENCY}{own}"


def upgrade() -> None:
    """The team as an array, the grant asked of the other organisations' rows."""
    for table in (*_TEAM_ONLY, _FOLLOW_UPS):
        op.execute(f"ALTER POLICY {table}_1 ON {table} USING ({_after(table)})")


def downgrade() -> None:
    """The 0054 policies: the team's granted cases as an array."""
    for table in (*_TEAM_ONLY, _FOLLOW_UPS):
        op.execute(f"ALTER POLICY {table}_1 ON {table} USING ({_before(table)})")
