"""Documents: versions in PostgreSQL, the size limit and the type read from the content, downloads audited,
removal kept in the history, and nothing of them for another county's members or an invited organisation's others."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.tenants.networks.models import MAX_DOCUMENT_BYTES
from avhopp.tenants.networks.service import (
    add_document,
    add_version,
    documents_of,
    download,
    remove_document,
)
from tests.platform.web.conftest import SECRET_KEY
from tests.tenants.networks.conftest import (
    GOTEBORG_KOLLEGA,
    GOTEBORG_NATVERK,
    MALMO_NATVERK,
    VG_SAMORDNARE,
    TwoCounties,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.service import Actor
    from tests.support.people import NamedPerson

    ActingAs = Callable[[NamedPerson], AbstractAsyncContextManager[tuple[AsyncSession, Actor]]]

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def audited(owner_engine: Engine, action: str) -> int:
    with owner_engine.connect() as connection:
        return int(
            connection.execute(text("SELECT count(*) FROM audit_event WHERE action = :a"), {"a": action}).scalar_one()
        )


async def test_documents_keep_versions_check_content_and_audit_downloads(
    acting_as: ActingAs, two_counties: TwoCounties, owner_engine: Engine
) -> None:
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        for content, message in (
            (b"MZ\x90\x00 a program named rapport.pdf", "Dokumentet ska vara en PDF, PNG eller JPEG"),
            (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "Dokumentet får vara högst 10 MB."),
            (b"", "Välj ett dokument att ladda upp."),
        ):
            with pytest.raises(InvalidInputError) as refused:
                await add_document(session, SECRET_KEY, actor, two_counties.vg_space, "Länsrapport", content)
            assert refused.value.by_field()["content"].startswith(message)
        assert await session.scalar(text("SELECT count(*) FROM network_document")) == 0
        document = await add_document(
            session, SECRET_KEY, actor, two_counties.vg_space, "Länsrapport", PDF, meeting_id=two_counties.vg_meeting
        )
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        assert await add_version(session, SECRET_KEY, actor, document, PNG) == 2
        content, kind, title = await download(session, SECRET_KEY, actor, document)
        assert (content, kind, title) == (PNG, "image/png", "Länsrapport")
        assert (await download(session, SECRET_KEY, actor, document, 1))[0] == PDF
        own = await add_document(session, SECRET_KEY, actor, two_counties.vg_space, "Göteborgs vägledning", PDF)
        assert [line.title for line in await documents_of(session, actor, two_counties.vg_space)] == [
            "Göteborgs vägledning",
            "Länsrapport",
        ]
        with pytest.raises(NotFoundError):
            await remove_document(session, actor, own)
    assert audited(owner_engine, "network.document_downloaded") == 2
    with owner_engine.connect() as connection:  # at rest, no version holds the document readable
        connection.execute(text("SET row_security = off"))
        stored = [
            bytes(value) for value in connection.execute(text("SELECT content FROM network_document_version")).scalars()
        ]
    assert len(stored) == 3
    assert not any(PDF in value or PNG in value for value in stored)
    for outsider in (MALMO_NATVERK, GOTEBORG_KOLLEGA):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await download(session, SECRET_KEY, actor, document)
            assert await session.scalar(text("SELECT count(*) FROM network_document_version")) == 0
            with pytest.raises(NotFoundError):
                await add_document(session, SECRET_KEY, actor, two_counties.vg_space, "Intrång", PDF)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        await remove_document(session, actor, document)
        listed = await documents_of(session, actor, two_counties.vg_space)
        assert [line.title for line in listed] == ["Göteborgs vägledning"]
        history = await documents_of(session, actor, two_counties.vg_space, with_removed=True)
        assert [(line.title, line.removed_at is not None) for line in history][-1] == ("Länsrapport", True)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        with pytest.raises(NotFoundError):
            await download(session, SECRET_KEY, actor, document)


async def test_a_new_version_passes_the_same_checks_as_the_first(
    acting_as: ActingAs, two_counties: TwoCounties
) -> None:
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        document = await add_document(session, SECRET_KEY, actor, two_counties.vg_space, "Länsrapport", PDF)
    async with acting_as(GOTEBORG_NATVERK) as (session, actor):
        for content, message in (
            (b"MZ\x90\x00 a program named rapport.pdf", "Dokumentet ska vara en PDF, PNG eller JPEG"),
            (b"<html><script>alert(1)</script></html>", "Dokumentet ska vara en PDF, PNG eller JPEG"),
            (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "Dokumentet får vara högst 10 MB."),
            (b"", "Välj ett dokument att ladda upp."),
        ):
            with pytest.raises(InvalidInputError) as refused:
                await add_version(session, SECRET_KEY, actor, document, content)
            assert refused.value.by_field()["content"].startswith(message)
        assert await session.scalar(text("SELECT count(*) FROM network_document_version")) == 1
    for outsider in (MALMO_NATVERK, GOTEBORG_KOLLEGA):
        async with acting_as(outsider) as (session, actor):
            with pytest.raises(NotFoundError):
                await add_version(session, SECRET_KEY, actor, document, PNG)
    async with acting_as(VG_SAMORDNARE) as (session, actor):
        assert await add_version(session, SECRET_KEY, actor, document, PNG) == 2
