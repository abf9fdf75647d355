"""Knowledge exchange in a space: short threads (a question and its replies), and following a space.

The coordinators and the members' named representatives write and read threads; every text passes
the identifier guard (`avhopp.platform.identifying_text`) before anything is saved, and a refused
text is kept nowhere: the refusal names what to remove and never quotes it. A person who follows a
space is told of each new thread, reply and consultation through the platform's notifications,
which carry a kind and a link, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.identifying_text import identifying_problems
from avhopp.platform.jobs import enqueue
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.text_input import text_problem
from avhopp.tenants.networks.access import SpaceAccess, space_for
from avhopp.tenants.networks.exchange_models import (
    MAX_POST,
    MAX_TITLE,
    NetworkFollow,
    NetworkThread,
    NetworkThreadReply,
)
from avhopp.tenants.networks.models import NetworkRepresentative
from avhopp.tenants.networks.notices import Followed, notify_followers
from avhopp.tenants.registry.service import tenant_names

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.tenants.networks.access import Actor


@dataclass(frozen=True, slots=True)
class Post:
    """A thread's question or a reply: the text, the organisation that wrote it, and when."""

    body: str
    organisation: str
    written_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadLine:
    """A thread in a space's list."""

    thread_id: UUID
    title: str
    organisation: str
    written_at: datetime
    replies: int


@dataclass(frozen=True, slots=True)
class ThreadView:
    """A thread with its question and replies, oldest first."""

    thread_id: UUID
    space_id: UUID
    space_name: str
    title: str
    question: Post
    replies: tuple[Post, ...]


async def contributor(session: AsyncSession, actor: Actor, space_id: UUID) -> SpaceAccess:
    """The space, if the actor's organisation runs it or the actor is a named representative; else `NotFoundError`.

    An invited organisation's other people see that it is invited, nothing of what is written.
    """
    access = await space_for(session, actor, space_id)
    if access.owner:
        return access
    if access.membership is None:
        raise NotFoundError
    named = await session.scalar(
        select(NetworkRepresentative.id).where(
            NetworkRepresentative.member_id == access.membership.id,
            NetworkRepresentative.user_id == actor.user_id,
            NetworkRepresentative.ended_at.is_(None),
        )
    )
    if named is None:
        raise NotFoundError
    return access


def checked_text(field: str, value: str, *, minimum: int, maximum: int, problems: list[FieldProblem]) -> str:
    """`value` trimmed, within its limits, without control characters, and with nothing identifying in it.

    Each problem names the field and what to change; none quotes the text.
    """
    trimmed = value.strip()
    problem = text_problem(field, trimmed, max_length=maximum, line_breaks=True)
    if problem is not None:
        problems.append(problem)
        return trimmed
    if len(trimmed) < minimum:
        problems.append(FieldProblem(field, f"Skriv minst {minimum} tecken."))
    problems.extend(identifying_problems(field, trimmed))
    return trimmed


async def threads_of(session: AsyncSession, actor: Actor, space_id: UUID) -> list[ThreadLine]:
    """The space's threads, newest first, with how many replies each has."""
    await contributor(session, actor, space_id)
    replies = (
        select(NetworkThreadReply.thread_id, func.count().label("replies"))
        .group_by(NetworkThreadReply.thread_id)
        .subquery()
    )
    rows = list(
        await session.execute(
            select(NetworkThread, func.coalesce(replies.c.replies, 0))
            .outerjoin(replies, replies.c.thread_id == NetworkThread.id)
            .where(NetworkThread.space_id == space_id)
            .order_by(NetworkThread.created_at.desc())
        )
    )
    names = await tenant_names(session, {thread.author_tenant_id for thread, _ in rows})
    return [
        ThreadLine(thread.id, thread.title, names.get(thread.author_tenant_id, ""), thread.created_at, count)
        for thread, count in rows
    ]


