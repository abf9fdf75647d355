"""`/notiser`: the person's notifications in the tenant they act for, mark as read, the choice of e-mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from avhopp.platform.notifications.mail import outgoing_mail
from avhopp.platform.notifications.preferences import choose_email, email_wanted
from avhopp.platform.notifications.service import kind_title, mark_all_read, mark_read, notices_of
from avhopp.platform.problems import NotFoundError
from avhopp.platform.scope.request import SignedIn
from avhopp.platform.scope.route_permissions import SIGNED_IN
from avhopp.platform.times import swedish_time

if TYPE_CHECKING:
    from avhopp.platform.notifications.models import Notification

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
    return NoticeItem(
        id=notification.id,
        title=kind_title(notification.kind),
        link=notification.link,
        created=swedish_time(notification.created_at),
        created_iso=notification.created_at.isoformat(),
        unread=notification.read_at is None,
    )


class NotificationsController(Controller):
    """A person's own notifications; every one of them is theirs alone (row-level security too)."""

    path = LIST_PATH
    opt = {"permission": SIGNED_IN}  # noqa: RUF012 - Litestar's layer attribute
    include_in_schema = False

    @get("/")
    async def notices(self, signed_in: SignedIn) -> Template:
        """The latest notifications, newest first, and the choice of e-mail."""
        tenant_id = signed_in.principal.tenant_id
        items = (
            [_item(each) for each in await notices_of(signed_in.session, tenant_id, signed_in.user_id)]
            if tenant_id is not None
            else []
        )
        return Template(
            template_name="notifications/list.html",
            context={
                "acting": tenant_id is not None,
                "items": items,
                "unread": sum(item.unread for item in items),
                "email_wanted": await email_wanted(signed_in.session, signed_in.user_id),
                "mail_on": outgoing_mail() is not None,
            },
        )

    @post("/{notification_id:uuid}/las")
    async def read_one(self, signed_in: SignedIn, notification_id: FromPath[UUID]) -> Redirect:
        """Mark one notification read; another person's, or another tenant's, is not found."""
        tenant_id = signed_in.principal.tenant_id
        if tenant_id is None or not await mark_read(signed_in.session, tenant_id, signed_in.user_id, notification_id):
            raise NotFoundError
        return Redirect(LIST_PATH, status_code=303)

    @post("/las-alla")
    async def read_all(self, signed_in: SignedIn) -> Redirect:
        """Mark every notification in the tenant acted for read."""
        if signed_in.principal.tenant_id is not None:
            await mark_all_read(signed_in.session, signed_in.principal.tenant_id, signed_in.user_id)
        return Redirect(LIST_PATH, status_code=303)

    @post("/e-post")
    async def email_choice(self, request: Request[Any, Any, Any], signed_in: SignedIn) -> Redirect:
        """Turn e-mail about new notifications on or off (an unticked box sends nothing: off)."""
        form = await request.form()
        await choose_email(signed_in.session, signed_in.user_id, wanted=form.get("email") == "on")
        return Redirect(LIST_PATH, status_code=303)
