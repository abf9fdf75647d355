"""Publish a whole catalogue at once: the seed data and HSDS imports.

Runs in the national coordinator's transaction. Each entry is published for the tenant
its `owner_slug` names (or for the coordinator when no such tenant exists) and recorded
as an approved revision without a person, so the history says where it came from. One
transaction: a catalogue with one bad entry publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select

from avhopp.directory.catalogue.entry import ServiceEntry
from avhopp.directory.catalogue.models import (
    PublishedOrganization,
    PublishedService,
    Revision,
    RevisionStatus,
    RevisionSubject,
)
from avhopp.directory.catalogue.service import Entry, publish_entries, to_document
from avhopp.platform.database import RequestContext, context_session
from avhopp.tenants.registry.service import national_coordinator_id, tenant_ids_by_slug

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.directory.catalogue.entry import OrganizationEntry


class CatalogueItem(Protocol):
    """An organisation with its services and the slug of the tenant that owns them."""

    @property
    def owner_slug(self) -> str: ...  # noqa: D102
    @property
    def organization(self) -> OrganizationEntry: ...  # noqa: D102
    @property
    def services(self) -> tuple[ServiceEntry, ...]: ...  # noqa: D102


class NoCoordinatorError(RuntimeError):
    """The platform has no active national coordinator tenant to publish as."""

    def __init__(self) -> None:
        super().__init__("Det finns ingen aktiv nationell samordnare (organisation av typen national_coordinator).")


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """How many entries a load published, and how many it left as they were."""

    published: int
    kept: int


async def load_catalogue(
    sessions: async_sessionmaker[AsyncSession], items: Sequence[CatalogueItem], *, note: str, replace: bool
) -> LoadCounts:
    """Publish `items` in one transaction.

    Args:
        sessions: The runtime role's sessions.
        items: The catalogue.
        note: Why, for the history (e.g. "Import av HSDS-datapaket").
        replace: Overwrite entries already published (an import); False keeps them (the seed,
            which must never undo an owner's own edits).

    Raises:
        NoCoordinatorError: there is no national coordinator to publish as.

    """
    async with context_session(sessions, RequestContext()) as session:
        coordinator = await national_coordinator_id(session)
        owners = await tenant_ids_by_slug(session)
    if coordinator is None:
        raise NoCoordinatorError
    async with context_session(sessions, RequestContext(tenant_id=coordinator)) as session:
        existing = set(await session.scalars(select(PublishedOrganization.id)))
        existing |= set(await session.scalars(select(PublishedService.id)))
        wanted: list[tuple[UUID, Entry]] = []
        for item in items:
            owner = owners.get(item.owner_slug, coordinator)
            entries: list[Entry] = [item.organization, *item.services]
            wanted.extend((owner, entry) for entry in entries if replace or entry.id not in existing)
        await publish_entries(session, wanted)
        session.add_all(_approved(owner, entry, note) for owner, entry in wanted)
    total = sum(1 + len(item.services) for item in items)
    return LoadCounts(len(wanted), total - len(wanted))


def _approved(owner: UUID, entry: Entry, note: str) -> Revision:
    """The entry's revision for the history: approved, by no person, with `note` saying where it came from."""
    return Revision(
        tenant_id=owner,
        subject=(RevisionSubject.SERVICE if isinstance(entry, ServiceEntry) else RevisionSubject.ORGANIZATION).value,
        subject_id=entry.id,
        document=to_document(entry),
        status=RevisionStatus.APPROVED.value,
        reviewed_at=datetime.now(UTC),
        review_note=note,
    )
