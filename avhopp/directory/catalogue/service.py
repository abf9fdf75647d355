"""The directory's use cases: propose, review, publish, confirm, and read published entries.

Every function takes a session whose RequestContext names the acting tenant; row-level
security enforces the same rules again (see migration 0009). Lookups that a tenant may
not make answer as if the thing did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from sqlalchemy import false, func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from avhopp.directory.catalogue.documents import (
    STALE_AFTER,
    Entry,
    as_text,
    is_stale,
    organization_from_document,
    service_from_document,
    to_document,
)
from avhopp.directory.catalogue.entry import (
    OrganizationEntry,
    ServiceEntry,
    catchment_municipalities,
    validate_organization,
    validate_service,
    whole_country,
)
from avhopp.directory.catalogue.models import (
    PublicOrganization,
    PublicService,
    PublishedOrganization,
    PublishedService,
    Revision,
    RevisionStatus,
    RevisionSubject,
    VerificationReminder,
)
from avhopp.directory.catalogue.search import SearchQuery, SearchResult, search_directory
from avhopp.directory.catalogue.vocabulary import Intervention, ServiceStatus, TargetGroup, ThreatLevel, bits
from avhopp.platform.labels import label
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.tenants.registry.service import TenantKind, tenant_kinds, tenant_names

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from uuid import UUID

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncSession


__all__ = [
    "STALE_AFTER",
    "Entry",
    "Intervention",
    "SearchQuery",
    "SearchResult",
    "TargetGroup",
    "ThreatLevel",
    "as_text",
    "is_stale",
    "organization_from_document",
    "search_directory",
    "service_from_document",
    "to_document",
]
"""Besides this module's own use cases, what other parts may use: the searches and the codes they record."""


def _search_text(service: ServiceEntry, organization: OrganizationEntry) -> str:
    words = [
        service.alternate_name,
        service.description,
        service.eligibility_description,
        organization.name,
        organization.alternate_name,
        *(label(value) for value in service.interventions),
        *(label(value) for value in service.target_groups),
        label(organization.operation_type),
        *(location.city for location in service.locations),
    ]
    return " ".join(word for word in words if word)


def _rejected_unless_valid(problems: list[FieldProblem]) -> None:
    if problems:
        raise InvalidInputError(problems)


# Publishing (the national coordinator's transaction, or the seed and imports as the owner).


async def publish_organization(session: AsyncSession, owner: UUID, entry: OrganizationEntry) -> None:
    """Make an organisation entry live for `owner`; an entry of another owner is not taken over."""
    await publish_entries(session, [(owner, entry)])


async def publish_service(session: AsyncSession, owner: UUID, entry: ServiceEntry) -> None:
    """Make a service entry live for `owner`, under an organisation `owner` has published."""
    await publish_entries(session, [(owner, entry)])


async def publish_entries(session: AsyncSession, entries: Sequence[tuple[UUID, Entry]]) -> None:
    """Make entries live, each for its owner, in a few statements however many there are.

    An organisation is written before the services that name it. A service's organisation is
    the one in `entries` or the one its owner has already published; the organisation's name
    and kind are copied into its services for search, so the services already published under
    an organisation in `entries` are written again. An entry of another owner is never taken
    over. Nothing is written if any entry is refused.
    """
    problems = [
        FieldProblem(f"{entry.id}:{problem.field}" if len(entries) > 1 else problem.field, problem.message)
        for _owner, entry in entries
        for problem in (validate_service(entry) if isinstance(entry, ServiceEntry) else validate_organization(entry))
    ]
    _rejected_unless_valid(problems)
    organizations = {entry.id: (owner, entry) for owner, entry in entries if isinstance(entry, OrganizationEntry)}
    services = {entry.id: (owner, entry) for owner, entry in entries if isinstance(entry, ServiceEntry)}
    await _upsert_owned(
        session, PublishedOrganization, [_organization_row(owner, entry) for owner, entry in organizations.values()]
    )
    if organizations:
        for owner, document in await session.execute(
            select(PublishedService.tenant_id, as_text(PublishedService.document)).where(
                PublishedService.organization_id.in_(organizations), PublishedService.id.not_in(services)
            )
        ):
            service = service_from_document(document)
            services[service.id] = (owner, service)
    if not services:
        return
    wanted = {entry.organization_id for _owner, entry in services.values()} - organizations.keys()
    if wanted:
        for organization_id, owner, document in await session.execute(
            select(
                PublishedOrganization.id, PublishedOrganization.tenant_id, as_text(PublishedOrganization.document)
            ).where(PublishedOrganization.id.in_(wanted))
        ):
            organizations[organization_id] = (owner, organization_from_document(document))
    rows = []
    for owner, entry in services.values():
        organization_owner, organization = organizations.get(entry.organization_id, (None, None))
        if organization is None or organization_owner != owner:
            raise InvalidInputError([FieldProblem("organization_id", "Organisationen finns inte i katalogen ännu.")])
        rows.append(_service_row(owner, entry, organization))
    await _upsert_owned(session, PublishedService, rows)


