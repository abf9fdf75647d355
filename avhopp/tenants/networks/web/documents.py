"""The upload forms of the networks' pages: a document into a space or a meeting, and a new version.

Multipart forms, the same use cases as the API. A request may carry a document somewhat over the
limit, so that the person is told so in Swedish on the page (a far larger one is refused as too large
before it is read). The type is read from the content; a refusal shows the page again, nothing saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, post
from litestar.datastructures import State, UploadFile
from litestar.params import FromPath
from litestar.response import Redirect

from avhopp.platform.problems import InvalidInputError, NotFoundError
from avhopp.platform.scope.request import Acting
from avhopp.tenants.networks.permissions import NETWORK_PARTICIPATE
from avhopp.tenants.networks.service import (
    MAX_DOCUMENT_BYTES,
    add_document,
    add_version,
    documents_of,
    meeting_link,
    meeting_view,
    space_view,
)
from avhopp.tenants.networks.web.common import actor_of, needs
from avhopp.tenants.networks.web.pages import form_text, form_values, meeting_page, space_page

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict

PARTICIPATING = needs(NETWORK_PARTICIPATE)
UPLOAD_LIMIT = MAX_DOCUMENT_BYTES * 2
"""What an upload form may carry: room for a document a little too large to be told so, not a 413."""


async def _content(form: FormMultiDict, name: str) -> bytes:
    """The chosen file's content; empty where none was chosen (the use case asks for one then)."""
    value: Any = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return b""
    return await value.read()


def _fields(error: InvalidInputError, content_field: str) -> dict[str, str]:
    """The use case's fields as the form names them."""
    names = {"title": "document_title", "content": content_field}
    fields: dict[str, str] = {}
    for problem in error.problems:
        fields.setdefault(names.get(problem.field, problem.field), problem.message)
    return fields


class DocumentPages(Controller):
    """Add a document to a space or a meeting, and a new version of one: the coordinators and the representatives."""

    path = "/natverk"
    include_in_schema = False

    @post("/{space_id:uuid}/dokument", opt=PARTICIPATING, request_max_body_size=UPLOAD_LIMIT)
    async def add(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, space_id: FromPath[UUID]
    ) -> Response[Any]:
        """Add a document to the space."""
        form = await request.form()
        content = await _content(form, "document_file")
        try:
            async with acting.session.begin_nested():
                await add_document(
                    acting.session,
                    state.settings.secret_key,
                    actor_of(acting),
                    space_id,
                    form_text(form, "document_title"),
                    content,
                )
        except InvalidInputError as error:
            return await space_page(acting, space_id, form_values(form), _fields(error, "document_file"))
        return Redirect(f"/natverk/{space_id}")

    @post("/moten/{meeting_id:uuid}/dokument", opt=PARTICIPATING, request_max_body_size=UPLOAD_LIMIT)
    async def add_to_meeting(
        self, request: Request[Any, Any, Any], state: State, acting: Acting, meeting_id: FromPath[UUID]
    ) -> Response[Any]:
        """Add a document to the meeting (minutes attachments, guidance); a guest may not (the space is not theirs)."""
        view = await meeting_view(acting.session, actor_of(acting), meeting_id)
        form = await request.form()
        content = await _content(form, "document_file")
        try:
            async with acting.session.begin_nested():
                await add_document(
                    acting.session,
                    state.settings.secret_key,
                    actor_of(acting),
                    view.meeting.space_id,
                    form_text(form, "document_title"),
                    content,
                    meeting_id=meeting_id,
                )
        except InvalidInputError as error:
            return await meeting_page(acting, meeting_id, form_values(form), _fields(error, "document_file"))
        return Redirect(meeting_link(meeting_id))

    @post(
        "/{space_id:uuid}/dokument/{document_id:uuid}/version",
        opt=PARTICIPATING,
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def version(
        self,
        request: Request[Any, Any, Any],
        state: State,
        acting: Acting,
        space_id: FromPath[UUID],
        document_id: FromPath[UUID],
    ) -> Response[Any]:
        """A new version of one of the space's documents; the earlier ones stay."""
        actor = actor_of(acting)
        line = (await space_view(acting.session, actor, space_id)).line
        listed = await documents_of(acting.session, actor, space_id)
        if not (line.owner or line.representative) or all(item.document_id != document_id for item in listed):
            raise NotFoundError
        form = await request.form()
        field = f"version_{document_id}"
        content = await _content(form, field)
        try:
            async with acting.session.begin_nested():
                await add_version(acting.session, state.settings.secret_key, actor, document_id, content)
        except InvalidInputError as error:
            return await space_page(acting, space_id, form_values(form), _fields(error, field))
        return Redirect(f"/natverk/{space_id}")


DOCUMENT_PAGE_ROUTES = [DocumentPages]
