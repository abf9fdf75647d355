"""The guidance line: answers of their own, escalations, callbacks that expire, texts erased by rule.

"Not asked" and "unknown" are stored answers for the threat, the group, the county and the
needs (the threat level loses its default "none", which made every unrecorded contact one
without a threat); the county's gets its own column beside the county code. A contact and a
callback can be lifted to the line's supervisors, who are also told of a callback whose window
passed while it was open; a referral remembers when the supervisors were
told that nobody answered it, and when what the caller shared was erased. A line sets how long
an open callback waits before it expires. `line_statistics` counts the new answers, what was
never recorded, and the threat and the group.

Revision ID: 0032
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avhopp.platform.migration_helpers import grant_runtime

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

_UNANSWERED = "'not_asked', 'unknown'"
_THREATS = "'none', 'latent', 'serious'"
_GROUPS = (
    "'mc_gang', 'neighbourhood_group', 'white_power', 'violent_extremism', 'honour_context', 'family_based',"
    " 'other_criminal_group', 'relatives'"
)
_NEEDS = (
    "'guidance', 'threat_assessment', 'protection', 'emergency_housing', 'supported_housing', 'relocation',"
    " 'contact_person', 'conversational_support', 'practical_support', 'financial_aid', 'addiction_care',"
    " 'medical_assessment', 'therapy', 'influence_programme', 'occupation', 'education', 'long_term_housing',"
    " 'debt_counselling', 'social_network', 'family_support', 'protected_identity'"
)

_COUNTS = """
        SELECT 'day', to_char(c.started_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM-DD'), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'week', to_char(c.started_at AT TIME ZONE 'Europe/Stockholm', 'IYYY-"v"IW'), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'caller_type', c.caller_type, count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'county', {county}, count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL{more}
        SELECT 'need', n.need, count(*)
        FROM line_contact c, unnest({needs}) AS n(need) WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'outcome', o.outcome, count(*)
        FROM line_contact c, unnest(c.outcomes) AS o(outcome)
        WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'referral', r.status, count(*)
        FROM line_referral r WHERE r.tenant_id = line AND r.sent_at >= since GROUP BY 2
        UNION ALL
        SELECT 'callback_hours',
            CASE WHEN extract(epoch FROM b.first_reached_at - b.created_at) < 3600 THEN 'under_1'
                 WHEN extract(epoch FROM b.first_reached_at - b.created_at) < 4 * 3600 THEN '1_to_4'
                 WHEN extract(epoch FROM b.first_reached_at - b.created_at) < 24 * 3600 THEN '4_to_24'
                 ELSE 'over_24' END,
            count(*)
        FROM line_callback b
        WHERE b.tenant_id = line AND b.created_at >= since AND b.first_reached_at IS NOT NULL GROUP BY 2;
"""
_NOW_COUNTED = _COUNTS.format(
    county="coalesce(c.county_code, c.county_answer, '')",
    needs="CASE WHEN cardinality(c.needs) = 0 THEN ARRAY['']::text[] ELSE c.needs END",
    more="""
        SELECT 'threat', coalesce(c.threat_level, ''), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL
        SELECT 'target_group', coalesce(c.target_group, ''), count(*)
        FROM line_contact c WHERE c.tenant_id = line AND c.started_at >= since GROUP BY 2
        UNION ALL""",
)
_BEFORE = _COUNTS.format(county="coalesce(c.county_code, '')", needs="c.needs", more="")


# What the caller shared and how to reach them go when the referral is answered, or when the line
# marks it expired: in the same update, by the database, whoever makes it.
_ERASE_ON_ANSWER = """
CREATE FUNCTION line_referral_erase_texts() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF (NEW.status IN ('accepted', 'declined') AND OLD.status NOT IN ('accepted', 'declined'))
        OR (NEW.texts_erased_at IS NOT NULL AND OLD.texts_erased_at IS NULL) THEN
        NEW.shared_information := '';
        NEW.safe_contact := '';
        NEW.texts_erased_at := coalesce(NEW.texts_erased_at, now());
    END IF;
    IF NEW.reason_erased_at IS NOT NULL AND OLD.reason_erased_at IS NULL THEN
        NEW.decision_reason := '';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER erase_texts BEFORE UPDATE ON line_referral
FOR EACH ROW EXECUTE FUNCTION line_referral_erase_texts();
"""


def _statistics(counts: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION line_statistics(line uuid, since timestamptz)
RETURNS TABLE (dimension text, value text, count bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    previous text := current_setting('app.tenant_id', true);
BEGIN
    PERFORM set_config('app.tenant_id', line::text, true);
    RETURN QUERY{counts}
    PERFORM set_config('app.tenant_id', coalesce(previous, ''), true);
END
$$
"""


def _replace_check(table: str, name: str, condition: str, *, up: bool) -> None:
    # Migrations 0011 and 0012 named their checks twice over (ck_line_contact_ck_line_contact_…);
    # the checks this one replaces get the name the models give them on the way up, and the old
    # name back on the way down, so that the way up finds it again.
    doubled, model = f"ck_{table}_ck_{table}_{name}", f"ck_{table}_{name}"
    op.drop_constraint(op.f(doubled if up else model), table, type_="check")
    op.create_check_constraint(op.f(model if up else doubled), table, condition)


def upgrade() -> None:
    op.add_column("line_contact", sa.Column("county_answer", sa.Text(), nullable=True))
    op.add_column("line_contact", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.alter_column("line_contact", "threat_level", nullable=True, server_default=None)
    _replace_check(
        "line_contact",
        "threat_level_known",
        f"threat_level IS NULL OR threat_level IN ({_THREATS}, {_UNANSWERED})",
        up=True,
    )
    _replace_check(
        "line_contact",
        "target_group_known",
        f"target_group IS NULL OR target_group IN ({_GROUPS}, {_UNANSWERED})",
        up=True,
    )
    _replace_check("line_contact", "needs_known", f"needs <@ ARRAY[{_NEEDS}, {_UNANSWERED}]::text[]", up=True)
    op.create_check_constraint(
        op.f("ck_line_contact_county_answer_known"),
        "line_contact",
        f"county_answer IS NULL OR county_answer IN ({_UNANSWERED})",
    )
    op.create_check_constraint(
        op.f("ck_line_contact_one_county_answer"), "line_contact", "county_code IS NULL OR county_answer IS NULL"
    )

    op.add_column("line_referral", sa.Column("unanswered_escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("line_referral", sa.Column("texts_erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("line_referral", sa.Column("reason_erased_at", sa.DateTime(timezone=True), nullable=True))
    _replace_check(
        "line_referral",
        "declined_with_reason",
        "status <> 'declined' OR decision_reason <> '' OR reason_erased_at IS NOT NULL",
        up=True,
    )
    op.execute(_ERASE_ON_ANSWER)
    grant_runtime("line_referral", "UPDATE (unanswered_escalated_at, texts_erased_at, reason_erased_at)")

    op.add_column("line_callback", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("line_callback", sa.Column("overdue_notified_at", sa.DateTime(timezone=True), nullable=True))
    _replace_check("line_callback", "status_known", "status IN ('open', 'done', 'cancelled', 'expired')", up=True)

    op.add_column(
        "line_settings",
        sa.Column("callback_expiry_days", sa.SmallInteger(), server_default=sa.text("7"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_line_settings_callback_expiry_in_range"), "line_settings", "callback_expiry_days BETWEEN 1 AND 90"
    )

    op.execute(_statistics(_NOW_COUNTED))


def downgrade() -> None:
    op.execute(_statistics(_BEFORE))
    op.drop_constraint(op.f("ck_line_settings_callback_expiry_in_range"), "line_settings", type_="check")
    op.drop_column("line_settings", "callback_expiry_days")
    op.execute("UPDATE line_callback SET status = 'cancelled' WHERE status = 'expired'")
    _replace_check("line_callback", "status_known", "status IN ('open', 'done', 'cancelled')", up=False)
    op.drop_column("line_callback", "overdue_notified_at")
    op.drop_column("line_callback", "escalated_at")
    op.execute("DROP TRIGGER erase_texts ON line_referral")
    op.execute("DROP FUNCTION line_referral_erase_texts()")
    op.execute("UPDATE line_referral SET decision_reason = '–' WHERE status = 'declined' AND decision_reason = ''")
    _replace_check("line_referral", "declined_with_reason", "status <> 'declined' OR decision_reason <> ''", up=False)
    op.drop_column("line_referral", "reason_erased_at")
    op.drop_column("line_referral", "texts_erased_at")
    op.drop_column("line_referral", "unanswered_escalated_at")
    op.drop_constraint(op.f("ck_line_contact_one_county_answer"), "line_contact", type_="check")
    op.drop_constraint(op.f("ck_line_contact_county_answer_known"), "line_contact", type_="check")
    op.execute("UPDATE line_contact SET needs = array_remove(array_remove(needs, 'not_asked'), 'unknown')")
    op.execute(
        "UPDATE line_contact SET threat_level = 'none'"
        " WHERE threat_level IS NULL OR threat_level IN ('not_asked', 'unknown')"
    )
    op.execute("UPDATE line_contact SET target_group = NULL WHERE target_group IN ('not_asked', 'unknown')")
    _replace_check("line_contact", "needs_known", f"needs <@ ARRAY[{_NEEDS}]::text[]", up=False)
    _replace_check(
        "line_contact", "target_group_known", f"target_group IS NULL OR target_group IN ({_GROUPS})", up=False
    )
    _replace_check("line_contact", "threat_level_known", f"threat_level IN ({_THREATS})", up=False)
    op.alter_column("line_contact", "threat_level", nullable=False, server_default=sa.text("'none'"))
    op.drop_column("line_contact", "escalated_at")
    op.drop_column("line_contact", "county_answer")