def _organization_row(owner: UUID, entry: OrganizationEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "tenant_id": owner,
        "name": entry.name,
        "operation_type": entry.operation_type.value,
        "document": to_document(entry),
    }


def _service_row(owner: UUID, entry: ServiceEntry, organization: OrganizationEntry) -> dict[str, Any]:
    national = whole_country(entry)
    return {
        "id": entry.id,
        "organization_id": entry.organization_id,
        "tenant_id": owner,
        "name": entry.name,
        "status": entry.status.value,
        "operation_type": organization.operation_type.value,
        "whole_country": national,
        "catchment_municipalities": [] if national else sorted(catchment_municipalities(entry.catchment)),
        "minimum_age": entry.minimum_age,
        "maximum_age": entry.maximum_age,
        # Each value once, so search's facets count services (`dict.fromkeys` keeps the order).
        "target_groups": list(dict.fromkeys(group.value for group in entry.target_groups)),
        "interventions": list(dict.fromkeys(intervention.value for intervention in entry.interventions)),
        "target_group_bits": bits(entry.target_groups),
        "intervention_bits": bits(entry.interventions),
        "threat_requirement": entry.threat_requirement.value,
        "accepts_serious_threat": entry.accepts_serious_threat,
        "accepts_local_serious_threat": entry.accepts_local_serious_threat,
        "drug_policy": entry.drug_policy.value,
        "custody_only": entry.custody_only,
        "police_report_required": entry.police_report_required,
        "reaches_custody": entry.reaches_custody,
        "capacity": entry.capacity.value,
        "funding_rule": entry.funding_rule.value,
        "search_text": _search_text(entry, organization),
        "verified_on": entry.verified_on,
        "document": to_document(entry),
    }


async def _upsert_owned(
    session: AsyncSession, table: type[PublishedOrganization | PublishedService], rows: list[dict[str, Any]]
) -> None:
    """Insert, or update the rows of the same id and owner; another owner's row is never taken over."""
    if not rows:
        return
    connection = await session.connection()
    written = set((await connection.execute(_owned_upsert(table, tuple(rows[0])), rows)).scalars())
    if len(written) != len(rows):
        raise InvalidInputError([FieldProblem("id", "Uppgiften tillhör en annan organisation.")])


@cache
def _owned_upsert(table: type[PublishedOrganization | PublishedService], columns: tuple[str, ...]) -> Any:  # noqa: ANN401 - SQLAlchemy's generic insert
    """The upsert statement, built once; executed with many rows, it is sent as multi-row VALUES."""
    statement = insert(table)
    changed = {column: statement.excluded[column] for column in columns if column not in {"id", "tenant_id"}}
    return statement.on_conflict_do_update(
        index_elements=[table.id],
        set_={**changed, "published_at": func.now()},
        where=table.tenant_id == statement.excluded.tenant_id,
    ).returning(table.id)


# Proposing (the owner's transaction).


@dataclass(frozen=True, slots=True)
class OwnEntries:
    """What a tenant has in the directory: published entries, open proposals, reminders."""

    organizations: list[OrganizationEntry]
    services: list[ServiceEntry]
    pending: dict[UUID, UUID]
    """Entry id to the id of its pending revision."""
    reminded: set[UUID]
    """Services the owner has been reminded to confirm."""


