"""The national invitation by e-mail, through a real SMTP server in this process: once, and only while usable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.notifications.mail import INVITATION_SUBJECT
from avhopp.tenants.registry.jobs import send_invitation_email
from avhopp.tenants.registry.onboarding import Invited, invite_first_admin, revoke_first_admin_invitations
from tests.platform.jobs.support import wait_until
from tests.platform.notifications.conftest import PUBLIC_URL, SENDER
from tests.support.people import GOTEBORG_ADMIN
from tests.tenants.test_administration import tenant_id_of

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import Engine
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.jobs import JobRuntime
    from avhopp.platform.settings import Settings
    from tests.platform.notifications.conftest import SmtpServer


async def test_the_link_is_e_mailed_once_and_then_kept_nowhere(  # noqa: PLR0913, PLR0917 - its fixtures
    smtp_server: SmtpServer,
    mail_jobs: JobRuntime,  # noqa: ARG001 - runs the jobs
    mail_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    owner_engine: Engine,
    clean_database: None,  # noqa: ARG001 - the invitations go when the test ends
) -> None:
    smtp_server.start()
    national, kiruna, lulea = (tenant_id_of(owner_engine, slug) for slug in ("bra", "kommun-2584", "kommun-2580"))
    actor = GOTEBORG_ADMIN.user_id  # any person: the use case trusts the route's permission check

    async def invite(session: AsyncSession, tenant_id: uuid.UUID, email: str) -> Invited:
        return await invite_first_admin(
            session,
            national_tenant_id=national,
            actor=actor,
            tenant_id=tenant_id,
            email=email,
            second_admin=False,
            secret_key=mail_on.secret_key,
            public_url=PUBLIC_URL,
            mail=True,
        )

    async with context_session(sessions, RequestContext(tenant_id=national, user_id=actor)) as session:
        sent = await invite(session, kiruna, "kim@kiruna.example")
    async with context_session(sessions, RequestContext(tenant_id=national, user_id=actor)) as session:
        await invite(session, lulea, "ann@lulea.example")
        # Revoked in the same transaction: its job finds nothing to send.
        await revoke_first_admin_invitations(session, national_tenant_id=national, actor=actor, tenant_id=lulea)

    await wait_until(lambda: bool(smtp_server.inbox.to("kim@kiruna.example")), "the invitee's e-mail")
    (received,) = smtp_server.inbox.to("kim@kiruna.example")
    assert received.message["Subject"] == INVITATION_SUBJECT
    assert received.message["From"] == SENDER
    assert sent.link in received.message.get_content()

    def link_erased() -> bool:
        with owner_engine.begin() as connection:
            connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(kiruna)})
            row = connection.execute(
                text("SELECT link_sealed, emailed_at FROM invitation WHERE tenant_id = :t"), {"t": kiruna}
            ).one()
        return row.link_sealed is None and row.emailed_at is not None

    await wait_until(link_erased, "the link erased once sent")
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(lulea)})
        revoked = connection.execute(text("SELECT token_hash FROM invitation WHERE tenant_id = :t"), {"t": lulea})
        revoked_hash = revoked.scalar_one()
    async with context_session(sessions, RequestContext(tenant_id=lulea)) as session:
        await send_invitation_email.body(session, token_hash=revoked_hash)
    assert smtp_server.inbox.to("ann@lulea.example") == []
