"""The tally the follow-up figures sum: what each organisation's statistics rows count, kept by the copy.

The copy replaces a case's statistics rows whole, so it keeps the tally by taking away what the
case's old rows counted, adding what its new rows count, and then settling the organisation's
tally (summing equal keys, dropping what came to nothing): the cost follows the day's changes,
not the size of the statistics. The counting here is the one migration 0031 did on every request;
`followup_statistics` (migration 0044) now only sums these rows. Everything runs in a job acting
for the organisation, whose rows alone row-level security lets it read and write.
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


def _adding(cases: str) -> str:
    columns = "tenant_id, dimension, first, second, due_month, count"
    counted = f"SELECT :tenant, dimension, first, second, due_month, :sign * count FROM ({_counting(cases)}) c"  # noqa: S608
    return f"INSERT INTO followup_stat_tally ({columns}) {counted}"


_TENANT = bindparam("tenant", type_=Uuid())
_ADD_CASES = text(_adding("pseudonym = ANY (:cases)")).bindparams(_TENANT, bindparam("cases", type_=ARRAY(Text())))
_ADD_ALL = text(_adding("true")).bindparams(_TENANT, bindparam("sign", value=1))
_FORGET = text("DELETE FROM followup_stat_tally WHERE tenant_id = :tenant").bindparams(_TENANT)
_SETTLE = text("""
    WITH kept AS (
        DELETE FROM followup_stat_tally WHERE tenant_id = :tenant
        RETURNING dimension, first, second, due_month, count
    )
    INSERT INTO followup_stat_tally (tenant_id, dimension, first, second, due_month, count)
    SELECT :tenant, dimension, first, second, due_month, sum(count) FROM kept
    GROUP BY dimension, first, second, due_month HAVING sum(count) <> 0
""").bindparams(_TENANT)


async def take_away(session: AsyncSession, tenant_id: UUID, cases: Collection[str]) -> None:
    """Take away what these cases' rows count now: before the copy replaces or removes them."""
    await session.execute(_ADD_CASES, {"tenant": tenant_id, "cases": list(cases), "sign": -1})


async def add(session: AsyncSession, tenant_id: UUID, cases: Collection[str]) -> None:
    """Add what these cases' rows count now: after the copy wrote them."""
    await session.execute(_ADD_CASES, {"tenant": tenant_id, "cases": list(cases), "sign": 1})


async def settle(session: AsyncSession, tenant_id: UUID) -> None:
    """Sum the organisation's tally by key and drop what came to nothing: one row per count again."""
    await session.execute(_SETTLE, {"tenant": tenant_id})


async def forget(session: AsyncSession, tenant_id: UUID) -> None:
    """Drop the organisation's tally: before its statistics are copied again in full."""
    await session.execute(_FORGET, {"tenant": tenant_id})


async def count_again(session: AsyncSession, tenant_id: UUID) -> None:
    """The organisation's tally counted afresh from every one of its statistics rows."""
    await forget(session, tenant_id)
    await session.execute(_ADD_ALL, {"tenant": tenant_id})