async def own_entries_in_tenant(session: AsyncSession, tenant_id: UUID) -> OwnEntries:
    """The tenant's own published entries, pending revisions and reminders."""
    organizations = [
        organization_from_document(document)
        for document in await session.scalars(
            select(as_text(PublishedOrganization.document))
            .where(PublishedOrganization.tenant_id == tenant_id)
            .order_by(PublishedOrganization.name)
        )
    ]
    services = [
        service_from_document(document)
        for document in await session.scalars(
            select(as_text(PublishedService.document))
            .where(PublishedService.tenant_id == tenant_id)
            .order_by(PublishedService.name)
        )
    ]
    pending = {
        row.subject_id: row.id
        for row in await session.execute(
            select(Revision.subject_id, Revision.id).where(
                Revision.tenant_id == tenant_id, Revision.status == RevisionStatus.PENDING
            )
        )
    }
    reminded = set(
        await session.scalars(
            select(VerificationReminder.service_id).where(VerificationReminder.tenant_id == tenant_id)
        )
    )
    return OwnEntries(organizations, services, pending, reminded)


async def own_service_in_tenant(session: AsyncSession, tenant_id: UUID, service_id: UUID) -> ServiceEntry:
    """One of the tenant's published services, or its pending proposal for a new one."""
    document = await session.scalar(
        select(as_text(PublishedService.document)).where(
            PublishedService.id == service_id, PublishedService.tenant_id == tenant_id
        )
    )
    if document is None:
        document = await session.scalar(
            select(as_text(Revision.document)).where(
                Revision.subject_id == service_id,
                Revision.tenant_id == tenant_id,
                Revision.subject == RevisionSubject.SERVICE,
                Revision.status == RevisionStatus.PENDING,
            )
        )
    if document is None:
        raise NotFoundError
    return service_from_document(document)


async def _published_owner(session: AsyncSession, subject: RevisionSubject, subject_id: UUID) -> UUID | None:
    table = PublishedOrganization if subject is RevisionSubject.ORGANIZATION else PublishedService
    return await session.scalar(select(table.tenant_id).where(table.id == subject_id))


async def propose(session: AsyncSession, tenant_id: UUID, user_id: UUID | None, entry: Entry, today: date) -> UUID:
    """Propose a new or changed entry of the tenant's for review; returns the revision's id.

    The proposer vouches for the whole entry, so it counts as confirmed today.

    Raises:
        InvalidInputError: the entry has problems, or is someone else's, or already awaits review.

    """
    if isinstance(entry, ServiceEntry):
        subject = RevisionSubject.SERVICE
        entry = msgspec.structs.replace(entry, verified_on=today)
        _rejected_unless_valid(validate_service(entry))
        await _check_organization_is_own(session, tenant_id, entry.organization_id)
        previous_table: type[PublishedOrganization | PublishedService] = PublishedService
    else:
        subject = RevisionSubject.ORGANIZATION
        _rejected_unless_valid(validate_organization(entry))
        previous_table = PublishedOrganization
    owner = await _published_owner(session, subject, entry.id)
    if owner is not None and owner != tenant_id:
        raise InvalidInputError([FieldProblem("id", "Uppgiften tillhör en annan organisation.")])
    previous = await session.scalar(select(previous_table.document).where(previous_table.id == entry.id))
    statement = (
        insert(Revision)
        .values(
            tenant_id=tenant_id,
            subject=subject.value,
            subject_id=entry.id,
            document=to_document(entry),
            previous=previous,
            submitted_by=user_id,
        )
        .on_conflict_do_nothing(
            index_elements=[Revision.tenant_id, Revision.subject_id], index_where=Revision.status == "pending"
        )
        .returning(Revision.id)
    )
    revision_id = await session.scalar(statement)
    if revision_id is None:
        raise InvalidInputError(
            [FieldProblem("id", "Det finns redan en ändring som väntar på granskning. Dra tillbaka den först.")]
        )
    return revision_id


async def _check_organization_is_own(session: AsyncSession, tenant_id: UUID, organization_id: UUID) -> None:
    owner = await _published_owner(session, RevisionSubject.ORGANIZATION, organization_id)
    if owner == tenant_id:
        return
    pending = await session.scalar(
        select(Revision.id).where(
            Revision.subject_id == organization_id,
            Revision.tenant_id == tenant_id,
            Revision.status == RevisionStatus.PENDING,
        )
    )
    if pending is None:
        raise InvalidInputError([FieldProblem("organization_id", "Välj en av den egna organisationens uppgifter.")])


