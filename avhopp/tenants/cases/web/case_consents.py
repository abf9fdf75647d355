"""The case's consents: record one (with the signed document), read the document, revoke after a confirmation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting, TenantScope
from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE
from avhopp.tenants.cases.service import (
    MAX_DOCUMENT_BYTES,
    Category,
    ConsentInput,
    ConsentView,
    TenantKind,
    case_link,
    consent_document,
    consents_of_case,
    record_consent,
    revoke_consent,
    sharing_candidates,
)
from avhopp.tenants.cases.web.case_tabs import OpenedTab, open_tab
from avhopp.tenants.cases.web.common import KINDS, FormReader, actor_of, choices_of, secret_key, values_of

EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
UPLOAD_LIMIT = MAX_DOCUMENT_BYTES * 2
"""What a consent's form may carry: room for a document a little too large to be told so, not a 413."""


async def _consents_page(
    acting: TenantScope,
    opened: OpenedTab,
    form: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    consents = await consents_of_case(acting.session, actor_of(acting), opened.case_id)
    organisations = await sharing_candidates(acting.session, actor_of(acting)) if opened.may_write else []
    return opened.page(
        "cases/case/consents.html",
        {
            "consents": consents,
            "others": tuple(Choice(str(o.id), o.name) for o in organisations if o.kind != TenantKind.MUNICIPALITY),
            "municipalities": tuple(
                Choice(str(o.id), o.name) for o in organisations if o.kind == TenantKind.MUNICIPALITY
            ),
            "category_choices": choices_of(Category),
            "max_megabytes": MAX_DOCUMENT_BYTES // (1024 * 1024),
        },
        form=form,
        errors=errors,
    )


async def _consent_of(acting: TenantScope, case_id: UUID, consent_id: UUID) -> tuple[OpenedTab, ConsentView]:
    opened = await open_tab(acting, case_id, "samtycken")
    for view in await consents_of_case(acting.session, actor_of(acting), case_id):
        if view.consent.id == consent_id:
            return opened, view
    raise NotFoundError


async def _consent_from(reader: FormReader) -> ConsentInput:
    organisations = list(reader.idents("organisations"))
    contributors = list(reader.idents("contributors"))
    municipality = reader.ident("municipality")
    if municipality is not None:
        organisations.append(municipality)
        if reader.checked("municipality_contributes"):
            contributors.append(municipality)
    return ConsentInput(
        organisations=tuple(organisations),
        categories=reader.choices("categories", Category),
        purpose=reader.text("purpose"),
        valid_from=reader.required_day("valid_from", "Skriv från vilket datum samtycket gäller."),
        valid_until=reader.required_day("valid_until", "Skriv till vilket datum samtycket gäller."),
        witnessed_by=reader.text("witnessed_by"),
        contributors=tuple(contributors),
        document=await reader.upload("document"),
    )


class CaseConsentPages(Controller):
    """What the person has agreed to share, with whom and until when (the owner's team only)."""

    path = "/arenden/{case_id:uuid}/samtycken"
    opt = {"permission": CASE_READ, "tenant_kinds": KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def consents(self, acting: Acting, case_id: FromPath[UUID]) -> Template:
        """The case's consents, newest first, and the form to record one."""
        return await _consents_page(acting, await open_tab(acting, case_id, "samtycken"))

    @post("/", opt={"permission": CASE_WRITE}, request_max_body_size=UPLOAD_LIMIT)
    async def record(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, case_id: FromPath[UUID]
    ) -> Response[Any]:
        """Record a written consent; the organisations it names see the case as it says, from its first day."""
        opened = await open_tab(acting, case_id, "samtycken")
        if not opened.may_write:
            raise NotFoundError
        form = await request.form()
        reader = FormReader(form)
        consent = await _consent_from(reader)
        try:
            await reader.save(
                acting.session,
                lambda: record_consent(acting.session, actor_of(acting), case_id, consent, secret_key(state)),
            )
        except InvalidInputError as error:
            return await _consents_page(
                acting, await open_tab(acting, case_id, "samtycken"), values_of(form), error.by_field()
            )
        return Redirect(f"{case_link(case_id)}/samtycken")

    @get("/{consent_id:uuid}/dokument")
    async def document(
        self, state: State, acting: Acting, case_id: FromPath[UUID], consent_id: FromPath[UUID]
    ) -> Response[bytes]:
        """The signed consent, as a download (reading it is logged)."""
        await _consent_of(acting, case_id, consent_id)
        content, media_type = await consent_document(acting.session, actor_of(acting), consent_id, secret_key(state))
        return Response(
            content,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="samtycke.{EXTENSIONS.get(media_type, "bin")}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get("/{consent_id:uuid}/aterkalla", opt={"permission": CASE_WRITE})
    async def confirm_revocation(
        self, acting: Acting, case_id: FromPath[UUID], consent_id: FromPath[UUID]
    ) -> Response[Any]:
        """Ask first: revoking ends the sharing at once and cannot be undone."""
        opened, view = await _consent_of(acting, case_id, consent_id)
        if not opened.may_write:
            raise NotFoundError
        if view.consent.revoked_at is not None:
            return Redirect(f"{case_link(case_id)}/samtycken")
        return opened.page("cases/case/revoke.html", {"view": view})

    @post("/{consent_id:uuid}/aterkalla", opt={"permission": CASE_WRITE})
    async def revoke(self, acting: Acting, case_id: FromPath[UUID], consent_id: FromPath[UUID]) -> Response[Any]:
        """The person withdrew the consent: every organisation it named loses access now; both sides are told."""
        await _consent_of(acting, case_id, consent_id)
        try:
            async with acting.session.begin_nested():
                await revoke_consent(acting.session, actor_of(acting), consent_id)
        except InvalidInputError as error:
            return await _consents_page(acting, await open_tab(acting, case_id, "samtycken"), errors=error.by_field())
        return Redirect(f"{case_link(case_id)}/samtycken")
