"""Needs in the county with outcomes: `followup_county_statistics(county)` counts the follow-ups' answers too.

Replaces the function of 0030 (same signature, same grants): besides the county's cases per phase,
need and intervention received, it counts each case's answers at its latest completed follow-up,
per outcome question (housing, occupation, addiction, contact with the group, new crime), as
`outcome:<question>` with the answer as the value. A case counts once per question, so each
question's counts sum to the cases that answered it. Counts only, never rows; the owner reads
`followup_stat_point` through the read-only policy of 0031. Small counts are hidden by the
application's disclosure control, as before.

Revision ID: 0040
Revises: 0044
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0040"
down_revision = "0044"
branch_labels = None
depends_on = None

_OUTCOMES = ("housing", "occupation", "addiction", "contact_with_group", "new_crime")
_HEAD = """
CREATE OR REPLACE FUNCTION followup_county_statistics(county text)
RETURNS TABLE (dimension text, value text, count bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT 'phase', s.phase, count(*)
    FROM followup_stat_case s WHERE s.county_code = county AND s.phase <> 'draft' GROUP BY 2
    UNION ALL
    SELECT 'need', n.need, count(*)
    FROM followup_stat_case s, unnest(s.needs) AS n(need)
    WHERE s.county_code = county AND s.phase <> 'draft' GROUP BY 2
    UNION ALL
    SELECT 'intervention', i.intervention, count(*)
    FROM followup_stat_case s, unnest(s.interventions_received) AS i(intervention)
    WHERE s.county_code = county AND s.phase <> 'draft' GROUP BY 2"""
_WITH_OUTCOMES = (
    _HEAD
    + f"""
    UNION ALL
    SELECT 'outcome:' || a.question, a.answer, count(*)
    FROM (
        SELECT DISTINCT ON (p.pseudonym) p.answers
        FROM followup_stat_point p JOIN followup_stat_case s ON s.pseudonym = p.pseudonym
        WHERE s.county_code = county AND s.phase <> 'draft' AND p.done AND p.answers IS NOT NULL
        ORDER BY p.pseudonym, p.months_after DESC
    ) latest, jsonb_each_text(latest.answers) AS a(question, answer)
    WHERE a.question IN ({", ".join(f"'{code}'" for code in _OUTCOMES)})
    GROUP BY 1, 2
$$"""
)
_WITHOUT_OUTCOMES = _HEAD + "\n$$"


def upgrade() -> None:
    op.execute(_WITH_OUTCOMES)


def downgrade() -> None:
    op.execute(_WITHOUT_OUTCOMES)