async def withdraw(session: AsyncSession, tenant_id: UUID, revision_id: UUID) -> None:
    """Withdraw one of the tenant's pending revisions."""
    withdrawn = await session.scalar(
        update(Revision)
        .where(Revision.id == revision_id, Revision.tenant_id == tenant_id, Revision.status == RevisionStatus.PENDING)
        .values(status=RevisionStatus.WITHDRAWN.value, reviewed_at=func.now(), reviewed_by=Revision.submitted_by)
        .returning(Revision.id)
    )
    if withdrawn is None:
        raise NotFoundError


async def confirm_service(session: AsyncSession, tenant_id: UUID, service_id: UUID, today: date) -> None:
    """The owner confirms that a published service's facts are still right."""
    document = await session.scalar(
        select(as_text(PublishedService.document)).where(
            PublishedService.id == service_id, PublishedService.tenant_id == tenant_id
        )
    )
    if document is None:
        raise NotFoundError
    confirmed = msgspec.structs.replace(service_from_document(document), verified_on=today, source_note="")
    await session.execute(
        update(PublishedService)
        .where(PublishedService.id == service_id, PublishedService.tenant_id == tenant_id)
        .values(verified_on=today, document=to_document(confirmed))
    )


async def seed_services_to_confirm(session: AsyncSession, tenant_id: UUID) -> list[ServiceEntry]:
    """The tenant's published services that nobody has confirmed yet: the seed, with its source note."""
    return [
        service_from_document(document)
        for document in await session.scalars(
            select(as_text(PublishedService.document))
            .where(PublishedService.tenant_id == tenant_id, PublishedService.verified_on.is_(None))
            .order_by(PublishedService.name)
        )
    ]


async def propose_confirmation(
    session: AsyncSession, tenant_id: UUID, user_id: UUID | None, service_id: UUID, today: date
) -> UUID:
    """Send one of the tenant's published services, unchanged, to review as confirmed; returns the revision.

    Confirming what nobody has confirmed before is a claim like any change: the national
    coordinator reviews it, and only its approval publishes the entry as confirmed (today's date,
    the seed's source note gone, since the owner now vouches for the facts).

    Raises:
        NotFoundError: not one of the tenant's published services.
        InvalidInputError: a change to it already awaits review.

    """
    document = await session.scalar(
        select(as_text(PublishedService.document)).where(
            PublishedService.id == service_id, PublishedService.tenant_id == tenant_id
        )
    )
    if document is None:
        raise NotFoundError
    entry = msgspec.structs.replace(service_from_document(document), source_note="")
    return await propose(session, tenant_id, user_id, entry, today)


@dataclass(frozen=True, slots=True)
class OwnerConfirmation:
    """How much of one owner's published directory its owner has confirmed."""

    owner: UUID
    services: int
    confirmed: int
    last_confirmed: date | None


async def confirmation_by_owner(session: AsyncSession) -> dict[UUID, OwnerConfirmation]:
    """Per owning tenant: published services, how many are confirmed, and the latest confirmation."""
    rows = await session.execute(
        select(
            PublishedService.tenant_id,
            func.count(),
            func.count(PublishedService.verified_on),
            func.max(PublishedService.verified_on),
        ).group_by(PublishedService.tenant_id)
    )
    return {
        owner: OwnerConfirmation(owner, int(services), int(confirmed), last)
        for owner, services, confirmed, last in rows
    }


# Reviewing (the national coordinator's transaction).


@dataclass(frozen=True, slots=True)
class RevisionView:
    """A revision as the reviewer sees it."""

    id: UUID
    tenant_id: UUID
    tenant_name: str
    subject: RevisionSubject
    status: RevisionStatus
    entry: Entry
    previous: Entry | None
    submitted_at: datetime
    review_note: str


def _decode(subject: str, document: dict[str, Any]) -> Entry:
    if subject == RevisionSubject.SERVICE:
        return service_from_document(document)
    return organization_from_document(document)


async def _check_reviewer(session: AsyncSession, tenant_id: UUID) -> None:
    """Only the national coordinator reviews; any other tenant finds nothing to review."""
    if not await _reviews(session, tenant_id):
        raise NotFoundError


