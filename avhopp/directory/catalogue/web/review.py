"""The national coordinator's review queue: what owners proposed, against what is published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.catalogue.models import RevisionStatus
from avhopp.directory.catalogue.permissions import REVIEW, REVIEWING_KINDS
from avhopp.directory.catalogue.service import (
    decide_in_tenant,
    revision_for_review_in_tenant,
    revisions_for_review_in_tenant,
)
from avhopp.directory.catalogue.web.api import reviewer_of
from avhopp.platform.labels import labels_of
from avhopp.platform.problems import InvalidInputError
from avhopp.platform.scope.request import Acting

if TYPE_CHECKING:
    from avhopp.directory.catalogue.service import Entry, RevisionView


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs between the published entry and the proposal."""

    field: str
    before: str
    after: str


def _flat(entry: Entry | None) -> dict[str, str]:
    if entry is None:
        return {}
    return {name: _shown(value) for name, value in msgspec.to_builtins(entry).items()}


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "; ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_shown(item)}" for key, item in value.items() if item not in ("", None, []))
    return "" if value is None else str(value)


def changes(previous: Entry | None, proposed: Entry) -> list[Change]:
    """The fields a proposal changes (every filled field for a new entry), in the entry's field order."""
    before, after = _flat(previous), _flat(proposed)
    return [
        Change(name, before.get(name, ""), value)
        for name, value in after.items()
        if value != before.get(name, "") and name != "verified_on"
    ]


def _revision_page(revision: RevisionView, errors: dict[str, str]) -> Template:
    return Template(
        template_name="directory/review_revision.html",
        context={
            "revision": revision,
            "changes": changes(revision.previous, revision.entry),
            "errors": errors,
            "status_labels": labels_of(RevisionStatus),
        },
        status_code=400 if errors else 200,
    )


class ReviewPages(Controller):
    """The national coordinator's reviewers publish or reject what owners propose."""

    path = "/katalog/granskning"
    opt = {"permission": REVIEW, "tenant_kinds": REVIEWING_KINDS}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def queue(self, acting: Acting) -> Template:
        """Proposals awaiting review, oldest first."""
        pending = await revisions_for_review_in_tenant(acting.session, acting.tenant_id, status=RevisionStatus.PENDING)
        return Template(template_name="directory/review_queue.html", context={"pending": pending})

    @get("/{revision_id:uuid}")
    async def revision(self, acting: Acting, revision_id: FromPath[UUID]) -> Template:
        """One proposal, field by field against what is published."""
        return _revision_page(await revision_for_review_in_tenant(acting.session, acting.tenant_id, revision_id), {})

    @post("/{revision_id:uuid}")
    async def decide(
        self, request: Request[Any, Any, Any], acting: Acting, revision_id: FromPath[UUID]
    ) -> Response[Any]:
        """Publish or reject a proposal; a rejection says why, and the owner sees it."""
        revision = await revision_for_review_in_tenant(acting.session, acting.tenant_id, revision_id)
        form = await request.form()
        try:
            async with acting.session.begin_nested():
                await decide_in_tenant(
                    acting.session,
                    acting.tenant_id,
                    revision_id,
                    reviewer_of(acting),
                    approve=form.get("decision") == "approve",
                    note=str(form.get("review_note") or ""),
                )
        except InvalidInputError as error:
            return _revision_page(revision, error.by_field())
        return Redirect("/katalog/granskning")


REVIEW_ROUTES = [ReviewPages]
