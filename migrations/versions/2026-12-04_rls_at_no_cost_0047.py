"""Row-level security at no cost: settings read once per statement, the tenant index usable.

Five changes, none of which changes what a policy lets through (the downgrade restores the
policies' text exactly; the rewritten forms carry the aliases `app_setting` and `case_once`):

- Every policy in `public` reads the request context once per statement: each
  `current_setting('app.…', true)` (with its NULLIF and uuid cast) becomes a sub-select, which
  PostgreSQL evaluates once as an init plan instead of once per row, and which an index scan can
  take as its key. The policies are rewritten from their own text in the catalogue, so the
  migration needs no copy of them; the sub-selects it adds carry the alias `app_setting`, by which
  the downgrade finds and unwraps exactly them (policies that had sub-selects before keep theirs).
- Directory revisions had two permissive policies, the tenant's and the national coordinator's
  (an EXISTS on the tenant), which PostgreSQL ORs: no index can serve `tenant_id = x OR <constant>`,
  so every count read the whole table. One policy now says the same as `tenant_id = ANY(<the
  tenants this transaction may see>)`: its own, or every tenant for an active national
  coordinator (every revision names a tenant: tenant_id is NOT NULL and a foreign key).
- The networks' policies asked `space_id IN (SELECT network_member_spaces())` (and the same of
  the guest's meetings): a hashed sub-plan, tested row by row in a scan of the whole table. They
  now ask `space_id = ANY(<the same set as one array>)`, which is the same test (NULLs included)
  but one an index can answer, so `tenant_id = x OR space_id = ANY(...)` is a BitmapOr of two
  index scans. The network tables without an index on space_id get one.
- The case tables' policies asked, row by row, whether the person is on the row's case's team
  (or holds emergency access to it): `EXISTS (SELECT 1 FROM case_team t WHERE t.case_id =
  row.case_id AND t.user_id = <user> AND t.tenant_id = <tenant>)`. They now ask `case_id IN
  (SELECT t.case_id FROM case_team t WHERE t.user_id = <user> AND t.tenant_id = <tenant>)`: the
  same test (a NULL case_id passes neither), but the person's cases are read once per statement
  into a hash. The same goes for the team checks that also ask for a grant on the case (a
  member from another organisation): the grant is asked of the team row's case, which is the
  row's case. Only these exact forms are rewritten.
- Tenant tables without an index that leads with tenant_id get one, so "this tenant's rows"
  is an index scan for the policy as for any query.

Databases created after this revision have the sub-select from the start (the helper's
TENANT_PREDICATE has it); for their policies the rewrite finds nothing bare to wrap.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-04
"""

from __future__ import annotations

import re

from alembic import op
from psycopg import sql
from sqlalchemy import text

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None

_ALIAS = "app_setting"
_SETTING = r"current_setting\('app\.\w+'::text, true\)"
# The forms a setting is read in, as PostgreSQL prints them, widest first.
_FORMS = (
    rf"\(NULLIF\({_SETTING}, ''::text\)\)::uuid",
    rf"NULLIF\({_SETTING}, ''::text\)",
    _SETTING,
)
# Each form, unless it is already inside a sub-select (or inside a wider form just wrapped).
_BARE = (
    re.compile(rf"(?<!SELECT )({_FORMS[0]})"),
    re.compile(rf"(?<!SELECT )(?<!SELECT \()({_FORMS[1]})"),
    re.compile(rf"(?<!SELECT )(?<!NULLIF\()({_FORMS[2]})"),
)
_WRAPPED = re.compile(rf"\( SELECT ({'|'.join(_FORMS)}) AS {_ALIAS}\)")

# The networks' set-returning functions of the spaces and meetings this transaction may see.
_SETS = "network_member_spaces|network_guest_meetings"
_IN_SET = re.compile(rf"(\w+) IN \( SELECT ({_SETS})\(\) AS \2\)")
_ANY_SET = re.compile(rf"(\w+) = ANY \(\( SELECT ARRAY\( SELECT ({_SETS})\(\) AS \2\) AS {_ALIAS}\)::uuid\[\]\)")

