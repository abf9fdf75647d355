"""`avhopp idp ...`: administration of the built-in identity provider, as the database owner."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import click

from avhopp.platform.idp.admin import (
    AdminError,
    create_account,
    create_machine_client,
    reset_authenticator,
    reset_password,
    set_account_active,
    unlock,
)
from avhopp.platform.idp.discovery import issuer_for
from avhopp.platform.idp.keys import rotate_signing_keys

if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager

    from sqlalchemy import Connection

    from avhopp.platform.settings import Settings


class OwnerAccess(Protocol):
    """What the `idp` commands need in `click.Context.obj`."""

    @property
    def settings(self) -> Settings:
        """The platform's settings (the secret key seals signing keys)."""
        ...

    def owner_transaction(self) -> AbstractContextManager[Connection]:
        """A connection as the database owner in a transaction that commits when the block succeeds."""
        ...


@click.group("idp")
def idp_cli() -> None:
    """Den inbyggda inloggningstjänsten: konton, maskinklienter och signeringsnycklar.

    \f
    The command that mounts this group sets `click.Context.obj` to an `OwnerAccess`: an
    object with `settings` and `owner_transaction()`, a context manager yielding an owner
    `sqlalchemy.Connection` inside a transaction that commits on success.
    """  # noqa: D301 - click cuts the help text at the form feed


def _owner() -> OwnerAccess:
    access: OwnerAccess = click.get_current_context().obj
    return access


@idp_cli.command("create-account")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Personens namn som det visas.")
@click.option("--email", default=None, help="E-postadress (frivillig).")
def create_account_command(username: str, display_name: str, email: str | None) -> None:
    """Skapa ett konto med ett tillfälligt lösenord som visas en gång."""
    with _admin_errors(), _owner().owner_transaction() as connection:
        account_id, password = create_account(connection, username, display_name, email)
    click.echo(f"Kontot är skapat (id {account_id}).")
    click.echo(f"Tillfälligt lösenord, visas bara nu: {password}")
    click.echo("Vid första inloggningen väljer personen ett eget lösenord och kopplar sin autentiseringsapp.")


@idp_cli.command("reset-password")
@click.argument("username")
def reset_password_command(username: str) -> None:
    """Återställ lösenordet: ett tillfälligt lösenord, nytt lösenord och ny app vid nästa inloggning."""
    access = _owner()
    with _admin_errors(), access.owner_transaction() as connection:
        password = reset_password(connection, username, issuer=issuer_for(access.settings))
    click.echo(f"Tillfälligt lösenord, visas bara nu: {password}")
    click.echo("Vid nästa inloggning väljer personen ett nytt lösenord och kopplar sin autentiseringsapp på nytt.")
    click.echo("Personen är utloggad överallt.")


@idp_cli.command("reset-authenticator")
@click.argument("username")
def reset_authenticator_command(username: str) -> None:
    """Glöm kontots autentiseringsapp (borttappad eller bytt): en ny app kopplas vid nästa inloggning."""
    access = _owner()
    with _admin_errors(), access.owner_transaction() as connection:
        reset_authenticator(connection, username, issuer=issuer_for(access.settings))
    click.echo("Vid nästa inloggning kopplar personen sin autentiseringsapp på nytt. Personen är utloggad överallt.")


@idp_cli.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Stäng av ett konto: det kan inte logga in, och personen loggas ut överallt."""
    access = _owner()
    with _admin_errors(), access.owner_transaction() as connection:
        set_account_active(connection, username, issuer=issuer_for(access.settings), active=False)
    click.echo("Kontot är avstängt och personen är utloggad överallt.")


@idp_cli.command("reactivate")
@click.argument("username")
def reactivate_command(username: str) -> None:
    """Låt ett avstängt konto logga in igen."""
    access = _owner()
    with _admin_errors(), access.owner_transaction() as connection:
        set_account_active(connection, username, issuer=issuer_for(access.settings), active=True)
    click.echo("Kontot kan logga in igen.")


@idp_cli.command("unlock")
@click.argument("username")
def unlock_command(username: str) -> None:
    """Häv en tillfällig spärr efter för många misslyckade inloggningsförsök."""
    with _admin_errors(), _owner().owner_transaction() as connection:
        unlock(connection, username)
    click.echo("Kontot är upplåst.")


@idp_cli.command("create-client")
@click.argument("name")
@click.option("--tenant", "tenant_slug", required=True, help="Organisationens förkortning (slug), t.ex. kommun-1480.")
@click.option("--roles", required=True, help="Roller i organisationen, åtskilda med komma.")
def create_client_command(name: str, tenant_slug: str, roles: str) -> None:
    """Skapa en maskinklient (client credentials) för en organisation och en uppsättning roller."""
    role_names = [role.strip() for role in roles.split(",") if role.strip()]
    with _admin_errors(), _owner().owner_transaction() as connection:
        client_id, secret = create_machine_client(connection, name, tenant_slug, role_names)
    click.echo(f"client_id: {client_id}")
    click.echo(f"client_secret, visas bara nu: {secret}")


@idp_cli.command("rotate-keys")
def rotate_keys_command() -> None:
    """Byt signeringsnyckel; den gamla publiceras tills dess sista token har gått ut."""
    access = _owner()
    with access.owner_transaction() as connection:
        rotation = rotate_signing_keys(connection, access.settings.secret_key)
    click.echo(f"Ny signeringsnyckel: {rotation.new_kid}")
    for kid in rotation.retired:
        click.echo(f"Pensionerad (publiceras en stund till): {kid}")
    for kid in rotation.pruned:
        click.echo(f"Borttagen: {kid}")


@contextmanager
def _admin_errors() -> Iterator[None]:
    """An AdminError becomes click's one-line error and exit status 1."""
    try:
        yield
    except AdminError as error:
        raise click.ClickException(str(error)) from None
