"""Documents of a space or of one of its meetings: versions stored in PostgreSQL, types checked on the content.

The coordinators and the members' representatives add documents and new versions; every download is
in the audit trail; removing a document (the coordinators) keeps it and its versions in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import uuid4

from sqlalchemy import func, select

from avhopp.platform.documents import document_type
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.sealing import seal, unseal
from avhopp.tenants.networks.access import SpaceAccess, space_for
from avhopp.tenants.networks.audit import NetworkAction, record_network_event
from avhopp.tenants.networks.models import (
    DOCUMENT_PURPOSE,
    MAX_DOCUMENT_BYTES,
    NetworkDocument,
    NetworkDocumentVersion,
    NetworkMeeting,
    NetworkRepresentative,
)
from avhopp.tenants.networks.texts import one_line
from avhopp.tenants.registry.service import tenant_names

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor

TOO_LARGE = f"Dokumentet får vara högst {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB."
REFUSED_TYPE = "Dokumentet ska vara en PDF, PNG eller JPEG (vi läser innehållet, inte filnamnet)."


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """A document in a list: its latest version."""

    document_id: UUID
    title: str
    meeting_id: UUID | None
    uploaded_by: str
    """The organisation that added it."""
    version: int
    content_type: str
    size: int
    uploaded_at: datetime
    removed_at: datetime | None


def _checked_content(content: bytes) -> str:
    if not content:
        raise InvalidInputError.one("content", "Välj ett dokument att ladda upp.")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInputError.one("content", TOO_LARGE)
    kind = document_type(content)
    if kind is None:
        raise InvalidInputError.one("content", REFUSED_TYPE)
    return kind


async def _named(session: AsyncSession, actor: Actor, member_id: UUID) -> bool:
    """Whether the actor is a named representative of the membership (who may contribute to the space)."""
    return (
        await session.scalar(
            select(NetworkRepresentative.id).where(
                NetworkRepresentative.member_id == member_id,
                NetworkRepresentative.user_id == actor.user_id,
                NetworkRepresentative.ended_at.is_(None),
            )
        )
    ) is not None


async def _contributing(session: AsyncSession, actor: Actor, space_id: UUID) -> SpaceAccess:
    """The space, for its coordinators and its members' named representatives only (else `NotFoundError`)."""
    access = await space_for(session, actor, space_id)
    if not access.owner and (access.membership is None or not await _named(session, actor, access.membership.id)):
        raise NotFoundError
    return access


async def add_document(  # noqa: PLR0913, PLR0917 - the document's parts, the meeting keyword-only
    session: AsyncSession,
    secret_key: str,
    actor: Actor,
    space_id: UUID,
    title: str,
    content: bytes,
    *,
    meeting_id: UUID | None = None,
) -> UUID:
    """Add a document to the space (or to one of its meetings): its first version."""
    access = await _contributing(session, actor, space_id)
    problems: list[FieldProblem] = []
    title = one_line("title", title, minimum=2, maximum=200, problems=problems)
    if problems:
        raise InvalidInputError(problems)
    kind = _checked_content(content)
    if meeting_id is not None:
        found = await session.scalar(
            select(NetworkMeeting.id).where(NetworkMeeting.id == meeting_id, NetworkMeeting.space_id == space_id)
        )
        if found is None:
            raise InvalidInputError.one("meeting_id", "Välj ett av nätverkets möten.")
    space = access.space
    document = NetworkDocument(
        space_id=space_id,
        tenant_id=space.tenant_id,
        meeting_id=meeting_id,
        title=title,
        uploader_tenant_id=actor.tenant_id,
        created_by=actor.user_id,
    )
    session.add(document)
    await session.flush()
    session.add(_sealed_version(secret_key, document, version=1, content=content, kind=kind, actor=actor))
    await session.flush()
    await record_network_event(session, NetworkAction.DOCUMENT_ADDED, "network_document", document.id, actor)
    return document.id