# The case team's and emergency access's checks, as PostgreSQL prints them (see the docstring).
_READ = (
    r"\( SELECT \(NULLIF\(current_setting\('app\.{}'::text, true\), ''::text\)\)::uuid"
    r" AS (?:\"nullif\"|app_setting)\)"
)
_PER_ROW = re.compile(
    r"EXISTS \( SELECT 1\n\s+FROM (case_team|case_emergency_access) (t|e)\n"
    r"\s+WHERE \(\(\2\.case_id = (\w+)\.(\w+)\) AND \(\2\.user_id = ({user})\) AND \(\2\.tenant_id = ({tenant})\)"
    r"( AND \(now\(\) < e\.expires_at\))?\)\)".format(user=_READ.format("user_id"), tenant=_READ.format("tenant_id"))
)
_MARK = "case_once"
_ONCE = re.compile(
    rf"\((\w+) IN \( SELECT (t|e)\.case_id AS {_MARK}\n\s+FROM (case_team|case_emergency_access) \2\n"
    rf"\s+WHERE \(\(\2\.user_id = ({_READ.format('user_id')})\) AND \(\2\.tenant_id = ({_READ.format('tenant_id')})\)"
    r"( AND \(now\(\) < e\.expires_at\))?\)\)\)"
)

_GRANT_TERMS = (
    r"(?: AND (?:\('\w+'::text = ANY \(g\.categories\)\)|g\.contributes|\(g\.revoked_at IS NULL\)"
    r"|\(now\(\) [<>]=? g\.valid_\w+\)))+"
)
_PER_ROW_GRANT = re.compile(
    r"EXISTS \( SELECT 1\n\s+FROM case_team t\n\s+WHERE \(\(t\.case_id = (\w+)\.(\w+)\)"
    r" AND \(t\.user_id = ({user})\) AND \(t\.tenant_id = ({tenant})\)"
    r" AND \(EXISTS \( SELECT 1\n\s+FROM case_grant g\n\s+WHERE \(\(g\.case_id = \1\.\2\)"
    r" AND \(g\.tenant_id = ({tenant})\)({terms})\)\)\)\)\)".format(
        user=_READ.format("user_id"), tenant=_READ.format("tenant_id"), terms=_GRANT_TERMS
    )
)
_ONCE_GRANT = re.compile(
    rf"\((\w+) IN \( SELECT t\.case_id AS {_MARK}\n\s+FROM case_team t\n"
    rf"\s+WHERE \(\(t\.user_id = ({_READ.format('user_id')})\) AND \(t\.tenant_id = ({_READ.format('tenant_id')})\)"
    r" AND \(EXISTS \( SELECT 1\n\s+FROM case_grant g\n"
    rf"\s+WHERE \(\(g\.case_id = t\.case_id\) AND \(g\.tenant_id = ({_READ.format('tenant_id')})\)"
    rf"({_GRANT_TERMS})\)\)\)\)\)\)"
)

# Tenant tables whose indexes did not lead with tenant_id (0046).
_UNINDEXED = (
    *("audit_event", "case_consent", "case_emergency_access", "case_follow_up", "case_meeting", "case_person"),
    *("case_phase_change", "case_threat_assessment", "housing_offer", "job_outbox", "line_callback_attempt"),
    *("network_agenda_item", "network_consultation", "network_consultation_reply", "network_document"),
    *("network_document_version", "network_follow", "network_guest", "network_meeting", "network_member"),
    *("network_minutes", "network_outcome", "network_representative", "network_response", "network_thread"),
    "network_thread_reply",
)
_UNINDEXED_SPACES = (
    *("network_agenda_item", "network_consultation_reply", "network_document_version", "network_minutes"),
    *("network_outcome", "network_representative", "network_response", "network_thread_reply"),
)

_TENANT_BEFORE = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
_COORDINATOR_BEFORE = (
    "EXISTS (SELECT 1 FROM tenant WHERE tenant.id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
    " AND tenant.kind = 'national_coordinator' AND tenant.active)"
)
_TENANT = f"(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid AS {_ALIAS})"
# The cast makes ANY take one array, not a sub-query's rows.
_VISIBLE_REVISIONS = (
    "tenant_id = ANY ((SELECT CASE WHEN EXISTS (SELECT 1 FROM tenant WHERE tenant.id = "
    f"{_TENANT} AND tenant.kind = 'national_coordinator' AND tenant.active)"
    f" THEN ARRAY(SELECT tenant.id FROM tenant) ELSE ARRAY[{_TENANT}] END)::uuid[])"
)