async def start_thread(session: AsyncSession, actor: Actor, space_id: UUID, title: str, body: str) -> UUID:
    """Ask the space a question; its followers are told. Nothing is saved if a text is refused."""
    access = await contributor(session, actor, space_id)
    problems: list[FieldProblem] = []
    title = checked_text("title", title, minimum=2, maximum=MAX_TITLE, problems=problems)
    body = checked_text("body", body, minimum=2, maximum=MAX_POST, problems=problems)
    if problems:
        raise InvalidInputError(problems)
    thread = NetworkThread(
        space_id=space_id,
        tenant_id=access.space.tenant_id,
        title=title,
        body=body,
        author_tenant_id=actor.tenant_id,
        created_by=actor.user_id,
    )
    session.add(thread)
    await session.flush()
    await tell_followers(session, actor, access.space.tenant_id, space_id, what=Followed.THREAD, object_id=thread.id)
    return thread.id


async def _thread(session: AsyncSession, actor: Actor, thread_id: UUID) -> tuple[NetworkThread, SpaceAccess]:
    thread = await session.scalar(select(NetworkThread).where(NetworkThread.id == thread_id))
    if thread is None:
        raise NotFoundError
    return thread, await contributor(session, actor, thread.space_id)


async def thread_view(session: AsyncSession, actor: Actor, thread_id: UUID) -> ThreadView:
    """A thread, its question and its replies."""
    thread, access = await _thread(session, actor, thread_id)
    replies = list(
        await session.scalars(
            select(NetworkThreadReply)
            .where(NetworkThreadReply.thread_id == thread_id)
            .order_by(NetworkThreadReply.created_at, NetworkThreadReply.id)
        )
    )
    names = await tenant_names(session, {thread.author_tenant_id, *(reply.author_tenant_id for reply in replies)})
    return ThreadView(
        thread.id,
        thread.space_id,
        access.space.name,
        thread.title,
        Post(thread.body, names.get(thread.author_tenant_id, ""), thread.created_at),
        tuple(Post(reply.body, names.get(reply.author_tenant_id, ""), reply.created_at) for reply in replies),
    )


async def reply_to_thread(session: AsyncSession, actor: Actor, thread_id: UUID, body: str) -> UUID:
    """Reply in a thread; the space's followers are told."""
    thread, _access = await _thread(session, actor, thread_id)
    problems: list[FieldProblem] = []
    body = checked_text("body", body, minimum=2, maximum=MAX_POST, problems=problems)
    if problems:
        raise InvalidInputError(problems)
    reply = NetworkThreadReply(
        thread_id=thread.id,
        space_id=thread.space_id,
        tenant_id=thread.tenant_id,
        body=body,
        author_tenant_id=actor.tenant_id,
        created_by=actor.user_id,
    )
    session.add(reply)
    await session.flush()
    await tell_followers(
        session, actor, thread.tenant_id, thread.space_id, what=Followed.THREAD_REPLY, object_id=thread.id
    )
    return reply.id


async def follows(session: AsyncSession, actor: Actor, space_id: UUID) -> bool:
    """Whether the actor follows the space."""
    await contributor(session, actor, space_id)
    found = await session.scalar(
        select(NetworkFollow.user_id).where(NetworkFollow.space_id == space_id, NetworkFollow.user_id == actor.user_id)
    )
    return found is not None


async def follow(session: AsyncSession, actor: Actor, space_id: UUID, *, following: bool) -> None:
    """Follow the space (told of new threads, replies and consultations), or stop following it."""
    access = await contributor(session, actor, space_id)
    if following:
        await session.execute(
            insert(NetworkFollow)
            .values(
                space_id=space_id,
                user_id=actor.user_id,
                tenant_id=access.space.tenant_id,
                follower_tenant_id=actor.tenant_id,
            )
            .on_conflict_do_nothing()
        )
    else:
        await session.execute(
            delete(NetworkFollow).where(NetworkFollow.space_id == space_id, NetworkFollow.user_id == actor.user_id)
        )


async def tell_followers(  # noqa: PLR0913 - ids and a code, keyword-only
    session: AsyncSession, actor: Actor, owner: UUID, space_id: UUID, *, what: Followed, object_id: UUID
) -> None:
    """After the commit, a job tells the space's followers (ids and a code only)."""
    await enqueue(
        session,
        notify_followers,
        owner_id=str(owner),
        space_id=str(space_id),
        what=what.value,
        object_id=str(object_id),
        author_id=str(actor.user_id),
    )
