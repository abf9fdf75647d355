"""Start-up as the owner: a signing key, the platform's own client, the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from avhopp.platform.idp.accounts import normalise_username
from avhopp.platform.idp.admin import create_account, prune_spent
from avhopp.platform.idp.clients import AUTHORIZATION_CODE
from avhopp.platform.idp.discovery import issuer_for
from avhopp.platform.idp.keys import ensure_signing_key
from avhopp.platform.idp.models import IdpAccount, IdpClient
from avhopp.platform.sealing import derived_secret, digest

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy import Connection

    from avhopp.platform.idp.passwords import TemporaryPassword
    from avhopp.platform.settings import Settings

PLATFORM_CLIENT_ID = "avhopp-web"


@dataclass(frozen=True, slots=True)
class CreatedAccount:
    """An account created by this start, with its one-time password (print it once, store it nowhere)."""

    username: str
    subject: str
    password: str


@dataclass(frozen=True, slots=True)
class ProviderSetup:
    """The provider as the platform's login needs it."""

    issuer: str
    client_id: str
    client_secret: str
    created_accounts: list[CreatedAccount] = field(default_factory=list)
    subjects: dict[str, str] = field(default_factory=dict)
    """Username to `sub` (the account id) for every demo account, new or not."""


def platform_client_secret(settings: Settings) -> str:
    """The platform's client secret: derived from the secret key, so every process knows it and none stores it."""
    return derived_secret(settings.secret_key, f"idp.client-secret.{PLATFORM_CLIENT_ID}")


def ensure_identity_provider(
    connection: Connection,
    settings: Settings,
    demo_accounts: Sequence[tuple[str, str]],
    passwords: Iterable[TemporaryPassword] = (),
) -> ProviderSetup:
    """Make the provider ready; idempotent. `demo_accounts` are (username, display name) pairs.

    Creates the first signing key, registers (or updates) the platform's client, creates the
    demo accounts that do not exist yet with random passwords (taken from `passwords`, hashed
    ahead, while it lasts), and prunes spent codes and ended sessions.
    """
    hashed_ahead = iter(passwords)
    ensure_signing_key(connection, settings.secret_key)
    secret = platform_client_secret(settings)
    _register_platform_client(connection, settings, secret)
    created: list[CreatedAccount] = []
    subjects: dict[str, str] = {}
    for raw_username, display_name in demo_accounts:
        username = normalise_username(raw_username)
        existing = connection.execute(select(IdpAccount.id).where(IdpAccount.username == username)).scalar()
        if existing is None:
            account_id, password = create_account(connection, username, display_name, password=next(hashed_ahead, None))
            created.append(CreatedAccount(username=username, subject=str(account_id), password=password))
            subjects[username] = str(account_id)
        else:
            subjects[username] = str(existing)
    prune_spent(connection, datetime.now(UTC))
    return ProviderSetup(
        issuer=issuer_for(settings),
        client_id=PLATFORM_CLIENT_ID,
        client_secret=secret,
        created_accounts=created,
        subjects=subjects,
    )


def _register_platform_client(connection: Connection, settings: Settings, secret: str) -> None:
    values = {
        "client_secret_hash": digest(secret),
        "name": "Avhopp",
        "redirect_uris": [f"{settings.public_url}/auth/callback"],
        "post_logout_redirect_uris": [f"{settings.public_url}/"],
        "grant_types": [AUTHORIZATION_CODE],
        "scope": "openid profile email",
    }
    connection.execute(
        insert(IdpClient)
        .values(client_id=PLATFORM_CLIENT_ID, **values)
        .on_conflict_do_update(index_elements=[IdpClient.client_id], set_=values)
    )
