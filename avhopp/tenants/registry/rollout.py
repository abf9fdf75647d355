"""Scripted roll-out: invite the first administrators of many tenants from a CSV file.

Each line names a tenant (its slug, e.g. `kommun-1480`, or its id) and the invitee's e-mail
address, and optionally `ja` in a third column for an explicitly wanted second administrator. A
line that cannot be used is reported with its number and the reason, and the others go on: each
invitation is made in a transaction of its own, by a named national administrator, and audited
as if made on the page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from avhopp.platform.database import RequestContext, context_session
from avhopp.platform.text_input import has_control_character
from avhopp.tenants.registry.administration import AdministrationError
from avhopp.tenants.registry.models import Tenant, TenantKind
from avhopp.tenants.registry.onboarding import invite_first_admin
from avhopp.tenants.registry.people import AppUser, Membership
from avhopp.tenants.registry.roles import Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

MAX_LINE = 1_000
_HEADER = {"tenant", "organisation", "organisation_id", "slug"}


@dataclass(frozen=True, slots=True)
class RolloutLine:
    """One usable line of the file."""

    number: int
    tenant: str
    email: str
    second_admin: bool


@dataclass(frozen=True, slots=True)
class RolloutOutcome:
    """What became of one line: `link` is set when nothing e-mails it and it must be passed on (shown once)."""

    number: int
    tenant: str
    ok: bool
    message: str
    link: str | None = None


def read_rollout(text: str) -> tuple[list[RolloutLine], list[RolloutOutcome]]:
    """The file's usable lines, and an outcome for each line that is not (a header line is skipped)."""
    lines: list[RolloutLine] = []
    refused: list[RolloutOutcome] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE or has_control_character(raw, line_breaks=False):
            refused.append(RolloutOutcome(number, "", ok=False, message="Raden är för lång eller har styrtecken."))
            continue
        cells = [cell.strip() for cell in next(csv.reader(io.StringIO(raw), skipinitialspace=True))]
        if number == 1 and cells and cells[0].lower() in _HEADER:
            continue
        if len(cells) not in {2, 3} or not cells[0] or not cells[1]:
            refused.append(
                RolloutOutcome(
                    number,
                    cells[0] if cells else "",
                    ok=False,
                    message="Raden ska ha organisation och e-postadress, och eventuellt ja för en andra administratör.",
                )
            )
            continue
        second = cells[2].lower() if len(cells) == 3 else ""  # noqa: PLR2004 - the optional third column
        if second not in {"", "ja", "nej"}:
            refused.append(RolloutOutcome(number, cells[0], ok=False, message="Tredje kolumnen ska vara ja eller nej."))
            continue
        lines.append(RolloutLine(number, cells[0], cells[1], second_admin=second == "ja"))
    return lines, refused


async def _national_administrator(session: AsyncSession, national: UUID, email: str) -> UUID:
    """The one active person with this address who is a national administrator of the coordinator."""
    found = list(
        await session.scalars(
            select(AppUser.id)
            .join(Membership, Membership.user_id == AppUser.id)
            .where(
                Membership.tenant_id == national,
                Membership.roles.contains([Role.NATIONAL_ADMIN.value]),
                AppUser.active,
                AppUser.machine_client_id.is_(None),
                AppUser.email == email.strip(),
            )
        )
    )
    if len(found) != 1:
        raise AdministrationError(
            "not_national_admin", "Ingen nationell administratör (en enda) har den e-postadressen på plattformen."
        )
    return found[0]


async def _tenant_id(session: AsyncSession, identifier: str) -> UUID:
    """The tenant by slug or id; AdministrationError when there is none."""
    try:
        found = await session.scalar(select(Tenant.id).where(Tenant.id == UUID(identifier)))
    except ValueError:
        found = await session.scalar(select(Tenant.id).where(Tenant.slug == identifier.lower()))
    if found is None:
        raise AdministrationError("not_found", "Organisationen finns inte.")
    return found


async def invite_from_file(  # noqa: PLR0913 - the roll-out's parts, keyword-only
    sessions: async_sessionmaker[AsyncSession],
    lines: list[RolloutLine],
    *,
    by: str,
    secret_key: str,
    public_url: str,
    mail: bool,
    progress: Callable[[int], None] | None = None,
) -> list[RolloutOutcome]:
    """Invite each line's administrator as the national administrator `by` (an e-mail address).

    Raises:
        AdministrationError: there is no active national coordinator, or `by` is not its national administrator.

    """
    async with context_session(sessions, RequestContext()) as session:
        national = await session.scalar(
            select(Tenant.id)
            .where(Tenant.kind == TenantKind.NATIONAL_COORDINATOR, Tenant.active)
            .order_by(Tenant.slug)
            .limit(1)
        )
    if national is None:
        raise AdministrationError("no_coordinator", "Det finns ingen aktiv nationell samordnare på plattformen.")
    async with context_session(sessions, RequestContext(tenant_id=national)) as session:
        actor = await _national_administrator(session, national, by)
    outcomes: list[RolloutOutcome] = []
    for line in lines:
        outcomes.append(
            await _invite_line(
                sessions, line, national=national, actor=actor, secret_key=secret_key, public_url=public_url, mail=mail
            )
        )
        if progress is not None:
            progress(1)
    return outcomes


async def _invite_line(  # noqa: PLR0913 - one line and the roll-out's parts
    sessions: async_sessionmaker[AsyncSession],
    line: RolloutLine,
    *,
    national: UUID,
    actor: UUID,
    secret_key: str,
    public_url: str,
    mail: bool,
) -> RolloutOutcome:
    try:
        async with context_session(sessions, RequestContext(tenant_id=national, user_id=actor)) as session:
            tenant_id = await _tenant_id(session, line.tenant)
            invited = await invite_first_admin(
                session,
                national_tenant_id=national,
                actor=actor,
                tenant_id=tenant_id,
                email=line.email,
                second_admin=line.second_admin,
                secret_key=secret_key,
                public_url=public_url,
                mail=mail,
            )
    except AdministrationError as error:
        return RolloutOutcome(line.number, line.tenant, ok=False, message=error.message)
    if invited.emailed:
        return RolloutOutcome(line.number, line.tenant, ok=True, message="Inbjudan skickas med e-post.")
    return RolloutOutcome(line.number, line.tenant, ok=True, message="Inbjudan skapad.", link=invited.link)
