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

from sqlalchemy import Uuid, bindparam, delete, select, text, union
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
_PLAN_CHANGES = text("SELECT case_id FROM followup_plan_changes(:since)").columns(case_id=CaseFile.id.type)
_RECEIVED = text("SELECT case_id, intervention FROM followup_interventions_received(:cases)").bindparams(
    bindparam("cases", type_=ARRAY(Uuid()))
)


async def copy_changes(session: AsyncSession, tenant_id: UUID, now: datetime) -> int:
    """Copy the tenant's cases changed since the last copy (all of them after a key change); returns how many.

    Runs in a job acting for the tenant, with nobody signed in.
    """
    key = PseudonymKey.of_session(session)
    mark = await session.get(StatisticsMark, tenant_id)
    since = None if mark is None or mark.key_id != key.key_id else mark.copied_until - OVERLAP
    if since is None:
        await session.execute(delete(StatisticsCase).where(StatisticsCase.tenant_id == tenant_id))
        await tally.forget(session, tenant_id)
    changed = await _changed_cases(session, tenant_id, since)
    # Most tenants change nothing on most days: they cost three statements.
    if changed:
        place = await _place_of(session, tenant_id)
        for start in range(0, len(changed), BATCH):
            await _copy_batch(session, key, tenant_id, place, changed[start : start + BATCH], now=now)
    if changed:
        await tally.settle(session, tenant_id)
    values = {"copied_until": now, "key_id": key.key_id}
    await session.execute(
        insert(StatisticsMark)
        .values(tenant_id=tenant_id, **values)
        .on_conflict_do_update(index_elements=[StatisticsMark.tenant_id], set_=values)
    )
    await session.flush()
    return len(changed)


async def _changed_cases(session: AsyncSession, tenant_id: UUID, since: datetime | None) -> list[UUID]:
    header = select(CaseFile.id).where(CaseFile.tenant_id == tenant_id, CaseFile.started_on.is_not(None))
    if since is None:
        return sorted(await session.scalars(header))
    # The plan's interventions are updated by other organisations too, without touching the case.
    plan = select(_PLAN_CHANGES.subquery().c.case_id)
    touched = union(header.where(CaseFile.last_entry_at >= since), plan).subquery()
    started = select(CaseFile.id).where(
        CaseFile.tenant_id == tenant_id, CaseFile.started_on.is_not(None), CaseFile.id.in_(select(touched.c[0]))
    )
    return sorted(await session.scalars(started, {"since": since}))


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


async def _copy_batch(  # noqa: PLR0913 - one batch of the copy, all of it explicit
    session: AsyncSession, key: PseudonymKey, tenant_id: UUID, place: _Place, ids: Sequence[UUID], *, now: datetime
) -> None:
    cases = list(await session.scalars(select(CaseFile).where(CaseFile.id.in_(ids))))
    received: dict[UUID, set[str]] = {}
    for case_id, intervention in await session.execute(_RECEIVED, {"cases": list(ids)}):
        received.setdefault(case_id, set()).add(intervention)
    points = list(await session.scalars(select(FollowUp).where(FollowUp.case_id.in_(ids))))
    names = {case.id: key.pseudonym(case.id) for case in cases}
    await tally.take_away(session, tenant_id, names.values())
    await session.execute(delete(StatisticsCase).where(StatisticsCase.pseudonym.in_(list(names.values()))))
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
        await session.execute(insert(StatisticsCase), rows)
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
        await session.execute(insert(StatisticsFollowUp), follow_rows)
    await tally.add(session, tenant_id, names.values())


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
