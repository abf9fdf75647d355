"""`avhopp directory ...`: publish the seed catalogue, and import or export an HSDS data package.

These run as the runtime role in the national coordinator's context, like a reviewer: row-
level security applies to them as to the web app.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol, TypeVar

import click

from avhopp.directory.loading import LoadCounts, NoCoordinatorError, load_catalogue
from avhopp.directory.seed import seed_catalogue
from avhopp.platform.database import create_app_engine, session_factory

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from contextlib import AbstractContextManager

    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")
SEED_NOTE = "Startdata: Brås kartläggning 2016:6 (läget 2014) och ordinarie aktörer"


class RuntimeAccess(Protocol):
    """What the `directory` commands need in `click.Context.obj` (the `avhopp` command's database access)."""

    def runtime_url(self) -> AbstractContextManager[URL]:
        """The runtime role's URL while the database is open."""
        ...


async def with_sessions(app_url: URL, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run `work` with runtime sessions, then close the pool."""
    engine = create_app_engine(app_url, pool_size=1)
    try:
        return await work(session_factory(engine))
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
