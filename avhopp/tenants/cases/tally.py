"""The tally the follow-up figures sum: what each organisation's statistics rows count, kept by the copy.

The copy replaces a case's statistics rows whole, so it keeps the tally by taking away what the
case's old rows counted as it deletes them, then adding what its new rows count and settling the
organisation's tally in the same statement (summing equal keys, dropping what came to nothing):
two statements a batch, whose cost follows the day's changes, not the size of the statistics. The
counting here is the one migration 0031 did on every request; `followup_statistics` (migration
0044) now only sums these rows. Everything runs in a job acting for the organisation, whose rows
alone row-level security lets it read and write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Text, Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from avhopp.tenants.cases.follow_up_schema import ADDICTION, CONTACT_WITH_GROUP, HOUSING, NEW_CRIME, OCCUPATION

if TYPE_CHECKING:
    from collections.abc import Collection
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

_CODES = tuple(question.code for question in (HOUSING, OCCUPATION, ADDICTION, CONTACT_WITH_GROUP, NEW_CRIME))
_CRIME = "answers ->> 'new_crime' IN ('suspected', 'convicted')"
_WHICH = " ".join(f"WHEN GROUPING(o.{code}) = 0 THEN '{code}'" for code in _CODES)
_ANY_OF = ", ".join(f"o.{code}" for code in _CODES)


def _counting(cases: str) -> str:
    """The counts of the organisation's statistics rows whose case passes `cases` (a condition on `pseudonym`)."""
    case = f"tenant_id = :tenant AND {cases}"
    # Every fragment is a constant of this module; the values are bound parameters.
    return f"""
    SELECT 'started' AS dimension, year_started::text AS first, tenant_kind AS second,
        NULL::date AS due_month, count(*) AS count
    FROM followup_stat_case WHERE {case} GROUP BY 2, 3
    UNION ALL
    SELECT 'county', coalesce(county_code, ''), '', NULL, count(*) FROM followup_stat_case WHERE {case} GROUP BY 2
    UNION ALL
    SELECT 'need', n.need, '', NULL, count(*)
    FROM followup_stat_case, unnest(needs) AS n(need) WHERE {case} GROUP BY 2
    UNION ALL
    SELECT 'intervention', i.code, '', NULL, count(*)
    FROM followup_stat_case, unnest(interventions_received) AS i(code) WHERE {case} GROUP BY 2
    UNION ALL
    SELECT 'outcome:' || CASE {_WHICH} END, o.months_after::text, coalesce({_ANY_OF}), NULL, count(*)
    FROM (
        SELECT months_after, {", ".join(f"answers ->> '{code}' AS {code}" for code in _CODES)}
        FROM followup_stat_point WHERE done AND {case}
    ) o
    GROUP BY GROUPING SETS ({", ".join(f"(o.months_after, o.{code})" for code in _CODES)})
    HAVING coalesce({_ANY_OF}) IS NOT NULL
    UNION ALL
    SELECT 'completeness', coalesce(c.municipality_code, ''),
        CASE WHEN p.on_time THEN 'on_time' WHEN p.done THEN 'late' ELSE 'open' END,
        CASE WHEN p.done THEN NULL ELSE p.due_month END, count(*)
    FROM (SELECT pseudonym, done, on_time, due_month FROM followup_stat_point WHERE {case}) p
    JOIN followup_stat_case c ON c.pseudonym = p.pseudonym AND c.tenant_id = :tenant
    GROUP BY 2, 3, 4
    UNION ALL
    SELECT 'survival', s.at::text, s.kind, NULL, count(*) FROM (
        SELECT coalesce(min(months_after) FILTER (WHERE {_CRIME}),
                        max(months_after) FILTER (WHERE answers ->> 'new_crime' = 'none_known')) AS at,
               CASE WHEN bool_or({_CRIME}) THEN 'event' ELSE 'censored' END AS kind
        FROM followup_stat_point WHERE done AND {case} GROUP BY pseudonym
    ) s WHERE s.at IS NOT NULL GROUP BY 2, 3"""  # noqa: S608


_KEY = "dimension, first, second, due_month"
_COLUMNS = f"tenant_id, {_KEY}, count"
_THESE = "pseudonym = ANY (:cases)"
_TENANT = bindparam("tenant", type_=Uuid())
_CASES = bindparam("cases", type_=ARRAY(Text()))
# Every fragment is a constant of this module; the values are bound parameters.
_ADD_ALL = text(
    f"INSERT INTO followup_stat_tally ({_COLUMNS}) SELECT :tenant, {_KEY}, count FROM ({_counting('true')}) c"  # noqa: S608
).bindparams(_TENANT)
_TAKE_AWAY_AND_DELETE = text(f"""
    WITH gone AS (DELETE FROM followup_stat_case WHERE tenant_id = :tenant AND {_THESE})
    INSERT INTO followup_stat_tally ({_COLUMNS})
    SELECT :tenant, {_KEY}, -count FROM ({_counting(_THESE)}) c
""").bindparams(_TENANT, _CASES)  # noqa: S608
_ADD_AND_SETTLE = text(f"""
    WITH kept AS (DELETE FROM followup_stat_tally WHERE tenant_id = :tenant RETURNING {_KEY}, count)
    INSERT INTO followup_stat_tally ({_COLUMNS})
    SELECT :tenant, {_KEY}, sum(count) FROM (
        SELECT {_KEY}, count FROM kept UNION ALL SELECT {_KEY}, count FROM ({_counting(_THESE)}) c
    ) t
    GROUP BY {_KEY} HAVING sum(count) <> 0
""").bindparams(_TENANT, _CASES)  # noqa: S608
_FORGET = text("DELETE FROM followup_stat_tally WHERE tenant_id = :tenant").bindparams(_TENANT)


async def take_away_and_delete(session: AsyncSession, tenant_id: UUID, cases: Collection[str]) -> None:
    """Delete these cases' statistics rows and take away what they counted, in one statement.

    Every part of a statement reads the rows as they were when it began, so the counting still
    sees the rows its DELETE removes.
    """
    await session.execute(_TAKE_AWAY_AND_DELETE, {"tenant": tenant_id, "cases": list(cases)})


async def add_and_settle(session: AsyncSession, tenant_id: UUID, cases: Collection[str]) -> None:
    """Add what these cases' new rows count, summed by key with the organisation's tally, nothing kept at zero.

    One statement: the organisation's tally rows are taken out and put back summed with the new
    counts, one row per count again.
    """
    await session.execute(_ADD_AND_SETTLE, {"tenant": tenant_id, "cases": list(cases)})


async def forget(session: AsyncSession, tenant_id: UUID) -> None:
    """Drop the organisation's tally: before its statistics are copied again in full."""
    await session.execute(_FORGET, {"tenant": tenant_id})


async def count_again(session: AsyncSession, tenant_id: UUID) -> None:
    """The organisation's tally counted afresh from every one of its statistics rows."""
    await forget(session, tenant_id)
    await session.execute(_ADD_ALL, {"tenant": tenant_id})
