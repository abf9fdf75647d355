"""Row-level security an index can answer: a person's cases, grants and counties as arrays.

0047 read a person's cases once per statement, but as `case_id IN (SELECT ...)`: a hashed
sub-plan that PostgreSQL can only test row by row, so every case table's policy read all of the
table (the OR between the team, the grant and the emergency branch rules out the tenant index
too). Three rewrites, none of which changes what a policy lets through:

- `col IN (SELECT t.case_id AS case_once FROM case_team t WHERE ...)` (and the same of
  emergency access, and of team membership through a grant) becomes
  `col = ANY ((SELECT ARRAY(SELECT ...) AS case_any)::uuid[])`: the same set, read once per
  statement as an init plan, and now a key the case_id index takes (a BitmapOr of one index scan
  per branch). A NULL col passes neither form.
- `EXISTS (SELECT 1 FROM case_grant g WHERE g.case_id = <row>.col AND <terms of g only>)`
  becomes `col = ANY ((SELECT ARRAY(SELECT g.case_id AS grant_once FROM case_grant g WHERE
  <the same terms>) AS grant_any)::uuid[])`: the grants the tenant holds now, read once; a grant
  that expires or is revoked is gone from the array of the next statement as it was from the
  EXISTS. Only grants' terms that name no column of the row are rewritten.
- housing_transfer's county boards: `EXISTS (SELECT 1 FROM tenant t WHERE t.id = <tenant> AND
  t.kind = 'county_board' AND t.county_code = ANY (ARRAY[home_county, receiving_county]))`
  becomes `home_county = ANY (<board's county>) OR receiving_county = ANY (<the same>)`, with
  indexes on both counties, so each branch is an index scan (empty for a municipality).

- The follow-up statistics' policies (the tenant's own rows for a job without a person, every
  row for a national analyst) become `tenant_id = ANY (<the tenants this transaction may see>)`,
  as 0047 did for directory revisions, so the tenant index serves them instead of a scan of all.

- The networks' `network_member_spaces()` and `network_guest_meetings()` are the same queries
  in PL/pgSQL, whose plan is kept for the session: a SQL function that cannot be inlined is planned
  at every call (about a millisecond and a half of every network statement here).

Two indexes serve the arrays: a person's live emergency accesses, a tenant's unrevoked grants by
their end date; a third, on the grants' owner, serves case_grant's own policy.

The downgrade restores the 0047 policies' text exactly (the aliases `case_any` and `grant_any`
mark what the upgrade wrote) and drops the two indexes.

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-04
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from alembic import op
from psycopg import sql
from sqlalchemy import text

if TYPE_CHECKING:
    from collections.abc import Callable

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None

_TEAM_IN = re.compile(r"(\w+) IN \( SELECT \w\.case_id AS case_once\b")
_TEAM_ANY = re.compile(r"(\w+) = ANY \(\( SELECT ARRAY\( SELECT \w\.case_id AS case_once\b")
_GRANT_EXISTS = re.compile(r"EXISTS \( SELECT 1\n\s+FROM case_grant g\n\s+WHERE \(\(g\.case_id = (\w+)\.(\w+)\) AND ")
_GRANT_ANY = re.compile(r"(\w+) = ANY \(\( SELECT ARRAY\( SELECT g\.case_id AS grant_once\b")
_ARRAY_END = {"case_any": " AS case_any)::uuid[])", "grant_any": " AS grant_any)::uuid[])"}

_TENANT = "( SELECT (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid AS \"nullif\")"
_BOARD_BEFORE = (
    f"EXISTS ( SELECT 1 FROM tenant t WHERE ((t.id = {_TENANT}) AND ((t.kind)::text = 'county_board'::text)"
    " AND (t.county_code = ANY (ARRAY[housing_transfer.home_county, housing_transfer.receiving_county]))))"
)
_BOARD_COUNTY = (
    f"(( SELECT ARRAY( SELECT t.county_code FROM tenant t WHERE ((t.id = {_TENANT})"
    " AND ((t.kind)::text = 'county_board'::text))) AS board_any))::text[]"
)
_TRANSFER_BEFORE = f"((tenant_id = {_TENANT}) OR (receiving_tenant_id = {_TENANT}) OR ({_BOARD_BEFORE}))"
_TRANSFER = (
    f"((tenant_id = {_TENANT}) OR (receiving_tenant_id = {_TENANT})"
    f" OR ((home_county)::text = ANY ({_BOARD_COUNTY})) OR ((receiving_county)::text = ANY ({_BOARD_COUNTY})))"
)
_COUNTIES = ("home_county", "receiving_county")

_USER = "( SELECT (NULLIF(current_setting('app.user_id'::text, true), ''::text))::uuid AS \"nullif\")"
_ANALYST = (
    "EXISTS ( SELECT 1 FROM (membership m JOIN tenant t ON ((t.id = m.tenant_id)))"
    f" WHERE ((m.tenant_id = {_TENANT}) AND (m.user_id = {_USER}) AND ('national_analyst'::text = ANY (m.roles))"
    " AND ((t.kind)::text = 'national_coordinator'::text)))"
)
_STATS_BEFORE = f"(((tenant_id = {_TENANT}) AND ({_USER} IS NULL)) OR ({_ANALYST}))"
# Every statistics row names a tenant (NOT NULL, a foreign key), so "every tenant" is every row.
_STATS = (
    f"tenant_id = ANY (( SELECT CASE WHEN {_ANALYST} THEN ARRAY( SELECT tenant.id FROM tenant)"
    f" WHEN ({_USER} IS NULL) THEN ARRAY[{_TENANT}] ELSE NULL::uuid[] END AS stat_any)::uuid[])"
)
_STATS_POLICIES = (("followup_stat_case", "followup_stat_case_1"), ("followup_stat_point", "followup_stat_point_1"))

# The networks' sets of a person's spaces and guest meetings (0022), unchanged but for the language.
_SETS = {
    "network_member_spaces": """
    SELECT m.space_id FROM network_member m
    JOIN network_representative r ON r.member_id = m.id AND r.ended_at IS NULL
    JOIN membership ms ON ms.tenant_id = m.member_tenant_id AND ms.user_id = r.user_id
    JOIN tenant t ON t.id = m.member_tenant_id AND t.active
    WHERE m.left_at IS NULL
      AND m.member_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      AND r.user_id = NULLIF(current_setting('app.user_id', true), '')::uuid
