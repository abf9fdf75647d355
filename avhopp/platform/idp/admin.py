"""Administration as the database owner: accounts, machine clients, housekeeping.

Each function runs in the caller's transaction. Secrets they create (temporary passwords,
client secrets) are returned once for the caller to show once; only hashes are stored. A
temporary password must be replaced at the first sign-in. Resetting a password or an
authenticator, and deactivating an account, end the account's sessions here and the
platform's sessions it vouched for (`issuer` names this provider in them), in every browser.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, or_, select, text, update

from avhopp.platform.authz import REGISTRY, RoleNotGrantableError
from avhopp.platform.idp.accounts import MAX_USERNAME_LENGTH, normalise_username
from avhopp.platform.idp.clients import CLIENT_CREDENTIALS
from avhopp.platform.idp.models import IdpAccount, IdpAuthorizationCode, IdpBrowserSession, IdpClient, IdpReset
from avhopp.platform.idp.passwords import TemporaryPassword, hash_password, new_temporary_password, temporary_password
from avhopp.platform.sealing import digest

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from sqlalchemy import Connection

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]*$")
_SPENT_CODES_KEPT = timedelta(days=1)
_ENDED_SESSIONS_KEPT = timedelta(days=30)
_CLIENT_ID_LETTERS = "abcdefghijkmnopqrstuvwxyz"
"""A client id goes into every audit entry of its requests, and the audit refuses a value holding ten
digits in a row as a possible personal identity number: ids of letters only can never hold one."""


class AdminError(ValueError):
    """An administrative operation cannot be done; the message is Swedish and safe to show."""


def create_account(
    connection: Connection,
    username: str,
    display_name: str,
    email: str | None = None,
    password: TemporaryPassword | None = None,
) -> tuple[UUID, str]:
    """A new account with a temporary password (returned once); the person enrols TOTP at first login.

    `password` is one hashed ahead; by default one is made here.
    """
    username = normalise_username(username)
    if not _USERNAME.fullmatch(username) or len(username) > MAX_USERNAME_LENGTH:
        raise AdminError("Användarnamnet får bara innehålla a–z, 0–9 och . _ @ - (högst 64 tecken).")
    if connection.execute(select(IdpAccount.id).where(IdpAccount.username == username)).first() is not None:
        raise AdminError("Det finns redan ett konto med det användarnamnet.")
    password = password or new_temporary_password()
    account_id: UUID = connection.execute(
        insert(IdpAccount)
        .values(
            username=username,
            display_name=display_name,
            email=email,
            password_hash=password.hashed,
            password_reset_required=True,
        )
        .returning(IdpAccount.id)
    ).scalar_one()
    return account_id, password.text


def reset_password(connection: Connection, username: str, *, issuer: str) -> str:
    """Set a temporary password (returned once), require a new password and a new TOTP enrolment, end sessions."""
    password = temporary_password()
    _change_account(
        connection,
        username,
        issuer,
        password_hash=hash_password(password),
        password_reset_required=True,
        totp_secret_encrypted=None,
        totp_last_step=None,
        failed_attempts=0,
        locked_until=None,
    )
    return password


def reset_authenticator(connection: Connection, username: str | UUID, *, issuer: str) -> None:
    """Forget the account's authenticator app (lost or replaced): a new enrolment at the next sign-in; end sessions.

    The command line names the account by its username; tenant administration by its id, the
    subject by which this provider names the person to the platform.
    """
    _change_account(
        connection,
        username,
        issuer,
        totp_secret_encrypted=None,
        totp_last_step=None,
        failed_attempts=0,
        locked_until=None,
    )


def set_account_active(connection: Connection, username: str, *, issuer: str, active: bool) -> None:
    """Let the account sign in again, or no longer; a deactivation ends its sessions."""
    if active:
        _update_account(connection, username, active=True)
    else:
        _change_account(connection, username, issuer, active=False)


def _change_account(connection: Connection, username: str | UUID, issuer: str, **values: object) -> None:
    """Change what vouches for the person, and end every session that relied on what it was."""
    end_account_sessions(connection, _update_account(connection, username, **values), issuer)


def end_account_sessions(connection: Connection, account_id: UUID, issuer: str) -> None:
    """End the account's sessions at this provider and the platform's sessions it vouched for, in every browser."""
    now = datetime.now(UTC)
    connection.execute(
        update(IdpBrowserSession)
        .where(IdpBrowserSession.account_id == account_id, IdpBrowserSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    # The platform's session table by name: its part (avhopp.platform.auth) imports this one, not the reverse.
    connection.execute(
        text(
            "UPDATE web_session SET ended_at = :now, id_token = NULL"
            " WHERE issuer = :issuer AND subject = :subject AND ended_at IS NULL"
        ),
        {"now": now, "issuer": issuer, "subject": str(account_id)},
    )


def _update_account(connection: Connection, username: str | UUID, **values: object) -> UUID:
    named = (
        IdpAccount.username == normalise_username(username) if isinstance(username, str) else IdpAccount.id == username
    )
    account_id: UUID | None = connection.execute(
        update(IdpAccount).where(named).values(**values).returning(IdpAccount.id)
    ).scalar()
    if account_id is None:
        raise AdminError("Det finns inget konto med det användarnamnet.")
    return account_id


def unlock(connection: Connection, username: str) -> None:
    """Lift a lockout and forget the failed attempts."""
    _update_account(connection, username, failed_attempts=0, locked_until=None)


def new_client_id() -> str:
    """A machine client's id: `m2m-` and 16 random letters (74 bits)."""
    return "m2m-" + "".join(secrets.choice(_CLIENT_ID_LETTERS) for _ in range(16))


