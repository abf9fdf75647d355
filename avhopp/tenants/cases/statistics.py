"""The copy of cases' coded facts into the statistics tables, under a pseudonym, a day's changes at a time.

The statistics tables (`followup_stat_*`) hold no identity and no case number: a case appears as
a pseudonym, a keyed hash (HMAC-SHA256) of its id, so its follow-ups link to its intake and
nothing links it back to the case without the key. The key is derived for this purpose alone
from the key the job's sessions carry (itself derived from AVHOPP_SECRET_KEY); the database
never holds it. A new secret key gives new pseudonyms: the copy notices the key changed (the
mark keeps the key's id) and copies the tenant's cases again in full.

Row-level security lets only a job (a session acting for the case's tenant with nobody signed in)
write these rows, and only the national coordinator's analysts read them (migration 0024). The copy
keeps the tally that the figures sum as it goes (avhopp/tenants/cases/tally.py).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Uuid, bindparam, delete, select, text
from sqlalchemy.dialects.postgresql import ARRAY, insert

from avhopp.platform.database import audit_key_of_session
from avhopp.platform.geography.reference import shipped_geography
from avhopp.platform.times import in_sweden
from avhopp.tenants.cases import tally
from avhopp.tenants.cases.cases import LATE_AFTER
from avhopp.tenants.cases.models import CaseFile, FollowUp, StatisticsCase, StatisticsFollowUp, StatisticsMark
from avhopp.tenants.registry.service import tenant_kinds, tenant_municipalities

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

_PURPOSE = b"avhopp.cases.statistics-pseudonym"
OVERLAP = timedelta(hours=1)
"""Each copy looks this far behind its last mark: a transaction that began before the mark and
committed after it is still copied (copying a case again changes nothing)."""
BATCH = 2000


@dataclass(frozen=True, slots=True)
class PseudonymKey:
    """The key of the pseudonyms, and the id that names it without revealing it."""

    key: bytes

    @classmethod
    def of_session(cls, session: AsyncSession) -> PseudonymKey:
        """Derived from the sessions' key (HKDF-expand style, its own label): neither key reveals the other."""
        return cls(hmac.new(audit_key_of_session(session), _PURPOSE, hashlib.sha256).digest())

    @property
    def key_id(self) -> str:
        """Names the key in the copy's mark, so a changed key is noticed."""
        return hmac.new(self.key, b"key-id", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, case_id: UUID) -> str:
        """The case's pseudonym: the same for every row of the case, under this key."""
        return hmac.new(self.key, case_id.bytes, hashlib.sha256).hexdigest()


_COUNTY = text("SELECT dimension, value, count FROM followup_county_statistics(:county)")
_RECEIVED = text("SELECT case_id, intervention FROM followup_interventions_received(:cases)").bindparams(
    bindparam("cases", type_=ARRAY(Uuid()))
)


_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")
"""The copy's statements read a handful of rows each under several policies: planning them anew
for each tenant cost more than running them (measured: the day's copy about 10 % slower)."""
_CHANGED = (
    text("""
    WITH mark AS (
        SELECT copied_until - :overlap AS since FROM followup_stat_mark WHERE tenant_id = :tenant AND key_id = :key
    )
    SELECT NOT EXISTS (SELECT FROM mark) AS afresh, ARRAY(
        SELECT c.id FROM case_file c
        WHERE c.tenant_id = :tenant AND c.started_on IS NOT NULL AND (
            NOT EXISTS (SELECT FROM mark)
            OR c.last_entry_at >= (SELECT since FROM mark)
            OR c.id IN (SELECT case_id FROM followup_plan_changes((SELECT since FROM mark)))
        )
        ORDER BY c.id
    ) AS cases
""")
    .bindparams(bindparam("tenant", type_=Uuid()))
    .columns(afresh=Boolean(), cases=ARRAY(Uuid()))
)
"""Which started cases to copy, and whether afresh (no mark, or one under another key): all of them then.

The plan's interventions are updated by other organisations too, without touching the case."""


