"""Row-level security at no cost: settings read once per statement, the tenant index usable.

Three changes, none of which changes what a policy lets through:

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


def wrap(expression: str) -> str:
    """`expression` with every bare read of a setting made a sub-select (read once per statement)."""
    for bare in _BARE:
        expression = bare.sub(rf"( SELECT \1 AS {_ALIAS})", expression)
    return _IN_SET.sub(rf"\1 = ANY (( SELECT ARRAY( SELECT \2() AS \2) AS {_ALIAS})::uuid[])", expression)


def unwrap(expression: str) -> str:
    """The inverse of `wrap`: only the sub-selects it added."""
    return _WRAPPED.sub(r"\1", _ANY_SET.sub(r"\1 IN ( SELECT \2() AS \2)", expression))


def _rewrite_policies(change: object) -> None:
    connection = op.get_bind()
    policies = connection.execute(
        text("SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'public'")
    ).all()
    for table, name, qual, with_check in policies:
        clauses = []
        for keyword, expression in (("USING", qual), ("WITH CHECK", with_check)):
            if expression is not None and (changed := change(expression)) != expression:  # type: ignore[operator]
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
