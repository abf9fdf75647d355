"""`avhopp directory ...`: publish the seed catalogue, and import or export an HSDS data package.

An import is all or nothing: a package with any bad row publishes nothing and every bad
row is listed. Imported entries are published at once, as the national coordinator's own
act, and recorded in each entry's history.

These run as the runtime role in the national coordinator's context, like a reviewer: row-
level security applies to them as to the web app.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import click

from avhopp.directory.catalogue.hsds.package import (
    PackageOrganization,
    PackageRejectedError,
    read_package,
    write_package,
)
from avhopp.directory.catalogue.loading import LoadCounts, NoCoordinatorError, load_catalogue
from avhopp.directory.catalogue.seed import seed_catalogue
from avhopp.directory.catalogue.service import published_by_owner
from avhopp.platform.database import RequestContext, context_session, create_app_engine, session_factory
from avhopp.platform.problems import InvalidInputError
from avhopp.tenants.registry.service import national_coordinator_id, tenant_ids_by_slug

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from avhopp.platform.settings import Settings

T = TypeVar("T")
IMPORT_NOTE = "Import av HSDS-datapaket"
SEED_NOTE = "Startdata: Brås kartläggning 2016:6 (läget 2014) och ordinarie aktörer"


class RuntimeAccess(Protocol):
    """What the `directory` commands need in `click.Context.obj` (the `avhopp` command's database access)."""

    def runtime_url(self) -> AbstractContextManager[URL]:
        """The runtime role's URL while the database is open."""
        ...

    @property
    def settings(self) -> Settings:
        """The platform's settings (the data licence of exports)."""
        ...


async def with_sessions(app_url: URL, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run `work` with runtime sessions, then close the pool."""
    engine = create_app_engine(app_url, pool_size=1)
    try:
        return await work(session_factory(engine, audit_key=None))  # these commands record nothing in the trail
    finally:
        await engine.dispose()


def seed_directory(app_url: URL) -> LoadCounts:
    """Publish the seed entries that are not in the directory yet (an owner's edits are kept)."""
    return asyncio.run(
        with_sessions(
            app_url, lambda sessions: load_catalogue(sessions, seed_catalogue(), note=SEED_NOTE, replace=False)
        )
    )


@click.group("directory")
def directory_cli() -> None:
    """Katalogen: startdata och utbyte i Open Referral HSDS-format.

    \f
    The command that mounts this group sets `click.Context.obj` to an object with `runtime_url()`.
    """  # noqa: D301 - click cuts the help text at the form feed


def _runtime() -> RuntimeAccess:
    access: RuntimeAccess = click.get_current_context().obj
    return access


def _report(counts: LoadCounts) -> None:
    click.echo(f"Katalogen: {counts.published} publicerade, {counts.kept} fanns redan och lämnades orörda.")


@directory_cli.command("seed")
def seed_command() -> None:
    """Publicera startdata: de nio verksamheterna från 2014 och ordinarie aktörer (att bekräftas)."""
    with _runtime().runtime_url() as app_url:
        try:
            _report(seed_directory(app_url))
        except NoCoordinatorError as error:
            raise click.ClickException(str(error)) from None


async def exported_catalogue(sessions: async_sessionmaker[AsyncSession]) -> list[PackageOrganization]:
    """Everything published, with each owner's slug."""
    async with context_session(sessions, RequestContext()) as session:
        slugs = {tenant_id: slug for slug, tenant_id in (await tenant_ids_by_slug(session)).items()}
        coordinator = await national_coordinator_id(session)
    if coordinator is None:
        raise NoCoordinatorError
    # Whole entries (internal phones too) are read only acting for a tenant.
    async with context_session(sessions, RequestContext(tenant_id=coordinator)) as session:
        published = await published_by_owner(session)
    return [
        PackageOrganization(slugs[owner], organization, tuple(services)) for owner, organization, services in published
    ]


@directory_cli.command("export")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--internal", is_flag=True, help="Ta med nummer som bara är för yrkesverksamma (dela inte paketet öppet)."
)
def export_command(target: Path, *, internal: bool) -> None:
    """Skriv katalogen som ett HSDS-datapaket (CSV-filer och datapackage.json) i mappen TARGET."""
    with _runtime().runtime_url() as app_url:
        try:
            catalogue = asyncio.run(with_sessions(app_url, exported_catalogue))
        except NoCoordinatorError as error:
            raise click.ClickException(str(error)) from None
    target.mkdir(parents=True, exist_ok=True)
    write_package(target, catalogue, include_internal=internal, licence=_runtime().settings.directory_licence)
    click.echo(f"Exporterade {len(catalogue)} organisationer med {sum(len(o.services) for o in catalogue)} tjänster.")


@directory_cli.command("import")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(source: Path) -> None:
    """Läs in ett HSDS-datapaket; med fel läses ingenting in och varje felaktig rad listas."""
    try:
        catalogue = read_package(source)
    except PackageRejectedError as error:
        for problem in error.problems:
            where = f"rad {problem.row}" if problem.row is not None else "hela filen"
            click.echo(f"{problem.file}, {where}, {problem.field or '-'}: {problem.message}", err=True)
        raise click.ClickException(f"Ingenting är inläst: {len(error.problems)} fel.") from None
    with _runtime().runtime_url() as app_url:
        try:
            counts = asyncio.run(
                with_sessions(
                    app_url, lambda sessions: load_catalogue(sessions, catalogue, note=IMPORT_NOTE, replace=True)
                )
            )
        except (NoCoordinatorError, InvalidInputError) as error:
            raise click.ClickException(f"Ingenting är inläst: {error}") from None
    _report(counts)