async def copy_changes(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Copy the tenant's cases changed since the last copy (all of them after a key change); returns how many.

    Runs in a job acting for the tenant, with nobody signed in. The job visits every case tenant
    and most change nothing on most days, so each visit costs as few statements as it can: three
    when nothing changed, and each batch of changes a fixed number, however many cases it holds.
    """
    key = PseudonymKey.of_session(session)
    # For the rest of the job's transaction: each statement is planned once per connection.
    await session.execute(_GENERIC_PLANS)
    values = {"tenant": tenant_id, "key": key.key_id, "overlap": OVERLAP}
    afresh, changed = (await session.execute(_CHANGED, values)).one()
    if afresh:
        await session.execute(delete(StatisticsCase).where(StatisticsCase.tenant_id == tenant_id))
        await tally.forget(session, tenant_id)
    if changed:
        place = await _place_of(session, tenant_id)
        for start in range(0, len(changed), BATCH):
            await _copy_batch(session, key, tenant_id, place, changed[start : start + BATCH], now=now, afresh=afresh)
    mark = {"copied_until": now, "key_id": key.key_id}
    await session.execute(
        insert(StatisticsMark)
        .values(tenant_id=tenant_id, **mark)
        .on_conflict_do_update(index_elements=[StatisticsMark.tenant_id], set_=mark)
    )
    await session.flush()
    return len(changed)


@dataclass(frozen=True, slots=True)
class _Place:
    kind: str
    municipality_code: str | None
    county_code: str | None


async def _place_of(session: AsyncSession, tenant_id: UUID) -> _Place:
    kind = (await tenant_kinds(session, [tenant_id]))[tenant_id]
    municipality = (await tenant_municipalities(session, [tenant_id])).get(tenant_id)
    counties = {m.code: m.county_code for m in shipped_geography().municipalities}
    return _Place(kind.value, municipality, counties.get(municipality) if municipality else None)


_CASE_FACTS = (
    *(CaseFile.id, CaseFile.started_on, CaseFile.opened_at, CaseFile.contact_source, CaseFile.affiliation),
    *(CaseFile.needs, CaseFile.intake_version, CaseFile.intake_answers, CaseFile.phase, CaseFile.end_reason),
)
_POINT_FACTS = (
    *(FollowUp.case_id, FollowUp.months_after, FollowUp.due_on, FollowUp.done_at),
    *(FollowUp.schema_version, FollowUp.answers),
)


def _alike_together(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows ordered by which of their values are None.

    The ORM's bulk insert leaves None out and sends each run of rows with the same keys as its
    own statement: unordered, that is a statement every few rows.
    """
    return sorted(rows, key=lambda row: tuple(value is None for value in row.values()))


async def _copy_batch(  # noqa: PLR0913 - one batch of the copy, all of it explicit
    session: AsyncSession,
    key: PseudonymKey,
    tenant_id: UUID,
    place: _Place,
    ids: Sequence[UUID],
    *,
    now: datetime,
    afresh: bool,
) -> None:
    cases = (await session.execute(select(*_CASE_FACTS).where(CaseFile.id.in_(ids)))).all()
    received: dict[UUID, set[str]] = {}
    for case_id, intervention in await session.execute(_RECEIVED, {"cases": list(ids)}):
        received.setdefault(case_id, set()).add(intervention)
    points = (await session.execute(select(*_POINT_FACTS).where(FollowUp.case_id.in_(ids)))).all()
    names = {case.id: key.pseudonym(case.id) for case in cases}
    if not afresh:
        # What the old rows counted is taken away as they go, in one statement.
        await tally.take_away_and_delete(session, tenant_id, names.values())
    rows: list[dict[str, Any]] = [
        {
            "pseudonym": names[case.id],
            "tenant_id": tenant_id,
            "key_id": key.key_id,
            "tenant_kind": place.kind,
            "county_code": place.county_code,
            "municipality_code": place.municipality_code,
            "year_started": case.started_on.year if case.started_on else case.opened_at.year,
            "contact_source": case.contact_source,
            "affiliation": case.affiliation,
            "needs": list(case.needs),
            "intake_version": case.intake_version,
            "intake_answers": case.intake_answers,
            "interventions_received": sorted(received.get(case.id, ())),
            "phase": case.phase,
            "end_reason": case.end_reason,
            "copied_at": now,
        }
        for case in cases
    ]
    if rows:
        await session.execute(insert(StatisticsCase), _alike_together(rows))
    follow_rows = [
        {
            "pseudonym": names[point.case_id],
            "months_after": point.months_after,
            "tenant_id": tenant_id,
            "due_month": point.due_on.replace(day=1),
            "done": point.done_at is not None,
            "on_time": point.done_at is not None and in_sweden(point.done_at).date() <= point.due_on + LATE_AFTER,
            "schema_version": point.schema_version if point.done_at is not None else None,
            "answers": point.answers if point.done_at is not None else None,
        }
        for point in points
        if point.case_id in names
    ]
    if follow_rows:
        await session.execute(insert(StatisticsFollowUp), _alike_together(follow_rows))
    await tally.add_and_settle(session, tenant_id, names.values())


async def county_case_counts(session: AsyncSession, county_code: str) -> dict[str, dict[str, int]]:
    """The county's cases in the follow-up statistics as counts, never rows (migrations 0030 and 0040).

    The cases its organisations report, drafts left out: per `phase` (where they stand; these sum to
    the cases), per `need` and per `intervention` received (overlapping: a case may have several), and
    per `outcome:<question>` the answers at each case's latest completed follow-up (one per case).
    Empty when nothing is copied yet. Small counts are for the caller to hide through disclosure control.
    """
    totals: dict[str, dict[str, int]] = {}
    for dimension, value, count in await session.execute(_COUNTY, {"county": county_code}):
        totals.setdefault(dimension, {})[value] = int(count)
    return totals
