"""`avhopp audit ...`: verify the audit trail's chains and export their heads, as the database owner."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TextIO

import click

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.audit.counts import anonymous_counts
from avhopp.platform.audit.verify import chain_heads, head_line, parse_heads, verify_chains

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sqlalchemy import Connection

    from avhopp.platform.settings import Settings


class OwnerTransactions(Protocol):
    """What the `audit` commands need in `click.Context.obj` (the `avhopp` command's owner access)."""

    @property
    def settings(self) -> Settings:
        """The platform's settings (the chains' key is derived from its secret key)."""
        ...

    def owner_transaction(self) -> AbstractContextManager[Connection]:
        """A connection as the database owner in a transaction that commits when the block succeeds."""
        ...


@click.group("audit")
def audit_cli() -> None:
    """Granskningsloggen: kontrollera kedjorna och exportera kedjetopparna.

    \f
    The command that mounts this group sets `click.Context.obj` to an object with
    `owner_transaction()`, as for the `idp` group.
    """  # noqa: D301 - click cuts the help text at the form feed


def _owner() -> OwnerTransactions:
    access: OwnerTransactions = click.get_current_context().obj
    return access


@audit_cli.command("verify")
@click.option(
    "--heads",
    "heads_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Kedjetoppar exporterade tidigare (export-heads); var och en måste finnas kvar oförändrad.",
)
def verify_command(heads_file: TextIO | None) -> None:
    """Kontrollera varje kedja; avslutar med status 1 och namnger första brutna länken om någon är bruten."""
    try:
        heads = parse_heads(heads_file) if heads_file else []
    except ValueError:
        raise click.ClickException("Filen med kedjetoppar går inte att läsa (en JSON-rad per kedja).") from None
    owner = _owner()
    with owner.owner_transaction() as connection:
        reports = verify_chains(connection, chain_key(owner.settings.secret_key), heads)
    if not reports:
        click.echo("Granskningsloggen är tom.")
    for report in reports:
        if report.broken is None:
            click.echo(f"ok      {report.chain}  {report.length} länkar  topp {report.head_hash}")
        else:
            link = report.broken
            where = f"id {link.id}" if link.id is not None else "saknas"
            click.echo(f"BRUTEN  {report.chain}  länk {link.seq} ({where}): {link.problem}")
    if any(not report.intact for report in reports):
        sys.exit(1)


@audit_cli.command("export-heads")
@click.option(
    "--output",
    type=click.File("a", encoding="utf-8"),
    default="-",
    help="Fil att lägga till i (normalt standard ut). Förvara den utanför databasen.",
)
def export_heads_command(output: TextIO) -> None:
    """Lägg till varje kedjas senaste länk som JSON-rader, för förvaring utanför databasen.

    Körd på ett schema (se infra/) samlar filen kedjetopparna över tid; `verify --heads` kräver att
    var och en finns kvar oförändrad, så att en avkortad eller omskriven svans upptäcks.
    """
    with _owner().owner_transaction() as connection:
        heads = chain_heads(connection)
    exported_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    output.writelines(head_line(head, exported_at) + "\n" for head in heads)


@audit_cli.command("counts")
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="Hur många dagar bakåt.")
def counts_command(days: int) -> None:
    """Visa per dag hur många anonyma händelser som räknats (t.ex. förfalskade inloggningssvar)."""
    since = (datetime.now(UTC) - timedelta(days=days)).date()
    with _owner().owner_transaction() as connection:
        rows = anonymous_counts(connection, since)
    if not rows:
        click.echo("Inga anonyma händelser under perioden.")
    for day, action, reason, count in rows:
        click.echo(f"{day.isoformat()}  {action}  {reason}  {count}")