async def _reviews(session: AsyncSession, tenant_id: UUID) -> bool:
    kinds = await tenant_kinds(session, [tenant_id])
    return kinds.get(tenant_id) is TenantKind.NATIONAL_COORDINATOR


async def revisions_for_review_in_tenant(
    session: AsyncSession, tenant_id: UUID, *, status: RevisionStatus, limit: int = 200
) -> list[RevisionView]:
    """Revisions in one status, oldest first (the queue), with their owners' names."""
    await _check_reviewer(session, tenant_id)
    rows = (
        await session.execute(
            select(Revision).where(Revision.status == status).order_by(Revision.submitted_at).limit(limit)
        )
    ).scalars()
    revisions = list(rows)
    names = await tenant_names(session, {revision.tenant_id for revision in revisions})
    return [_view(revision, names.get(revision.tenant_id, "")) for revision in revisions]


async def revision_for_review_in_tenant(session: AsyncSession, tenant_id: UUID, revision_id: UUID) -> RevisionView:
    """One pending revision with its owner's name."""
    await _check_reviewer(session, tenant_id)
    revision = await session.scalar(
        select(Revision).where(Revision.id == revision_id, Revision.status == RevisionStatus.PENDING)
    )
    if revision is None:
        raise NotFoundError
    names = await tenant_names(session, {revision.tenant_id})
    return _view(revision, names.get(revision.tenant_id, ""))


def _view(revision: Revision, tenant_name: str) -> RevisionView:
    return RevisionView(
        id=revision.id,
        tenant_id=revision.tenant_id,
        tenant_name=tenant_name,
        subject=RevisionSubject(revision.subject),
        status=RevisionStatus(revision.status),
        entry=_decode(revision.subject, revision.document),
        previous=None if revision.previous is None else _decode(revision.subject, revision.previous),
        submitted_at=revision.submitted_at,
        review_note=revision.review_note,
    )


async def decide_in_tenant(  # noqa: PLR0913 - the decision's parts, each named at the call
    session: AsyncSession, tenant_id: UUID, revision_id: UUID, reviewer_id: UUID, *, approve: bool, note: str
) -> RevisionView:
    """Approve (publish) or reject a pending revision; a rejection must say why.

    Raises:
        NotFoundError: no pending revision with that id, or `tenant_id` does not review.
        InvalidInputError: a rejection without a note, or an approval whose entry no longer passes.

    """
    await _check_reviewer(session, tenant_id)
    revision = await session.scalar(
        select(Revision).where(Revision.id == revision_id, Revision.status == RevisionStatus.PENDING).with_for_update()
    )
    if revision is None:
        raise NotFoundError
    if not approve and not note.strip():
        raise InvalidInputError([FieldProblem("review_note", "Skriv varför ändringen inte godkänns.")])
    entry = _decode(revision.subject, revision.document)
    if approve:
        if isinstance(entry, ServiceEntry):
            await publish_service(session, revision.tenant_id, entry)
        else:
            await publish_organization(session, revision.tenant_id, entry)
    revision.status = (RevisionStatus.APPROVED if approve else RevisionStatus.REJECTED).value
    revision.reviewed_by = reviewer_id
    revision.reviewed_at = datetime.now(UTC)
    revision.review_note = note.strip()
    await session.flush()
    return _view(revision, "")


async def history_of_entry_in_tenant(session: AsyncSession, tenant_id: UUID, subject_id: UUID) -> list[RevisionView]:
    """Every revision of one entry that the tenant may see (its own; all for the reviewer), newest first."""
    query = select(Revision).where(Revision.subject_id == subject_id)
    if not await _reviews(session, tenant_id):
        query = query.where(Revision.tenant_id == tenant_id)
    revisions = (await session.scalars(query.order_by(Revision.submitted_at.desc()))).all()
    return [_view(revision, "") for revision in revisions]


# Reading what is published (anyone).


async def active_service_owner(session: AsyncSession, service_id: UUID) -> UUID | None:
    """The tenant that runs a published, active service; None for anything else."""
    return await session.scalar(
        select(PublicService.tenant_id).where(
            PublicService.id == service_id, PublicService.status == ServiceStatus.ACTIVE.value
        )
    )


