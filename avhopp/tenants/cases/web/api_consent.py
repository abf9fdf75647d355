"""The cases API's consents: record (with the signed document, base64), list, revoke, download."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from avhopp.platform.scope.request import Acting
from avhopp.platform.web.input_guard import LONG_FIELDS
from avhopp.tenants.cases.permissions import CASE_READ, CASE_WRITE
from avhopp.tenants.cases.service import (
    MAX_DOCUMENT_BYTES,
    Category,
    ConsentInput,
    ConsentView,
    consent_document,
    consents_of_case,
    record_consent,
    revoke_consent,
)
from avhopp.tenants.cases.web.api_common import actor_of, needs
from avhopp.tenants.cases.web.api_problems import API_EXCEPTION_HANDLERS, READ_PROBLEMS, WRITE_PROBLEMS

MAX_ORGANISATIONS = 50
_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    """The person's written consent: with whom, what, why, for how long, witnessed by whom."""

    organisations: Annotated[
        list[UUID], msgspec.Meta(max_length=MAX_ORGANISATIONS, description="Organisationerna samtycket gäller")
    ]
    categories: Annotated[list[Category], msgspec.Meta(max_length=len(Category))]
    purpose: str
    valid_from: date
    valid_until: Annotated[date, msgspec.Meta(description="Första dagen samtycket inte längre gäller")]
    witnessed_by: str
    contributors: Annotated[
        list[UUID],
        msgspec.Meta(max_length=MAX_ORGANISATIONS, description="De av organisationerna som också får skriva"),
    ] = msgspec.field(default_factory=list)
    document: Annotated[
        bytes | None,
        msgspec.Meta(
            description=f"Det undertecknade samtycket, base64: PDF, PNG eller JPEG, högst {MAX_DOCUMENT_BYTES} byte"
        ),
    ] = None


class OrganisationOut(msgspec.Struct):
    """An organisation a consent names."""

    id: UUID
    name: str


class ConsentOut(msgspec.Struct):
    """A consent as the case's team sees it."""

    id: UUID
    case_id: UUID
    organisations: list[OrganisationOut]
    contributors: list[UUID]
    categories: list[Category]
    purpose: str
    valid_from: date
    valid_until: date
    witnessed_by: str
    document_type: str | None
    """The signed document's type, when one was kept (download it at `/consents/{id}/document`)."""
    recorded_at: datetime
    revoked_at: datetime | None
    running: bool
    """Whether it shares anything today."""


def _consent_out(view: ConsentView) -> ConsentOut:
    consent = view.consent
    return ConsentOut(
        id=consent.id,
        case_id=consent.case_id,
        organisations=[OrganisationOut(id_, view.organisation_names.get(id_, "")) for id_ in consent.organisations],
        contributors=list(consent.contributors),
        categories=sorted(Category(category) for category in consent.categories),
        purpose=consent.purpose,
        valid_from=consent.valid_from,
        valid_until=consent.valid_until,
        witnessed_by=consent.witnessed_by,
        document_type=consent.document_type,
        recorded_at=consent.recorded_at,
        revoked_at=consent.revoked_at,
        running=view.running,
    )


class ConsentApi(Controller):
    """Consent decides what another organisation sees of a case, and until when."""

    path = "/api/v1/cases"
    tags = ["cases: consent"]  # noqa: RUF012 - Litestar's layer attribute
    exception_handlers = API_EXCEPTION_HANDLERS

    @post(
        "/{case_id:uuid}/consents",
        # The document in base64 is longer than any text: four characters for three bytes, and a little more.
        opt=needs(CASE_WRITE) | {LONG_FIELDS: {"document": (MAX_DOCUMENT_BYTES + 2) // 3 * 4 + 1024}},
        summary="Registrera samtycke",
        responses=WRITE_PROBLEMS,
    )
    async def record(
        self, state: State, acting: Acting, case_id: FromPath[UUID], data: JSONBody[ConsentIn]
    ) -> ConsentOut:
        """Record a written consent (the owner's team); each named organisation may then see the categories.

        Sharing starts on `valid_from` and ends at midnight before `valid_until`, or at once when revoked.
        """
        actor = actor_of(acting)
        consent = ConsentInput(
            organisations=tuple(data.organisations),
            categories=tuple(data.categories),
            purpose=data.purpose,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            witnessed_by=data.witnessed_by,
            contributors=tuple(data.contributors),
            document=data.document,
        )
        consent_id = await record_consent(acting.session, actor, case_id, consent, state.settings.secret_key)
        views = await consents_of_case(acting.session, actor, case_id)
        return next(_consent_out(view) for view in views if view.consent.id == consent_id)

    @get("/{case_id:uuid}/consents", opt=needs(CASE_READ), summary="Ärendets samtycken", responses=READ_PROBLEMS)
    async def of_case(self, acting: Acting, case_id: FromPath[UUID]) -> list[ConsentOut]:
        """The case's consents, newest first (the owner's team)."""
        return [_consent_out(view) for view in await consents_of_case(acting.session, actor_of(acting), case_id)]

    @post(
        "/consents/{consent_id:uuid}/revoke",
        opt=needs(CASE_WRITE),
        status_code=204,
        summary="Återkalla samtycke",
        responses=WRITE_PROBLEMS,
    )
    async def revoke(self, acting: Acting, consent_id: FromPath[UUID]) -> None:
        """The person withdrew the consent: sharing under it ends now, and both sides are told."""
        await revoke_consent(acting.session, actor_of(acting), consent_id)

    @get(
        "/consents/{consent_id:uuid}/document",
        opt=needs(CASE_READ),
        summary="Det undertecknade samtycket",
        responses={
            200: ResponseSpec(data_container=bytes, description="PDF, PNG eller JPEG", media_type="application/pdf"),
            **READ_PROBLEMS,
        },
    )
    async def document(self, state: State, acting: Acting, consent_id: FromPath[UUID]) -> Response[Any]:
        """The signed consent as it was recorded (the owner's team; the read is in the audit trail)."""
        content, media_type = await consent_document(
            acting.session, actor_of(acting), consent_id, state.settings.secret_key
        )
        return Response(
            content,
            media_type=media_type,
            headers={
                "content-disposition": f'attachment; filename="samtycke-{consent_id}.{_EXTENSIONS[media_type]}"',
                "cache-control": "no-store",
            },
        )