def wrap(expression: str, table: str) -> str:
    """`expression` with every bare read of a setting made a sub-select (read once per statement)."""
    del table  # the rewritten forms name their own columns
    for bare in _BARE:
        expression = bare.sub(rf"( SELECT \1 AS {_ALIAS})", expression)
    expression = _PER_ROW_GRANT.sub(
        rf"(\2 IN ( SELECT t.case_id AS {_MARK} FROM case_team t WHERE ((t.user_id = \3) AND (t.tenant_id = \4)"
        r" AND (EXISTS ( SELECT 1 FROM case_grant g WHERE ((g.case_id = t.case_id) AND (g.tenant_id = \5)\6))))))",
        expression,
    )
    expression = _PER_ROW.sub(
        rf"(\4 IN ( SELECT \2.case_id AS {_MARK} FROM \1 \2 WHERE ((\2.user_id = \5) AND (\2.tenant_id = \6)\7)))",
        expression,
    )
    return _IN_SET.sub(rf"\1 = ANY (( SELECT ARRAY( SELECT \2() AS \2) AS {_ALIAS})::uuid[])", expression)


def unwrap(expression: str, table: str) -> str:
    """The inverse of `wrap`: only the sub-selects it added."""
    expression = _ONCE_GRANT.sub(
        lambda m: (
            f"EXISTS ( SELECT 1\n   FROM case_team t\n  WHERE ((t.case_id = {table}.{m[1]}) AND (t.user_id = {m[2]})"
            f" AND (t.tenant_id = {m[3]}) AND (EXISTS ( SELECT 1\n           FROM case_grant g\n"
            f"          WHERE ((g.case_id = {table}.{m[1]}) AND (g.tenant_id = {m[4]}){m[5]})))))"
        ),
        expression,
    )
    expression = _ONCE.sub(
        lambda m: (
            f"EXISTS ( SELECT 1\n   FROM {m[3]} {m[2]}\n  WHERE (({m[2]}.case_id = {table}.{m[1]}) AND"
            f" ({m[2]}.user_id = {m[4]}) AND ({m[2]}.tenant_id = {m[5]}){m[6] or ''}))"
        ),
        expression,
    )
    return _WRAPPED.sub(r"\1", _ANY_SET.sub(r"\1 IN ( SELECT \2() AS \2)", expression))


def _rewrite_policies(change: object) -> None:
    connection = op.get_bind()
    policies = connection.execute(
        text("SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public'")
    ).all()
    for table, name, qual, with_check in policies:
        clauses = []
        for keyword, expression in (("USING", qual), ("WITH CHECK", with_check)):
            if expression is not None and (changed := change(expression, table)) != expression:  # type: ignore[operator]
                clauses.append(sql.SQL(f"{keyword} ({{}})").format(sql.SQL(changed)))
        if clauses:
            statement = sql.SQL("ALTER POLICY {} ON {} {}").format(
                sql.Identifier(name), sql.Identifier(table), sql.SQL(" ").join(clauses)
            )
            op.execute(statement.as_string())


def upgrade() -> None:
    """Wrap the settings, merge the directory revisions' policies, index the tenant tables."""
    _rewrite_policies(wrap)
    op.execute("DROP POLICY tenant_isolation ON directory_revision")
    op.execute("DROP POLICY reviewer_decides ON directory_revision")
    op.execute(
        f"CREATE POLICY tenant_or_coordinator ON directory_revision"
        f" USING ({_VISIBLE_REVISIONS}) WITH CHECK ({_VISIBLE_REVISIONS})"
    )
    for table in _UNINDEXED:
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])
    for table in _UNINDEXED_SPACES:
        op.create_index(f"ix_{table}_space_id", table, ["space_id"])


def downgrade() -> None:
    """The indexes dropped, the two revision policies back, the settings read per row again."""
    for table in _UNINDEXED_SPACES:
        op.drop_index(f"ix_{table}_space_id", table_name=table)
    for table in _UNINDEXED:
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)
    op.execute("DROP POLICY tenant_or_coordinator ON directory_revision")
    tenant = f"tenant_id = {_TENANT_BEFORE}"
    op.execute(f"CREATE POLICY tenant_isolation ON directory_revision USING ({tenant}) WITH CHECK ({tenant})")
    op.execute(
        "CREATE POLICY reviewer_decides ON directory_revision"
        f" USING ({_COORDINATOR_BEFORE}) WITH CHECK ({_COORDINATOR_BEFORE})"
    )
    _rewrite_policies(unwrap)