""",
    "network_guest_meetings": """
    SELECT g.meeting_id FROM network_guest g
    JOIN network_meeting mt ON mt.id = g.meeting_id AND now() < mt.ends_at
    JOIN membership ms ON ms.tenant_id = g.guest_tenant_id AND ms.user_id = g.user_id
    WHERE g.revoked_at IS NULL
      AND g.guest_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
      AND g.user_id = NULLIF(current_setting('app.user_id', true), '')::uuid
""",
}
_SET_FUNCTION = """CREATE OR REPLACE FUNCTION {name}() RETURNS SETOF uuid
LANGUAGE {language} STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $function${body}$function$"""


def _closing(expression: str, opening: int) -> int:
    """The index of the parenthesis that closes the one at `opening` (the catalogue's text has none in literals)."""
    depth = 0
    for index in range(opening, len(expression)):
        depth += {"(": 1, ")": -1}.get(expression[index], 0)
        if depth == 0:
            return index
    msg = f"unbalanced policy text at {opening}"
    raise ValueError(msg)


def _team_to_any(expression: str, _table: str) -> str:
    while match := _TEAM_IN.search(expression):
        opening = match.start() + len(match[1]) + len(" IN ")
        closing = _closing(expression, opening)
        inner = expression[opening + 1 : closing]
        expression = (
            f"{expression[: match.start()]}{match[1]} = ANY (( SELECT ARRAY({inner}){_ARRAY_END['case_any']}"
            f"{expression[closing + 1 :]}"
        )
    return expression


def _any_to_team(expression: str, _table: str) -> str:
    while match := _TEAM_ANY.search(expression):
        opening = expression.index("ARRAY(", match.start()) + len("ARRAY")
        closing = _closing(expression, opening)
        end = _ARRAY_END["case_any"]
        if not expression.startswith(end, closing + 1):
            msg = "a case_once array without the upgrade's alias"
            raise ValueError(msg)
        inner = expression[opening + 1 : closing]
        expression = f"{expression[: match.start()]}{match[1]} IN ({inner}){expression[closing + 1 + len(end) :]}"
    return expression


def _grant_to_any(expression: str, table: str) -> str:
    start = 0
    while match := _GRANT_EXISTS.search(expression, start):
        opening = match.start() + len("EXISTS ")
        closing = _closing(expression, opening)
        inner = expression[opening + 1 : closing]
        terms = inner[inner.index(" AND ", inner.index("g.case_id")) + len(" AND ") :]
        if match[1] != table or f"{table}." in terms:
            start = closing  # a grant of another row (a team row's case) or terms that name the row
            continue
        where = inner[: inner.index("WHERE ((") + len("WHERE (")]
        select = where.replace("SELECT 1", "SELECT g.case_id AS grant_once", 1)
        replacement = f"{match[2]} = ANY (( SELECT ARRAY({select}{terms}){_ARRAY_END['grant_any']}"
        expression = f"{expression[: match.start()]}{replacement}{expression[closing + 1 :]}"
        start = match.start() + len(replacement)
    return expression


def _any_to_grant(expression: str, table: str) -> str:
    while match := _GRANT_ANY.search(expression):
        opening = expression.index("ARRAY(", match.start()) + len("ARRAY")
        closing = _closing(expression, opening)
        end = _ARRAY_END["grant_any"]
        if not expression.startswith(end, closing + 1):
            msg = "a grant_once array without the upgrade's alias"
            raise ValueError(msg)
        inner = expression[opening + 1 : closing].replace("SELECT g.case_id AS grant_once", "SELECT 1", 1)
        inner = inner.replace("WHERE ((", f"WHERE ((g.case_id = {table}.{match[1]}) AND (", 1)
        expression = f"{expression[: match.start()]}EXISTS ({inner}){expression[closing + 1 + len(end) :]}"
    return expression


def _rewrite_policies(changes: tuple[Callable[[str, str], str], ...]) -> None:
    connection = op.get_bind()
    policies = connection.execute(
        text("SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public'")
    ).all()
    for table, name, qual, with_check in policies:
        clauses = []
        for keyword, expression in (("USING", qual), ("WITH CHECK", with_check)):
            if expression is None:
                continue
            changed = expression
            for change in changes:
                changed = change(changed, table)
            if changed != expression:
                clauses.append(sql.SQL(f"{keyword} ({{}})").format(sql.SQL(changed)))
        if clauses:
            statement = sql.SQL("ALTER POLICY {} ON {} {}").format(
                sql.Identifier(name), sql.Identifier(table), sql.SQL(" ").join(clauses)
            )
            op.execute(statement.as_string())


def upgrade() -> None:
    """Case sets and grants as arrays, housing transfers' boards by county index."""
    _rewrite_policies((_team_to_any, _grant_to_any))
    op.execute(f"ALTER POLICY housing_transfer_1 ON housing_transfer USING ({_TRANSFER})")
    for column in _COUNTIES:
        op.create_index(f"ix_housing_transfer_{column}", "housing_transfer", [column])
    for table, name in _STATS_POLICIES:
        op.execute(f"ALTER POLICY {name} ON {table} USING ({_STATS})")
    # A SQL function that cannot be inlined (SECURITY DEFINER) is planned again at every call, about
    # a millisecond per statement here; PL/pgSQL keeps its query's plan for the session.
    for name, query in _SETS.items():
        body = f"\nBEGIN\n    RETURN QUERY{query.rstrip()};\nEND\n"
        op.execute(_SET_FUNCTION.format(name=name, language="plpgsql", body=body))
    # A person's live emergency accesses, and a tenant's grants not revoked by their end: the arrays' index scans.
    op.create_index("ix_case_emergency_access_live", "case_emergency_access", ["tenant_id", "user_id", "expires_at"])
    op.create_index(
        "ix_case_grant_live", "case_grant", ["tenant_id", "valid_until"], postgresql_where=text("revoked_at IS NULL")
    )
    # The grants a tenant gave: the owner's side of case_grant's policy had no index (a scan of all grants).
    op.create_index("ix_case_grant_owner", "case_grant", ["owner_tenant_id"])


def downgrade() -> None:
    """The 0047 policies and indexes."""
    op.drop_index("ix_case_grant_owner", table_name="case_grant")
    op.drop_index("ix_case_grant_live", table_name="case_grant")
    op.drop_index("ix_case_emergency_access_live", table_name="case_emergency_access")
    for table, name in _STATS_POLICIES:
        op.execute(f"ALTER POLICY {name} ON {table} USING ({_STATS_BEFORE})")
    for name, query in _SETS.items():
        op.execute(_SET_FUNCTION.format(name=name, language="sql", body=query))
    for column in _COUNTIES:
        op.drop_index(f"ix_housing_transfer_{column}", table_name="housing_transfer")
    op.execute(f"ALTER POLICY housing_transfer_1 ON housing_transfer USING ({_TRANSFER_BEFORE})")
    _rewrite_policies((_any_to_grant, _any_to_team))