def _sealed_version(  # noqa: PLR0913 - the version's parts
    secret_key: str, document: NetworkDocument, *, version: int, content: bytes, kind: str, actor: Actor
) -> NetworkDocumentVersion:
    """A version whose content is sealed at rest, bound to the version's own id."""
    version_id = uuid4()
    return NetworkDocumentVersion(
        id=version_id,
        document_id=document.id,
        space_id=document.space_id,
        tenant_id=document.tenant_id,
        version=version,
        content=seal(secret_key, DOCUMENT_PURPOSE, content, version_id.bytes),
        content_type=kind,
        size=len(content),
        uploaded_by=actor.user_id,
    )


async def _document(session: AsyncSession, document_id: UUID) -> NetworkDocument:
    document = await session.scalar(select(NetworkDocument).where(NetworkDocument.id == document_id))
    if document is None:
        raise NotFoundError
    return document


async def add_version(session: AsyncSession, secret_key: str, actor: Actor, document_id: UUID, content: bytes) -> int:
    """A new version of a document that is not removed; the earlier ones stay.

    Who may add the first version may add the next, and the content passes the same checks (size, and
    the type read from the content).
    """
    document = await _document(session, document_id)
    if document.removed_at is not None:
        raise NotFoundError
    await _contributing(session, actor, document.space_id)
    kind = _checked_content(content)
    latest = await session.scalar(
        select(func.max(NetworkDocumentVersion.version)).where(NetworkDocumentVersion.document_id == document_id)
    )
    version = (latest or 0) + 1
    session.add(_sealed_version(secret_key, document, version=version, content=content, kind=kind, actor=actor))
    await session.flush()
    await record_network_event(session, NetworkAction.DOCUMENT_ADDED, "network_document", document_id, actor)
    return version


async def documents_of(
    session: AsyncSession, actor: Actor, space_id: UUID, *, with_removed: bool = False
) -> list[DocumentLine]:
    """The space's documents, newest first, each at its latest version (removed ones only when asked)."""
    await space_for(session, actor, space_id)
    documents = list(
        await session.scalars(
            select(NetworkDocument)
            .where(NetworkDocument.space_id == space_id)
            .order_by(NetworkDocument.created_at.desc())
        )
    )
    if not with_removed:
        documents = [document for document in documents if document.removed_at is None]
    latest = {
        version.document_id: version
        for version in await session.scalars(
            select(NetworkDocumentVersion)
            .where(NetworkDocumentVersion.document_id.in_([document.id for document in documents]))
            .order_by(NetworkDocumentVersion.version)
        )
    }
    names = await tenant_names(session, {document.uploader_tenant_id for document in documents})
    return [
        DocumentLine(
            document.id,
            document.title,
            document.meeting_id,
            names.get(document.uploader_tenant_id, ""),
            latest[document.id].version,
            latest[document.id].content_type,
            latest[document.id].size,
            latest[document.id].uploaded_at,
            document.removed_at,
        )
        for document in documents
        if document.id in latest
    ]


async def download(
    session: AsyncSession, secret_key: str, actor: Actor, document_id: UUID, version: int | None = None
) -> tuple[bytes, str, str]:
    """A version's content (the latest by default), its type and the document's title; the download is audited."""
    document = await _document(session, document_id)
    query = select(NetworkDocumentVersion).where(NetworkDocumentVersion.document_id == document_id)
    query = (
        query.where(NetworkDocumentVersion.version == version)
        if version is not None
        else query.order_by(NetworkDocumentVersion.version.desc()).limit(1)
    )
    found = await session.scalar(query)
    if found is None or (document.removed_at is not None and document.tenant_id != actor.tenant_id):
        raise NotFoundError
    await record_network_event(session, NetworkAction.DOCUMENT_DOWNLOADED, "network_document", document_id, actor)
    content = unseal(secret_key, DOCUMENT_PURPOSE, found.content, found.id.bytes)
    return content, found.content_type, document.title


async def remove_document(session: AsyncSession, actor: Actor, document_id: UUID) -> None:
    """Remove a document from the lists (the coordinators); it and its versions stay in the history."""
    document = await _document(session, document_id)
    if document.tenant_id != actor.tenant_id:
        raise NotFoundError
    if document.removed_at is None:
        document.removed_at = func.now()
        document.removed_by = actor.user_id
        await session.flush()
        await record_network_event(session, NetworkAction.DOCUMENT_REMOVED, "network_document", document_id, actor)