async def service_names(session: AsyncSession, service_ids: Collection[UUID]) -> dict[UUID, str]:
    """Published services' names by id (a service no longer published is missing)."""
    if not service_ids:
        return {}
    rows = await session.execute(select(PublicService.id, PublicService.name).where(PublicService.id.in_(service_ids)))
    return {row.id: row.name for row in rows}


@dataclass(frozen=True, slots=True)
class PublishedEntry:
    """A published service with its organisation, and when each was last published."""

    service: ServiceEntry
    organization: OrganizationEntry
    version: tuple[datetime, datetime] | None = None
    """When the service and its organisation were published: what a cache of the pair keys on."""


async def published_service(session: AsyncSession, service_id: UUID, *, internal: bool = False) -> PublishedEntry:
    """One published service with its organisation.

    `internal` includes what only professionals may read; the session must then act for a tenant.
    """
    service, organization = (
        (PublishedService, PublishedOrganization) if internal else (PublicService, PublicOrganization)
    )
    row = (
        await session.execute(
            select(as_text(service.document), as_text(organization.document))
            .join(organization, organization.id == service.organization_id)
            .where(service.id == service_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError
    return PublishedEntry(service_from_document(row[0]), organization_from_document(row[1]))


async def stale_services(session: AsyncSession, today: date) -> list[tuple[UUID, UUID]]:
    """(service id, owner tenant id) of every active service not confirmed for six months."""
    rows = await session.execute(
        select(PublicService.id, PublicService.tenant_id).where(
            PublicService.status == "active",
            (PublicService.verified_on.is_(None)) | (PublicService.verified_on < today - STALE_AFTER),
        )
    )
    return [(row.id, row.tenant_id) for row in rows]


async def services_of_tenants(session: AsyncSession, tenant_ids: Sequence[UUID]) -> list[ServiceEntry]:
    """The active published services the given tenants own, by name."""
    if not tenant_ids:
        return []
    documents = await session.scalars(
        select(as_text(PublicService.document))
        .where(PublicService.tenant_id.in_(tenant_ids), PublicService.status == "active")
        .order_by(PublicService.name)
    )
    return [service_from_document(document) for document in documents]


class FieldShape(StrEnum):
    """How a field of a service's document holds a code."""

    ONE = "one"
    MANY = "many"
    FLAG = "flag"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class FieldTest:
    """A field of the service's document holds `code` (or, without one, holds anything at all)."""

    field: str
    shape: FieldShape
    code: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogueFilter:
    """Filters of the exchange API (all optional, all apply together)."""

    text: str = ""
    organization_id: UUID | None = None
    modified_after: datetime | None = None
    any_of: tuple[tuple[FieldTest, ...], ...] = ()
    """Each group must hold for at least one of its tests; an empty group matches nothing."""


_Statement = TypeVar("_Statement", bound="Select[*tuple[Any, ...]]")


def _holds(test: FieldTest) -> ColumnElement[bool]:
    value = PublicService.document[test.field]
    holds: ColumnElement[bool]
    if test.shape is FieldShape.FLAG:
        holds = value.as_boolean().is_(True)
    elif test.shape is FieldShape.TEXT:
        holds = func.coalesce(value.as_string(), "") != ""
    elif test.code is None:
        holds = value.as_string().is_not(None) if test.shape is FieldShape.ONE else func.jsonb_array_length(value) > 0
    elif test.shape is FieldShape.ONE:
        holds = value.as_string() == test.code
    else:
        holds = value.contains(func.jsonb_build_array(test.code))
    return holds


def _filtered(statement: _Statement, wanted: CatalogueFilter) -> _Statement:
    if wanted.text.strip():
        query = func.websearch_to_tsquery(literal_column("'swedish'::regconfig"), wanted.text)
        statement = statement.where(PublicService.search.op("@@")(query))
    if wanted.organization_id is not None:
        statement = statement.where(PublicService.organization_id == wanted.organization_id)
    if wanted.modified_after is not None:
        statement = statement.where(PublicService.published_at > wanted.modified_after)
    for group in wanted.any_of:
        statement = statement.where(or_(*(_holds(test) for test in group)) if group else false())
    return statement


async def published_entries(session: AsyncSession, wanted: CatalogueFilter) -> list[PublishedEntry]:
    """Published services with their organisations, by name."""
    return (await published_page(session, wanted, offset=0, limit=None))[1]


async def published_page(
    session: AsyncSession, wanted: CatalogueFilter, *, offset: int, limit: int | None
) -> tuple[int, list[PublishedEntry]]:
    """How many published services match, and those from `offset` on (at most `limit`), by name.

    Only the page's documents are read and decoded, so a page costs the same however large the
    catalogue is.
    """
    statement = _filtered(
        select(
            as_text(PublicService.document),
            as_text(PublicOrganization.document),
            PublicService.published_at,
            PublicOrganization.published_at,
            func.count().over(),
        )
        .join(PublicOrganization, PublicOrganization.id == PublicService.organization_id)
        .order_by(PublicService.name, PublicService.id)
        .offset(offset)
        .limit(limit),
        wanted,
    )
    rows = (await session.execute(statement)).all()
    if not rows and offset:
        total = await session.scalar(
            _filtered(
                select(func.count())
                .select_from(PublicService)
                .join(PublicOrganization, PublicOrganization.id == PublicService.organization_id),
                wanted,
            )
        )
        return total or 0, []
    entries = [
        PublishedEntry(
            service_from_document(service), organization_from_document(organization), (service_at, organization_at)
        )
        for service, organization, service_at, organization_at, _total in rows
    ]
    return (rows[0][4] if rows else 0), entries


async def published_organizations_page(
    session: AsyncSession, wanted: CatalogueFilter, *, offset: int, limit: int
) -> tuple[int, list[PublishedEntry]]:
    """How many organisations have matching published services, and those services of a page of them.

    The page is the organisations from `offset` on (at most `limit`), by name.
    """
    matching = _filtered(select(PublicService.organization_id), wanted)
    rows = (
        await session.execute(
            select(PublicOrganization.id, func.count().over())
            .where(PublicOrganization.id.in_(matching))
            .order_by(PublicOrganization.name, PublicOrganization.id)
            .offset(offset)
            .limit(limit)
        )
    ).all()
    if not rows:
        total = await session.scalar(select(func.count()).where(PublicOrganization.id.in_(matching)))
        return total or 0, []
    page = [row[0] for row in rows]
    statement = _filtered(
        select(
            as_text(PublicService.document),
            as_text(PublicOrganization.document),
            PublicService.published_at,
            PublicOrganization.published_at,
        )
        .join(PublicOrganization, PublicOrganization.id == PublicService.organization_id)
        .where(PublicService.organization_id.in_(page))
        .order_by(PublicService.name, PublicService.id),
        wanted,
    )
    entries = [
        PublishedEntry(service_from_document(service), organization_from_document(organization), (service_at, at))
        for service, organization, service_at, at in await session.execute(statement)
    ]
    order = {organization_id: place for place, organization_id in enumerate(page)}
    return rows[0][1], sorted(entries, key=lambda entry: order[entry.organization.id])


async def catalogue_version(session: AsyncSession) -> tuple[object, ...]:
    """What changes whenever anything published changes: for caches of what everyone reads alike."""
    services = (await session.execute(select(func.count(), func.max(PublicService.published_at)))).one()
    organizations = (await session.execute(select(func.count(), func.max(PublicOrganization.published_at)))).one()
    return (*services, *organizations)


async def published_by_owner(session: AsyncSession) -> list[tuple[UUID, OrganizationEntry, list[ServiceEntry]]]:
    """Every published organisation with its owner and services (organisations without services too)."""
    organizations = [
        (row[0], organization_from_document(row[1]))
        for row in await session.execute(
            select(PublishedOrganization.tenant_id, as_text(PublishedOrganization.document)).order_by(
                PublishedOrganization.name, PublishedOrganization.id
            )
        )
    ]
    services: dict[UUID, list[ServiceEntry]] = {}
    for document in await session.scalars(
        select(as_text(PublishedService.document)).order_by(PublishedService.name, PublishedService.id)
    ):
        entry = service_from_document(document)
        services.setdefault(entry.organization_id, []).append(entry)
    return [(owner, organization, services.get(organization.id, [])) for owner, organization in organizations]