def create_machine_client(connection: Connection, name: str, tenant_slug: str, roles: Sequence[str]) -> tuple[str, str]:
    """A client-credentials client acting for one tenant with `roles`; returns (client_id, secret), shown once.

    The roles must be ones that may be granted in that kind of tenant, as in the administration pages.
    The client gets its system account (`_create_system_account`) in the same transaction.
    """
    bad = [role for role in roles if not _ROLE.fullmatch(role)]
    if not roles or bad:
        raise AdminError("Ange minst en roll; roller skrivs med a–z, 0–9 och understreck.")
    tenant = connection.execute(text("SELECT id, kind FROM tenant WHERE slug = :slug"), {"slug": tenant_slug}).first()
    if tenant is None:
        raise AdminError("Det finns ingen organisation med den förkortningen (slug).")
    tenant_id = tenant.id
    try:
        REGISTRY.check_grantable(roles, tenant.kind)
    except RoleNotGrantableError as error:
        raise AdminError(error.message) from None
    client_id = new_client_id()
    secret = secrets.token_urlsafe(32)
    connection.execute(
        insert(IdpClient).values(
            client_id=client_id,
            client_secret_hash=digest(secret),
            name=name,
            grant_types=[CLIENT_CREDENTIALS],
            scope_tenant_id=tenant_id,
            roles=sorted(set(roles)),
        )
    )
    _create_system_account(connection, client_id, name, tenant_id)
    return client_id, secret


def _create_system_account(connection: Connection, client_id: str, name: str, tenant_id: UUID) -> None:
    """The account the client acts through where a case names who acts; a member of its tenant with no roles.

    The tables are the tenant registry's, named here as in `_change_account`: that part imports
    this one, not the reverse. The membership's row-level security binds the owner too, so the
    insert acts for the client's tenant, and the transaction then acts for what it did before.
    """
    account_id = connection.execute(
        text("INSERT INTO app_user (display_name, machine_client_id) VALUES (:name, :client_id) RETURNING id"),
        {"name": name, "client_id": client_id},
    ).scalar_one()
    before = connection.execute(text("SELECT current_setting('app.tenant_id', true)")).scalar()
    connection.execute(text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)})
    connection.execute(
        text("INSERT INTO membership (tenant_id, user_id) VALUES (:tenant, :account)"),
        {"tenant": tenant_id, "account": account_id},
    )
    connection.execute(text("SELECT set_config('app.tenant_id', :before, true)"), {"before": before or ""})


def prune_spent(connection: Connection, now: datetime | None = None) -> None:
    """Delete codes and reset links a day after they expired and browser sessions a month after they ended."""
    now = now or datetime.now(UTC)
    connection.execute(delete(IdpAuthorizationCode).where(IdpAuthorizationCode.expires_at < now - _SPENT_CODES_KEPT))
    connection.execute(delete(IdpReset).where(IdpReset.expires_at < now - _SPENT_CODES_KEPT))
    connection.execute(
        delete(IdpBrowserSession).where(
            or_(
                IdpBrowserSession.ended_at < now - _ENDED_SESSIONS_KEPT,
                IdpBrowserSession.last_seen_at < now - _ENDED_SESSIONS_KEPT,
            )
        )
    )
