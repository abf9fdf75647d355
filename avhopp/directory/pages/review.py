"""The national coordinator's review queue: what owners proposed, against what is published."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.directory.api import REVIEW, reviewer_of
from avhopp.directory.entry import EntryRejectedError
from avhopp.directory.guards import national_coordinator_only
from avhopp.directory.models import RevisionStatus
from avhopp.directory.pages.common import REVISION_STATUS_LABELS
from avhopp.directory.service import EntryNotFoundError, decide, revision_for_review, revisions_for_review
from avhopp.platform.database import context_session

if TYPE_CHECKING:
    from avhopp.directory.service import Entry, RevisionView


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


@get("/katalog/granskning", opt={"permission": REVIEW}, guards=[national_coordinator_only], include_in_schema=False)
async def review_queue(request: Request[Any, Any, Any], state: State) -> Template:
    """Proposals awaiting review, oldest first."""
    _reviewer, context = reviewer_of(request)
    async with context_session(state.sessions, context) as session:
        pending = await revisions_for_review(session, status=RevisionStatus.PENDING)
    return Template(template_name="directory/review_queue.html", context={"pending": pending})


async def _pending(state: State, request: Request[Any, Any, Any], revision_id: UUID) -> RevisionView:
    _reviewer, context = reviewer_of(request)
    async with context_session(state.sessions, context) as session:
        try:
            return await revision_for_review(session, revision_id)
        except EntryNotFoundError:
            raise NotFoundException from None


def _revision_page(revision: RevisionView, errors: dict[str, str]) -> Template:
    return Template(
        template_name="directory/review_revision.html",
        context={
            "revision": revision,
            "changes": changes(revision.previous, revision.entry),
            "errors": errors,
            "status_labels": REVISION_STATUS_LABELS,
        },
        status_code=400 if errors else 200,
    )


@get(
    "/katalog/granskning/{revision_id:uuid}",
    opt={"permission": REVIEW},
    guards=[national_coordinator_only],
    include_in_schema=False,
)
async def review_revision(request: Request[Any, Any, Any], state: State, revision_id: FromPath[UUID]) -> Template:
    """One proposal, field by field against what is published."""
    return _revision_page(await _pending(state, request, revision_id), {})


@post(
    "/katalog/granskning/{revision_id:uuid}",
    opt={"permission": REVIEW},
    guards=[national_coordinator_only],
    include_in_schema=False,
)
async def decide_revision(
    request: Request[Any, Any, Any], state: State, revision_id: FromPath[UUID]
) -> Template | Redirect:
    """Publish or reject a proposal; a rejection says why, and the owner sees it."""
    revision = await _pending(state, request, revision_id)
    reviewer, context = reviewer_of(request)
    form = await request.form()
    try:
        async with context_session(state.sessions, context) as session:
            await decide(
                session,
                revision_id,
                reviewer,
                approve=form.get("decision") == "approve",
                note=str(form.get("review_note") or ""),
            )
    except EntryNotFoundError:
        raise NotFoundException from None
    except EntryRejectedError as error:
        return _revision_page(revision, {p.field: p.message for p in error.problems})
    return Redirect("/katalog/granskning")


REVIEW_ROUTES = [review_queue, review_revision, decide_revision]
