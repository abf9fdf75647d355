"""`/notiser`: the person's notifications in the tenant they act for, mark as read, the choice of e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.auth.permissions import SIGNED_IN
from avhopp.platform.auth.principal import Principal, principal_of
from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.notifications.mail import outgoing_mail
from avhopp.platform.notifications.preferences import choose_email, email_wanted
from avhopp.platform.notifications.service import kind_title, mark_all_read, mark_read, notices_of

if TYPE_CHECKING:
    from avhopp.platform.notifications.models import Notification

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LIST_PATH = "/notiser"


@dataclass(frozen=True, slots=True)
class NoticeItem:
    """One notification as the list shows it."""

    id: UUID
    title: str
    link: str
    created: str
    created_iso: str
    unread: bool


def _item(notification: Notification) -> NoticeItem:
    created = notification.created_at.astimezone(STOCKHOLM)
    return NoticeItem(
        id=notification.id,
        title=kind_title(notification.kind),
        link=notification.link,
        created=created.strftime("%Y-%m-%d %H:%M"),
        created_iso=created.isoformat(),
        unread=notification.read_at is None,
    )


def _person(request: Request[Any, Any, Any]) -> tuple[Principal, UUID]:
    principal = principal_of(request)
    assert principal is not None  # noqa: S101 - the guard let only signed-in people in
    assert principal.user_id is not None  # noqa: S101 - SIGNED_IN means a person
    return principal, principal.user_id


def _as(principal: Principal, user_id: UUID) -> RequestContext:
    return RequestContext(tenant_id=principal.tenant_id, user_id=user_id)


class NotificationsController(Controller):
    """A person's own notifications; every one of them is theirs alone (row-level security too)."""

    path = LIST_PATH
    include_in_schema = False

    @get("/", opt={"permission": SIGNED_IN})
    async def notices(self, request: Request[Any, Any, Any], state: State) -> Template:
        """The latest notifications, newest first, and the choice of e-mail."""
        principal, user_id = _person(request)
        async with context_session(state.sessions, _as(principal, user_id)) as session:
            items = (
                [_item(each) for each in await notices_of(session, principal.tenant_id, user_id)]
                if principal.tenant_id is not None
                else []
            )
            wanted = await email_wanted(session, user_id)
        return Template(
            template_name="notifications/list.html",
            context={
                "acting": principal.tenant_id is not None,
                "items": items,
                "unread": sum(item.unread for item in items),
                "email_wanted": wanted,
                "mail_on": outgoing_mail() is not None,
            },
        )

    @post("/{notification_id:uuid}/las", opt={"permission": SIGNED_IN})
    async def read_one(
        self, request: Request[Any, Any, Any], state: State, notification_id: FromPath[UUID]
    ) -> Redirect:
        """Mark one notification read; another person's, or another tenant's, is not found."""
        principal, user_id = _person(request)
        if principal.tenant_id is None:
            raise NotFoundException
        async with context_session(state.sessions, _as(principal, user_id)) as session:
            if not await mark_read(session, principal.tenant_id, user_id, notification_id):
                raise NotFoundException
        return Redirect(LIST_PATH, status_code=303)

    @post("/las-alla", opt={"permission": SIGNED_IN})
    async def read_all(self, request: Request[Any, Any, Any], state: State) -> Redirect:
        """Mark every notification in the tenant acted for read."""
        principal, user_id = _person(request)
        if principal.tenant_id is not None:
            async with context_session(state.sessions, _as(principal, user_id)) as session:
                await mark_all_read(session, principal.tenant_id, user_id)
        return Redirect(LIST_PATH, status_code=303)

    @post("/e-post", opt={"permission": SIGNED_IN})
    async def email_choice(self, request: Request[Any, Any, Any], state: State) -> Redirect:
        """Turn e-mail about new notifications on or off (an unticked box sends nothing: off)."""
        _principal, user_id = _person(request)
        form = await request.form()
        async with context_session(state.sessions, RequestContext(user_id=user_id)) as session:
            await choose_email(session, user_id, wanted=form.get("email") == "on")
        return Redirect(LIST_PATH, status_code=303)
